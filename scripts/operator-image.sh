#!/usr/bin/env bash
# Builds the operator's image from the real Dockerfile with buildah (Debian's), as an OCI archive cached in
# $LEAKOPERATOR_CACHE/images (default ~/.cache/leakoperator) and rebuilt when the sources change. Prints the archive's
# path on the last line of stdout; the image is docker.io/library/leak-operator:dev (the chart's repository, tag dev).
#
# No Docker engine runs here, and the Dockerfile's base images live in a registry these machines cannot reach, so the
# two bases are assembled from this machine's own .NET once and passed as build args (the Dockerfile's ARGs before
# FROM); the Dockerfile's own steps (COPY, the restore and publish, WORKDIR, USER, ENV, ENTRYPOINT) are what run:
#   - runtime: like mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled: the .NET and ASP.NET Core shared frameworks,
#     the shared libraries they load, CA certificates, the non-root user "app" (1654); no shell, no package manager;
#   - SDK: the same plus the whole .NET SDK and a static busybox for RUN's /bin/sh.
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

apt_install buildah busybox-static python3
# vfs: no overlay mounts needed; chroot isolation: RUN steps need no nested runtime. Storage stays in the cache.
storage=(--storage-driver vfs --root "$cache/buildah/storage" --runroot "$cache/buildah/run")
bah() { buildah "${storage[@]}" "$@"; }

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(basename "$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/* | sort -V | tail -n 1)")
runtime_base="localhost/leakoperator/aspnet:$runtime_version-chiseled"
sdk_base="localhost/leakoperator/sdk:$runtime_version"

# base_rootfs DIR: what both bases share: the loader, the libraries .NET links or loads by name (OpenSSL for TLS),
# CA certificates, root and the non-root user app (1654), a world-writable /tmp.
base_rootfs() {
  local root=$1 library libraries
  mkdir -p "$root/usr/share/dotnet/host" "$root/usr/share/dotnet/shared" "$root/usr/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/app" "$root/lib64"
  cp -a "$dotnet_root/dotnet" "$root/usr/share/dotnet/"
  cp -a "$dotnet_root/host/fxr" "$root/usr/share/dotnet/host/"
  for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$root/usr/share/dotnet/shared/$framework"
    cp -a "$dotnet_root/shared/$framework/$runtime_version" "$root/usr/share/dotnet/shared/$framework/"
  done
  ln -sf ../share/dotnet/dotnet "$root/usr/bin/dotnet"
  libraries=$( (find "$dotnet_root" -name '*.so' -print0 | xargs -0 ldd "$dotnet_root/dotnet" 2>/dev/null
    ldd /usr/lib/x86_64-linux-gnu/libssl.so.3) | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u)
  for library in $libraries /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3; do
    mkdir -p "$root$(dirname "$library")"
    cp "$(readlink -f "$library")" "$root$library"
  done
  cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$root/lib64/ld-linux-x86-64.so.2"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
  chmod 1777 "$root/tmp"
  chown 1654:1654 "$root/home/app"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! bah inspect --type image "$runtime_base" >/dev/null 2>&1; then
  log "assembling the runtime base $runtime_base"
  base_rootfs "$work/runtime"
  c=$(bah from scratch)
  bah copy "$c" "$work/runtime" / >/dev/null
  # The chiseled image's own config: its user and the variables it sets.
  bah config --user 1654:1654 --env APP_UID=1654 --env ASPNETCORE_HTTP_PORTS=8080 --env DOTNET_RUNNING_IN_CONTAINER=true \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  bah commit --rm "$c" "$runtime_base" >/dev/null
fi

if ! bah inspect --type image "$sdk_base" >/dev/null 2>&1; then
  log "assembling the SDK base $sdk_base (this machine's .NET SDK)"
  base_rootfs "$work/sdk"
  cp -a "$dotnet_root/." "$work/sdk/usr/share/dotnet/"
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
