#!/usr/bin/env bash
# Provides etcd and kube-apiserver for the integration tests, like controller-runtime's setup-envtest, without
# Docker and without downloads from outside the package registries:
#   - KUBEBUILDER_ASSETS set (a folder with etcd and kube-apiserver): used as it is;
#   - otherwise etcd comes from Debian's etcd-server package and kube-apiserver is built once from Debian's
#     kubernetes source package (1.20.2) by scripts/kubernetes-binaries.sh, with the real node's binaries, cached
#     outside the repo in $LEAKOPERATOR_CACHE (default ~/.cache/leakoperator).
# Prints the assets folder on the last line of stdout. Progress goes to stderr.
set -euo pipefail

log() { printf '[envtest-assets] %s\n' "$*" >&2; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  for binary in etcd kube-apiserver; do
    [[ -x "$KUBEBUILDER_ASSETS/$binary" ]] || { log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no executable $binary"; exit 1; }
  done
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}"
assets="$cache/envtest/bin"
mkdir -p "$assets"

source "$(dirname "$0")/lib/kubernetes-source.sh"

if [[ ! -x "$assets/etcd" ]]; then
  apt_install etcd-server
  ln -sf /usr/bin/etcd "$assets/etcd"
fi

if [[ ! -x "$assets/kube-apiserver" ]]; then
  # Built with the node's binaries in one make (scripts/kubernetes-binaries.sh), and cached with them.
  kubernetes=$("$(dirname "$0")/kubernetes-binaries.sh" | tail -n 1)
  ln -sf "$kubernetes/kube-apiserver" "$assets/kube-apiserver"
fi

"$assets/kube-apiserver" --version >&2 || true
echo "$assets"
