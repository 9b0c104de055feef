#!/usr/bin/env bash
# Sets up a fresh machine for tinyengine: the Arm toolchain and QEMU (Debian/Ubuntu, when
# run as root or with sudo), then a Python virtual environment in .venv with the generator
# and its test dependencies. Safe to run again: it only installs what is missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc make cmake ninja-build)
missing=()
command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v gcc >/dev/null || missing+=(gcc)
command -v cmake >/dev/null || missing+=(cmake)
command -v make >/dev/null || missing+=(make)
command -v ninja >/dev/null || missing+=(ninja-build)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null; then
    echo "bootstrap: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: please install: ${apt_packages[*]}" >&2
  fi
fi

python="${PYTHON:-python3}"
venv="$repo/.venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import tinyengine_gen, ai_edge_litert, pytest, platformio, mypy" 2>/dev/null; then
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e "$repo[test]"
fi
