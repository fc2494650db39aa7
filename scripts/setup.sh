#!/usr/bin/env bash
# Set up everything Signature needs on a fresh machine (Debian/Ubuntu, Python 3.11):
# system packages, a virtual environment in .venv and the pinned Python packages.
# Usage: source scripts/setup.sh [app|test]   (test adds Chromium and the test tools)
set -euo pipefail
purpose=${1:-app}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

system_packages=(espeak-ng)
[ "$purpose" = test ] && system_packages+=(chromium fonts-noto-color-emoji)
missing=()
for package in "${system_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
[ -x .venv/bin/python ] || "$python" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate

requirements=(-r requirements.txt)
[ "$purpose" = test ] && requirements+=(-r requirements-dev.txt)
stamp=".venv/.installed-$purpose"
wanted=$(cat requirements*.txt constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing Python packages for $purpose (a few minutes the first time)…"
  pip install -q --disable-pip-version-check "${requirements[@]}" -c constraints.txt
  pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  echo "$wanted" > "$stamp"
fi
