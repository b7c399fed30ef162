#!/usr/bin/env bash
# Imports an OCI image-layout tar (scripts/operator-image.sh makes one) into the running node's containerd, where
# the kubelet finds it: pods use it with imagePullPolicy IfNotPresent or Never, as no registry is reachable here.
set -euo pipefail
source "$(dirname "$0")/lib/node.sh"
[[ -n "$(node_holder)" ]] || { echo "[node-import-image] no node is running (scripts/node-up.sh)" >&2; exit 1; }
node_import_image "$1"
echo "$1"
