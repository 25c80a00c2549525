#!/usr/bin/env bash
# Installs the PyTorch peers of `npm run bench` (Debian's python3-torch, and python3-torchvision
# for the training-step peer's ResNet50) when they are missing.
# Bench only: CI does not run this. Needs root (or passwordless apt) on Debian/Ubuntu.
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c 'import torchvision' 2>/dev/null || missing+=(python3-torchvision)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "bench: the PyTorch peers need ${missing[*]} (apt-get install ${missing[*]} as root)" >&2
  exit 1
fi
echo "bench: installing ${missing[*]} for the PyTorch peers (once)" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
