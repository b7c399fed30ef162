#!/usr/bin/env bash
# Builds the operator's image from the real Dockerfile with buildah (Debian's), as an OCI archive cached in
# $LEAKOPERATOR_CACHE/images (default ~/.cache/leakoperator) and rebuilt when the sources change. Prints the archive's
# path on the last line of stdout; the image is docker.io/library/leak-operator:dev (the chart's repository, tag dev).
#
# No Docker engine runs here, and the Dockerfile's base images live in a registry these machines cannot reach, so the
# two bases are assembled from this machine's own .NET and Debian packages once and passed as build args (the
# Dockerfile's ARGs before FROM); the Dockerfile's own steps (COPY, the restore and NativeAOT publish, WORKDIR, USER,
# ENV, ENTRYPOINT) are what run:
#   - runtime: like mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled: the loader and the shared libraries a
#     native .NET executable loads (libc, libstdc++, libgcc_s, zlib, OpenSSL), CA certificates, the non-root user "app"
#     (1654); no .NET runtime, no shell, no package manager;
#   - SDK: like mcr.microsoft.com/dotnet/sdk:10.0-noble-aot: the whole .NET SDK, the files of Debian's clang, lld,
#     binutils and zlib1g-dev with everything they depend on (what NativeAOT compiles and links with), and a static
#     busybox for RUN's /bin/sh.
set -euo pipefail

log() { printf '[operator-image] %s\n' "$*" >&2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/kubernetes-source.sh"
cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}/images"
image=docker.io/library/leak-operator:dev
tar="$cache/leak-operator.tar"
mkdir -p "$cache"

inputs=$(cd "$repo" && git ls-files -co --exclude-standard src Dockerfile .dockerignore Directory.Build.props Directory.Packages.props global.json scripts/operator-image.sh | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
if [[ -f "$tar" && "$(cat "$cache/leak-operator.inputs" 2>/dev/null)" == "$inputs" ]]; then
  echo "$tar"
  exit 0
fi

apt_install buildah busybox-static python3 clang lld binutils zlib1g-dev
# vfs: no overlay mounts needed; chroot isolation: RUN steps need no nested runtime. Storage stays in the cache.
storage=(--storage-driver vfs --root "$cache/buildah/storage" --runroot "$cache/buildah/run")
bah() { buildah "${storage[@]}" "$@"; }

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(basename "$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/* | sort -V | tail -n 1)")
runtime_base="localhost/leakoperator/runtime-deps:$runtime_version-chiseled"
sdk_base="localhost/leakoperator/sdk:$runtime_version-aot"

# base_rootfs DIR: what both bases share: the loader, the libraries a native .NET executable links or loads by name
# (OpenSSL for TLS), CA certificates, root and the non-root user app (1654), a world-writable /tmp.
base_rootfs() {
  local root=$1 library
  mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/app" "$root/lib64"
  for library in /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/libgcc_s.so.1 \
    /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib/x86_64-linux-gnu/libz.so.1 \
    /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3; do
    mkdir -p "$root$(dirname "$library")"
    cp --remove-destination "$(readlink -f "$library")" "$root$library"
  done
  cp --remove-destination "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$root/lib64/ld-linux-x86-64.so.2"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
  chmod 1777 "$root/tmp"
  chown 1654:1654 "$root/home/app"
}

# toolchain_rootfs DIR: every file of Debian's clang, lld, binutils and zlib1g-dev and of all they depend on, as
# installed here (documentation left out), laid into DIR: what `dotnet publish -p:PublishAot=true` runs and links.
toolchain_rootfs() {
  local root=$1 package packages=() dir path
  for package in $(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances clang lld binutils zlib1g-dev 2>/dev/null | grep -v '^ ' | grep -v '<' | sort -u); do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" && packages+=("$package")
  done
  # Debian's merged /usr, as in the SDK image: /bin, /sbin, /lib and /lib64 are links into /usr, and a file dpkg lists
  # under one of them is laid under /usr.
  mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64"
  for dir in bin sbin lib lib64; do ln -sfn "usr/$dir" "$root/$dir"; done
  dpkg -L "${packages[@]}" | grep -v -E '^/usr/share/(doc|man|info|locale|lintian)/' | sort -u \
    | while read -r path; do if [[ -L "$path" || -f "$path" ]]; then printf '%s\n' "${path#/}"; fi; done \
    | tar -C / -cf - --no-recursion -T - --transform='s,^\(bin\|sbin\|lib\|lib64\)/,usr/\1/,S' | tar -C "$root" -xf -
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! bah inspect --type image "$runtime_base" >/dev/null 2>&1; then
  log "assembling the runtime base $runtime_base"
  base_rootfs "$work/runtime"
  c=$(bah from scratch)
  bah copy "$c" "$work/runtime" / >/dev/null
  # The chiseled image's own config: its user and the variables it sets.
  bah config --user 1654:1654 --env APP_UID=1654 --env DOTNET_RUNNING_IN_CONTAINER=true \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  bah commit --rm "$c" "$runtime_base" >/dev/null
fi

if ! bah inspect --type image "$sdk_base" >/dev/null 2>&1; then
  log "assembling the SDK base $sdk_base (this machine's .NET SDK)"
  toolchain_rootfs "$work/sdk"
  base_rootfs "$work/sdk"
  mkdir -p "$work/sdk/usr/share/dotnet"
  cp -a "$dotnet_root/." "$work/sdk/usr/share/dotnet/"
  ln -sf ../share/dotnet/dotnet "$work/sdk/usr/bin/dotnet"
  mkdir -p "$work/sdk/bin" "$work/sdk/root"
  cp /bin/busybox "$work/sdk/bin/busybox"
  ln -sf busybox "$work/sdk/bin/sh"
  c=$(bah from scratch)
  bah copy "$c" "$work/sdk" / >/dev/null
  # As the SDK image: root, invariant globalization for the SDK itself (no ICU here), no first-run noise. Revocation
  # checks are offline as on this machine: the certificate revocation servers are out of reach.
  bah config --user 0:0 --env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 --env DOTNET_NOLOGO=1 --env DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    --env DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 --env NUGET_CERT_REVOCATION_MODE=offline --env HOME=/root \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  bah commit --rm "$c" "$sdk_base" >/dev/null
fi

log "building the Dockerfile (restore and publish inside the SDK base)"
started=$SECONDS
bah bud --isolation chroot --network host --layers=false \
  --build-arg SDK_IMAGE="$sdk_base" --build-arg RUNTIME_IMAGE="$runtime_base" \
  -t "$image" -f "$repo/Dockerfile" "$repo" >&2
bah push "$image" "oci-archive:$tar.new:$image" >&2
bah rmi "$image" >/dev/null 2>&1 || true
mv "$tar.new" "$tar"
echo "$inputs" > "$cache/leak-operator.inputs"
log "$image built in $((SECONDS - started)) s: $tar"
echo "$tar"
