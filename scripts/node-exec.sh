#!/usr/bin/env bash
# Runs a command inside the single-node cluster's network and mount namespaces, with KUBECONFIG set to its admin:
#   scripts/node-exec.sh kubectl get pods -A
#   scripts/node-exec.sh curl -s http://10.88.0.5:8080/metrics
set -euo pipefail
source "$(dirname "$0")/lib/node.sh"
holder=$(node_holder)
[[ -n "$holder" ]] || { echo "[node-exec] no node is running; start one with scripts/node-up.sh (make node-up)" >&2; exit 1; }
# ctr reads CONTAINERD_ADDRESS and CONTAINERD_NAMESPACE: the node's containerd, where the kubelet keeps pods.
exec nsenter -t "$holder" -m -n -- env KUBECONFIG="$NODE_KUBECONFIG" CONTAINERD_ADDRESS="$NODE_SOCKET" CONTAINERD_NAMESPACE=k8s.io "$@"
