#!/usr/bin/env bash
# Builds the operator's image for the real node as an OCI image-layout tar, cached in
# $LEAKOPERATOR_CACHE/images (default ~/.cache/leakoperator) and rebuilt when the sources change. Prints the tar's
# path on the last line of stdout; the image is docker.io/library/leak-operator:dev (the chart's repository, tag dev).
#
# The Dockerfile's base images live in a registry these machines cannot reach, and no Docker engine runs here, so
# this assembles what the Dockerfile builds, step for step: the same `dotnet publish` (Release, no apphost) into
# /app, on a runtime layer like the chiseled ASP.NET image's (this machine's .NET runtime and ASP.NET Core shared
# frameworks, the shared libraries they load, the non-root user "app" 1654, no shell, no package manager). The
# image config (WORKDIR, USER, ENV, EXPOSE, ENTRYPOINT, CMD) is read from the Dockerfile's runtime stage itself;
# OperatorImageTests holds the built image to it.
set -euo pipefail

log() { printf '[operator-image] %s\n' "$*" >&2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}/images"
image=docker.io/library/leak-operator:dev
tar="$cache/leak-operator.tar"
mkdir -p "$cache"

inputs=$(cd "$repo" && git ls-files -co --exclude-standard src Dockerfile Directory.Build.props Directory.Packages.props global.json scripts/operator-image.sh scripts/lib/oci-image.py | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
if [[ -f "$tar" && "$(cat "$cache/leak-operator.inputs" 2>/dev/null)" == "$inputs" ]]; then
  echo "$tar"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "publishing the operator as the Dockerfile does"
dotnet publish "$repo/src/LeakOperator/LeakOperator.csproj" -c Release -o "$work/rootfs/app" /p:UseAppHost=false --nologo -v quiet >&2

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(basename "$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/* | sort -V | tail -n 1)")
root="$work/rootfs"
mkdir -p "$root/usr/share/dotnet/shared" "$root/usr/share/dotnet/host" "$root/usr/bin" "$root/etc" "$root/tmp" "$root/home/app" "$root/etc/ssl/certs"
cp -a "$dotnet_root/dotnet" "$root/usr/share/dotnet/"
cp -a "$dotnet_root/host/fxr" "$root/usr/share/dotnet/host/"
for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  mkdir -p "$root/usr/share/dotnet/shared/$framework"
  cp -a "$dotnet_root/shared/$framework/$runtime_version" "$root/usr/share/dotnet/shared/$framework/"
done
ln -s ../share/dotnet/dotnet "$root/usr/bin/dotnet"

# The shared libraries the runtime links, plus OpenSSL, which it loads by name (TLS to the API server).
libraries=$( (find "$root/usr/share/dotnet" -name '*.so' -print0 | xargs -0 ldd "$root/usr/share/dotnet/dotnet" 2>/dev/null
  ldd /usr/lib/x86_64-linux-gnu/libssl.so.3) | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u)
for library in $libraries /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3; do
  real=$(readlink -f "$library")
  mkdir -p "$root$(dirname "$library")"
  cp "$real" "$root$library"
done
mkdir -p "$root/lib64"
cp /lib64/ld-linux-x86-64.so.2 "$root/lib64/" 2>/dev/null || cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$root/lib64/ld-linux-x86-64.so.2"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
chown 1654:1654 "$root/home/app"

python3 "$repo/scripts/lib/oci-image.py" --name "$image" --rootfs "$root" --dockerfile "$repo/Dockerfile" --output "$tar.new" >&2
mv "$tar.new" "$tar"
echo "$inputs" > "$cache/leak-operator.inputs"
log "$image in $tar"
echo "$tar"
