#!/usr/bin/env bash
# Installs Debian packages that are missing, running `apt-get update` once at most.
# Usage: scripts/apt-install.sh PACKAGE...
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
stamp=/tmp/.authtoken-apt-updated
if [ ! -e "$stamp" ]; then
  $SUDO apt-get update -qq
  touch "$stamp"
fi
echo "installing: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
