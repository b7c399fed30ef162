#!/usr/bin/env bash
# Publishes the operator as it ships, a NativeAOT executable (src/LeakOperator), into
# $LEAKOPERATOR_CACHE/operator/<inputs hash>/LeakOperator (default ~/.cache/leakoperator) and prints its path on the
# last line of stdout; published again only when the sources change. The integration and lab tests run this binary
# (scripts/run-tests.sh passes it as LEAKOPERATOR_BINARY), so what is tested is what users get.
# NativeAOT links with clang and lld and needs zlib's development files: installed from Debian when missing.
set -euo pipefail

log() { printf '[operator-binary] %s\n' "$*" >&2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/kubernetes-source.sh"
cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}/operator"

inputs=$(cd "$repo" && git ls-files -co --exclude-standard src Directory.Build.props Directory.Packages.props global.json .editorconfig scripts/operator-binary.sh | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
out="$cache/$inputs"
if [[ -x "$out/LeakOperator" ]]; then
  echo "$out/LeakOperator"
  exit 0
fi

apt_install clang lld zlib1g-dev
log "publishing the NativeAOT build (a few minutes on 2 cores)"
started=$SECONDS
rm -rf "$cache"
dotnet publish "$repo/src/LeakOperator/LeakOperator.csproj" -c Release -r linux-x64 --nologo -o "$out.new" >&2
mv "$out.new" "$out"
log "published in $((SECONDS - started)) s: $out/LeakOperator ($(du -m "$out/LeakOperator" | cut -f1) MB)"
echo "$out/LeakOperator"
