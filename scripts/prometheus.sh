#!/usr/bin/env bash
# Provides a real Prometheus for the dashboard test: Debian's prometheus package (needs root for apt once).
set -euo pipefail
if [[ ! -x /usr/bin/prometheus ]]; then
  [[ $EUID -eq 0 ]] || { echo "[prometheus] /usr/bin/prometheus is missing; install Debian's prometheus package (needs root)" >&2; exit 1; }
  echo "[prometheus] installing Debian's prometheus package" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2
fi
/usr/bin/prometheus --version 2>&1 | head -n 1 >&2
echo /usr/bin/prometheus
