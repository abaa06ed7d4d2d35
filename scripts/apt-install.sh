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
# Several builds may install at once (parallel make, other checkouts): wait for dpkg's lock
# instead of failing on it.
lock_wait=(-o DPkg::Lock::Timeout=900)
if [ ! -e "$stamp" ]; then
  $SUDO apt-get "${lock_wait[@]}" update -qq
  touch "$stamp"
fi
echo "installing: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${lock_wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
