#!/usr/bin/env bash
# Builds the five Kubernetes binaries the tests run (kube-apiserver for the control plane; kube-controller-manager,
# kube-scheduler, kubelet and kube-proxy for the real node) and the pause binary of the node's sandbox image, all
# from Debian's kubernetes 1.20.2 source package in ONE `make` (they share most packages: about 18 minutes on 2
# cores, once), cached in $LEAKOPERATOR_CACHE/kubernetes/bin (default ~/.cache/leakoperator). Prints that folder on
# the last line of stdout. Progress goes to stderr.
set -euo pipefail

log() { printf '[kubernetes-binaries] %s\n' "$*" >&2; }

cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}"
bin="$cache/kubernetes/bin"
binaries=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
stamp="$bin/.built"
want="kubernetes 1.20.2: ${binaries[*]} pause"

if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  source "$(dirname "$0")/lib/kubernetes-source.sh"
  apt_install gcc libc6-dev
  work="$cache/kubernetes/build"
  kubernetes_source "$work"
  what=$(printf 'cmd/%s ' "${binaries[@]}")
  log "building ${binaries[*]} in one make (about 18 minutes on 2 cores, once)"
  started=$SECONDS
  (
    cd "$work/.go/src/k8s.io/kubernetes"
    export GOPATH="$work/.go" GO111MODULE=off GOCACHE="$work/.gocache"
    make WHAT="${what% }" >&2 &
    build=$!
    while kill -0 "$build" 2>/dev/null; do
      sleep 30
      log "still building… $(((SECONDS - started) / 60)) min"
    done
    wait "$build"
  )
  mkdir -p "$bin"
  for binary in "${binaries[@]}"; do
    built=$(find "$work/src/_output" -type f -name "$binary" -perm -u+x | head -n 1)
    [[ -n "$built" ]] || { log "the build produced no $binary"; exit 1; }
    cp "$built" "$bin/$binary"
  done
  # The sandbox ("pause") container's only process: a static binary that sleeps until signalled.
  gcc -Os -static -o "$bin/pause" "$work/src/build/pause/linux/pause.c"
  rm -rf "$work"
  echo "$want" > "$stamp"
  log "built in $(((SECONDS - started) / 60)) min, cached in $bin"
fi

echo "$bin"
