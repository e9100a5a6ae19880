#!/usr/bin/env bash
# Set up Powder Lineage on a Debian machine, then run the kiosk demo or the test suite.
#
#   bash deploy/setup.sh demo   # install what is missing, start the kiosk in demo mode
#   bash deploy/setup.sh test   # install what is missing, run the whole test suite
#
# Installs the Debian packages the project needs (only those missing; uses
# sudo when not root), makes a virtual environment in .venv and installs the
# package into it. Safe to run again: it skips what is already there.
set -euo pipefail

mode=${1:-demo}
shift || true
cd "$(dirname "$0")/.."

case "$mode" in
  demo|test|install) ;;
  *) echo "usage: bash deploy/setup.sh demo|test|install [extra arguments]" >&2; exit 2 ;;
esac

# libzbar0: pyzbar's decoder. The others: Qt's runtime libraries for the
# offscreen and xcb platforms, fonts for labels and the UI, and alsa-utils for the
# kiosk's scan sounds (aplay).
# poppler-utils (pdftoppm) and librsvg2-bin (rsvg-convert) rasterise PDF and
# SVG labels, so label tests decode what a printer would print.
packages=(python3 python3-venv libzbar0 libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
          libfontconfig1 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
          libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 fonts-dejavu-core alsa-utils
          poppler-utils librsvg2-bin)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Powder Lineage needs Python 3.11 or newer; $python is $("$python" --version 2>&1). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment .venv"
  "$python" -m venv .venv
fi
extras=kiosk,server
[ "$mode" = test ] && extras=test
stamp=".venv/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  echo "Installing powder-lineage[$extras] into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi

case "$mode" in
  demo) exec .venv/bin/lineage-kiosk --demo "$@" ;;
  test) export QT_QPA_PLATFORM=offscreen; exec .venv/bin/python -m pytest "$@" ;;
  install) echo "Installed. Start the kiosk with .venv/bin/lineage-kiosk, the server with .venv/bin/lineage-server." ;;
esac
