#!/usr/bin/env bash
# Fails when the committed headers in include/ are not what build.rs generates from src/ffi,
# i.e. when someone changed src/ffi (or cbindgen.toml) and did not commit the regenerated
# headers. Then proves, on a scratch copy, that the check does catch such a change.
#
# Usage: tests/c/check-header.sh   (from any directory; needs cargo, git and python3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo=${CARGO:-cargo}

# 1. Build (build.rs rewrites include/*.h when they differ from the generated text), and find
#    the build script that did it.
build_script=$("$cargo" build -p authtoken --lib --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m["target"]["src_path"] == sys.argv[1] \
            and "custom-build" in m["target"]["kind"]:
        print(m["filenames"][0])
' "$root/build.rs")
if [ -z "$build_script" ] || [ ! -x "$build_script" ]; then
  echo "check-header: could not find the build script of authtoken" >&2
  exit 1
fi

# 2. The check itself: the generated headers must be the committed ones.
generated=(include/ bindings/php/include/authtoken_ffi.h)
if ! git diff --exit-code --stat -- "${generated[@]}" || [ -n "$(git status --porcelain -- "${generated[@]}")" ]; then
  echo "check-header: FAIL: include/ or the PHP package's copy differs from the committed headers: src/ffi or" >&2
  echo "cbindgen.toml changed without committing the regenerated include/authtoken.h, include/authtoken_ffi.h" >&2
  echo "and bindings/php/include/authtoken_ffi.h." >&2
  git --no-pager diff -- "${generated[@]}" | head -n 40 >&2
  exit 1
fi
echo "check-header: ok - include/authtoken.h and include/authtoken_ffi.h match src/ffi"

# 3. Self-test on a scratch copy: regenerating from unchanged sources gives the committed
#    headers byte for byte, and a one-line change to a doc comment in src/ffi changes them.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src" "$scratch/include" "$scratch/out"
cp -r src/ffi "$scratch/src/"
cp cbindgen.toml "$scratch/"
cp include/authtoken.h include/authtoken_ffi.h "$scratch/include/"
run_build_script() { CARGO_MANIFEST_DIR="$scratch" OUT_DIR="$scratch/out" "$build_script" >/dev/null; }
run_build_script
cmp -s "$scratch/include/authtoken.h" include/authtoken.h \
  || { echo "check-header: FAIL: regeneration is not reproducible" >&2; exit 1; }
sed -i 's|^/// Sends a signed request and reads the whole answer.|/// Sends a signed request (edited by the self-test).|' "$scratch/src/ffi/client.rs"
grep -q "edited by the self-test" "$scratch/src/ffi/client.rs" \
  || { echo "check-header: self-test could not edit its copy of src/ffi/client.rs" >&2; exit 1; }
run_build_script
if cmp -s "$scratch/include/authtoken.h" include/authtoken.h; then
  echo "check-header: FAIL: an edit to src/ffi did not change the generated header" >&2
  exit 1
fi
grep -q "edited by the self-test" "$scratch/include/authtoken_ffi.h" \
  || { echo "check-header: FAIL: the PHP header did not follow the edit" >&2; exit 1; }
echo "check-header: ok - self-test: an edit to src/ffi changes both generated headers, so the check above would fail"
