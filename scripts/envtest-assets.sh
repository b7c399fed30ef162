#!/usr/bin/env bash
# Provides etcd and kube-apiserver for the integration tests, like controller-runtime's setup-envtest, without
# Docker and without downloads from outside the package registries:
#   - KUBEBUILDER_ASSETS set (a folder with etcd and kube-apiserver): used as it is;
#   - otherwise etcd comes from Debian's etcd-server package and kube-apiserver is built once from Debian's
#     kubernetes source package (1.20.2), cached outside the repo in $LEAKOPERATOR_CACHE (default ~/.cache/leakoperator).
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

apt_updated=""
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || { log "need root to install: ${missing[*]}"; exit 1; }
  if [[ -z "$apt_updated" ]]; then apt-get update -qq >&2; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

if [[ ! -x "$assets/etcd" ]]; then
  apt_install etcd-server
  ln -sf /usr/bin/etcd "$assets/etcd"
fi

if [[ ! -x "$assets/kube-apiserver" ]]; then
  # deb-src entries mirroring the binary ones, so apt can fetch the kubernetes source package.
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null; then
    [[ $EUID -eq 0 ]] || { log "need root to add deb-src entries"; exit 1; }
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/debian-src.sources
    apt_updated=""
  fi
  apt_install dpkg-dev golang-go rsync ca-certificates \
    golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev
  [[ -n "$apt_updated" ]] || { apt-get update -qq >&2; apt_updated=1; }

  work="$cache/envtest/build"
  rm -rf "$work"
  mkdir -p "$work"
  cd "$work"
  log "fetching Debian's kubernetes source package"
  apt-get source --download-only kubernetes >&2
  dsc=$(ls kubernetes_*.dsc | head -n 1)
  dpkg-source --no-check -x "$dsc" src >&2

  # Go 1.19 with the vendored reflect2/json-iterator of Kubernetes 1.20 crashes the server on the first custom
  # resource; Debian's newer copies of both work.
  for module in github.com/modern-go/reflect2 github.com/json-iterator/go; do
    rsync -a --delete "/usr/share/gocode/src/$module/" "src/vendor/$module/"
  done

  mkdir -p .go/src/k8s.io
  ln -sfn "$work/src" .go/src/k8s.io/kubernetes
  log "building kube-apiserver (about 9 minutes on 2 cores, once)"
  (
    cd .go/src/k8s.io/kubernetes
    export GOPATH="$work/.go" GO111MODULE=off GOFLAGS=-mod=vendor GOCACHE="$work/.gocache"
    unset GOFLAGS
    make WHAT=cmd/kube-apiserver >&2 &
    build=$!
    while kill -0 "$build" 2>/dev/null; do sleep 30; log "still building… $(date +%T)"; done
    wait "$build"
  )
  built=$(find "$work/src/_output" -type f -name kube-apiserver -perm -u+x | head -n 1)
  [[ -n "$built" ]] || { log "the build produced no kube-apiserver"; exit 1; }
  cp "$built" "$assets/kube-apiserver"
  rm -rf "$work"
  log "kube-apiserver cached in $assets"
fi

"$assets/kube-apiserver" --version >&2 || true
echo "$assets"
