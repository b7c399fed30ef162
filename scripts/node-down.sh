#!/usr/bin/env bash
# Stops the single-node cluster of scripts/node-up.sh and removes what it made: its processes and their containers,
# the network namespace, the cgroups the kubelet created, the state folder. Safe to run when no node runs.
set -uo pipefail

log() { printf '[node-down] %s\n' "$*" >&2; }
source "$(dirname "$0")/lib/node.sh"

started=$SECONDS
holder=$(node_holder)
if [[ -n "$holder" ]]; then
  # Pods first (SIGTERM through the kubelet would take their grace periods; the tests already deleted theirs).
  for name in kubelet kube-proxy kube-scheduler kube-controller-manager; do
    pid=$(cat "$NODE_STATE/$name.pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
  done
  nsenter -t "$holder" -m -n -- sh -c "ctr --address '$NODE_SOCKET' -n k8s.io tasks ls -q 2>/dev/null | xargs -r -n1 ctr --address '$NODE_SOCKET' -n k8s.io tasks kill -s SIGKILL" >/dev/null 2>&1
fi
# Every process started inside the node's network namespace (daemons, shims, containers).
if ip netns pids "$NODE_NETNS" >/dev/null 2>&1; then
  ip netns pids "$NODE_NETNS" | xargs -r kill -TERM 2>/dev/null
  # kube-apiserver ignores SIGTERM for a while on shutdown: a grace, then SIGKILL.
  for _ in $(seq 1 20); do
    [[ -z "$(ip netns pids "$NODE_NETNS" 2>/dev/null)" ]] && break
    sleep 0.25
  done
  ip netns pids "$NODE_NETNS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
  for _ in $(seq 1 40); do
    [[ -z "$(ip netns pids "$NODE_NETNS" 2>/dev/null)" ]] && break
    sleep 0.25
  done
  ip netns delete "$NODE_NETNS"
fi
# The kubelet's cgroups (cgroupfs driver): kubepods/... in each hierarchy, deepest first.
for hierarchy in /sys/fs/cgroup/*/; do
  [[ -d "$hierarchy/kubepods" ]] && find "$hierarchy/kubepods" -depth -type d -exec rmdir {} + 2>/dev/null
done
# Mounts the kubelet made live in the holder's mount namespace and went with it; none is left on the host. The files
# containerd created as mount points for pod network namespaces (/run/netns/cni-*) are on the host's /run, though:
# the ones no namespace is mounted on any more are this node's leftovers.
for leftover in /run/netns/cni-*; do
  [[ -f "$leftover" ]] && ! mountpoint -q "$leftover" && rm -f "$leftover"
done
rm -rf "$NODE_STATE"
log "stopped in $((SECONDS - started)) s"
