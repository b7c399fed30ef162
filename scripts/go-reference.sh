#!/usr/bin/env bash
# Builds the Go reference controller of the startup benchmark (benchmarks/go-reference/main.go) against client-go
# 1.20 as vendored in Debian's kubernetes source package, and caches it in $LEAKOPERATOR_CACHE (default
# ~/.cache/leakoperator), rebuilt when main.go changes. About a minute on 2 cores. Prints the binary's path on the
# last line of stdout. Progress goes to stderr.
set -euo pipefail

log() { printf '[go-reference] %s\n' "$*" >&2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/kubernetes-source.sh"

source_file="$repo/benchmarks/go-reference/main.go"
cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}/go-reference"
binary="$cache/startup-reference"
stamp="$cache/main.go.sha256"
want=$(sha256sum "$source_file" | cut -d' ' -f1)

if [[ ! -x "$binary" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  work="$cache/build"
  kubernetes_source "$work"
  package="$work/src/cmd/leakoperator-startup-reference"
  mkdir -p "$package"
  cp "$source_file" "$package/main.go"
  log "building the reference controller against the vendored client-go"
  (
    cd "$work/.go/src/k8s.io/kubernetes"
    GOPATH="$work/.go" GO111MODULE=off GOCACHE="$work/.gocache" go build -o "$binary" ./cmd/leakoperator-startup-reference
  )
  echo "$want" > "$stamp"
  rm -rf "$work"
fi

echo "$binary"
