# Sourced by scripts that build from Debian's kubernetes 1.20 source package (kube-apiserver for the tests, the Go
# reference controller for the startup benchmark). Expects log() from the caller; defines apt_install() for it.

# kubernetes_source DIR: DIR/src becomes the kubernetes source tree, buildable in GOPATH mode under DIR/.go
# (import path k8s.io/kubernetes) with Go 1.19.
kubernetes_source() {
  local work=$1
  # deb-src entries mirroring the binary ones, so apt can fetch the kubernetes source package.
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null; then
    [[ $EUID -eq 0 ]] || { log "need root to add deb-src entries"; exit 1; }
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/debian-src.sources
    apt_updated=""
  fi
  apt_install dpkg-dev golang-go rsync ca-certificates \
    golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev
  [[ -n "$apt_updated" ]] || { apt-get update -qq >&2; apt_updated=1; }

  rm -rf "$work"
  mkdir -p "$work"
  log "fetching Debian's kubernetes source package"
  (cd "$work" && apt-get source --download-only kubernetes >&2)
  local dsc
  dsc=$(ls "$work"/kubernetes_*.dsc | head -n 1)
  dpkg-source --no-check -x "$dsc" "$work/src" >&2

  # Go 1.19 with the vendored reflect2/json-iterator of Kubernetes 1.20 crashes the server on the first custom
  # resource; Debian's newer copies of both work.
  local module
  for module in github.com/modern-go/reflect2 github.com/json-iterator/go; do
    rsync -a --delete "/usr/share/gocode/src/$module/" "$work/src/vendor/$module/"
  done

  mkdir -p "$work/.go/src/k8s.io"
  ln -sfn "$work/src" "$work/.go/src/k8s.io/kubernetes"
}

# apt_install PACKAGE...: installs what is missing (needs root then).
apt_updated=""
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || { log "need root to install: ${missing[*]}"; exit 1; }
  if [[ -z "$apt_updated" ]]; then apt-get update -qq >&2; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
