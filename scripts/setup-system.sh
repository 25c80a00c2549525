#!/usr/bin/env bash
# Installs the system packages the tests need on Debian 12, as root. Idempotent.
#  - chromium (Debian's) for browser end-to-end tests;
#  - python3-torch (Debian's) for the PyTorch twin: the safetensors round trip and the torchrun
#    test (test/safetensors-twin.test.ts, test/torchrun.test.ts; they fail in CI without it);
#  - Mesa 25's lavapipe Vulkan driver from bookworm-backports, unpacked into a private folder
#    (system Mesa is left alone) so that Dawn (npm `webgpu`) finds a WebGPU adapter without a GPU.
# The driver folder defaults to /opt/step-graph/lavapipe (override: STEP_LAVAPIPE_DIR).
set -euo pipefail

LVP_DIR="${STEP_LAVAPIPE_DIR:-/opt/step-graph/lavapipe}"
ICD_JSON="$LVP_DIR/lvp_icd.json"
log() { printf '[setup-system] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system.sh must run as root (it installs Debian packages)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

need_pkgs=()
for p in chromium mesa-vulkan-drivers libvulkan1 fonts-dejavu-core python3-torch; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing: ${need_pkgs[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
else
  log "chromium, the Vulkan loader and python3-torch are already installed"
fi

if [ -f "$ICD_JSON" ] && [ -f "$LVP_DIR/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ]; then
  log "lavapipe already unpacked in $LVP_DIR"
else
  log "fetching mesa-vulkan-drivers from bookworm-backports into $LVP_DIR"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # Reuse the mirror this machine is already configured with; only the suite differs.
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  if [ -z "$mirror" ]; then
    mirror="$(awk '$1=="deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
  fi
  [ -n "$mirror" ] || { echo "no Debian mirror found in /etc/apt sources" >&2; exit 1; }
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main" \
    >"$work/backports.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/backports.list" -o "Dir::Etc::SourceParts=-"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" update -qq
  (cd "$work/deb" && apt-get "${apt_opts[@]}" download -qq mesa-vulkan-drivers/bookworm-backports)
  deb="$(ls "$work"/deb/mesa-vulkan-drivers_*.deb)"
  rm -rf "$LVP_DIR"
  mkdir -p "$LVP_DIR"
  dpkg -x "$deb" "$LVP_DIR"
  src_json="$(ls "$LVP_DIR"/usr/share/vulkan/icd.d/lvp_icd*.json | head -n 1)"
  lib="$LVP_DIR/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
  [ -f "$lib" ] || { echo "libvulkan_lvp.so missing from $deb" >&2; exit 1; }
  sed -E "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$lib\"#" "$src_json" >"$ICD_JSON"
  basename "$deb" >"$LVP_DIR/VERSION"
  log "lavapipe ready: $(cat "$LVP_DIR/VERSION")"
fi
log "VK_ICD_FILENAMES=$ICD_JSON"
