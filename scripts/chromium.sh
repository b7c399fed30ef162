#!/usr/bin/env bash
# Provides Debian's Chromium (and a font for its text) for the HTML report's screenshot test (needs root for apt once).
set -euo pipefail
if [[ ! -x /usr/bin/chromium ]] || ! fc-list 2>/dev/null | grep -qi dejavu; then
  [[ $EUID -eq 0 ]] || { echo "[chromium] /usr/bin/chromium or a font is missing; install Debian's chromium and fonts-dejavu-core (needs root)" >&2; exit 1; }
  echo "[chromium] installing Debian's chromium and fonts-dejavu-core" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
fi
/usr/bin/chromium --version 2>/dev/null | head -n 1 >&2
echo /usr/bin/chromium
