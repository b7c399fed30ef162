#!/usr/bin/env bash
# Provides the .NET diagnostics tools the diagnosis guide uses (and DiagnosisGuideTests runs): dotnet-counters,
# dotnet-trace and dotnet-dump, installed once into a cache outside the repo. Prints the directory holding them.
set -euo pipefail
version=10.0.750501
dir=${LEAKOPERATOR_DOTNET_TOOLS:-$HOME/.cache/leakoperator/dotnet-tools}
mkdir -p "$dir"
for tool in dotnet-counters dotnet-trace dotnet-dump; do
  if [[ ! -x "$dir/$tool" ]] || ! grep -qs "$version" "$dir/.$tool.version"; then
    echo "[dotnet-tools] installing $tool $version into $dir" >&2
    dotnet tool uninstall "$tool" --tool-path "$dir" > /dev/null 2>&1 || true
    dotnet tool install "$tool" --version "$version" --tool-path "$dir" > /dev/null
    echo "$version" > "$dir/.$tool.version"
  fi
done
echo "$dir"
