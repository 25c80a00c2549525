#!/usr/bin/env bash
# Installs the PyTorch peer of `npm run bench` (Debian's python3-torch) when it is missing.
# Bench only: CI does not run this. Needs root (or passwordless apt) on Debian/Ubuntu.
set -euo pipefail
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "bench: PyTorch peer needs python3-torch (apt-get install python3-torch as root)" >&2
  exit 1
fi
echo "bench: installing python3-torch for the PyTorch peer (once)" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
