#!/usr/bin/env bash
# Makes DIR a directory that programs linked with `-L DIR -Wl,-rpath,DIR -lauthtoken` can use:
# DIR/libauthtoken.so links to LIBRARY, and DIR/<its soname> (libauthtoken.so.N, what such a
# program asks the dynamic linker for) links to that.
# Usage: scripts/link-dir.sh LIBRARY DIR
set -euo pipefail
library=$(realpath "${1:?usage: link-dir.sh LIBRARY DIR}")
dir=${2:?usage: link-dir.sh LIBRARY DIR}
soname=$(readelf -d "$library" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -n "$soname" ] || { echo "link-dir.sh: $library has no soname" >&2; exit 1; }
mkdir -p "$dir"
[ "$(realpath "$dir/libauthtoken.so" 2>/dev/null)" = "$library" ] || ln -sfn "$library" "$dir/libauthtoken.so"
ln -sfn libauthtoken.so "$dir/$soname"
