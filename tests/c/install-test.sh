#!/usr/bin/env bash
# `make install` into a temporary prefix, then what a user does: pkg-config, the README's
# compile line for bindings/c/example.c (shared, then static), and a run against the emulator.
# Prints one line per check and ends with "N passed, M failed".
# SC2317: the check functions are called through `check`; SC2016: the single-quoted compile
# lines are expanded by the inner shell on purpose, exactly as a user would type them.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${AUTHTOKEN_EMULATOR:?run under scripts/with-emulator.sh}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok - $what"
    passed=$((passed + 1))
  else
    echo "FAIL - $what"
    sed 's/^/    /' "$work/out" | tail -n 20
    failed=$((failed + 1))
  fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# A debug build is enough to test the layout; `make install` defaults to release.
check "make install PREFIX=<tmp> INSTALL_PROFILE=debug" \
  "${MAKE:-make}" -C "$root" --no-print-directory install PREFIX="$prefix" INSTALL_PROFILE=debug
for f in include/authtoken.h include/authtoken_ffi.h lib/libauthtoken.so lib/libauthtoken.a \
         lib/pkgconfig/authtoken.pc; do
  check "installed $f" test -s "$prefix/$f"
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
abi=$(sed -n 's/^pub const AUTHTOKEN_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$root/src/ffi/strings.rs")
check "installed lib/libauthtoken.so.$version, with libauthtoken.so.$abi and libauthtoken.so linking to it" \
  sh -c "test -f '$prefix/lib/libauthtoken.so.$version' &&
         test \"\$(readlink '$prefix/lib/libauthtoken.so.$abi')\" = libauthtoken.so.$version &&
         test \"\$(readlink '$prefix/lib/libauthtoken.so')\" = libauthtoken.so.$abi"
check "pkg-config --modversion authtoken is $version" \
  test "$(pkg-config --modversion authtoken)" = "$version"
check "pkg-config --cflags names the installed include dir" \
  test "$(pkg-config --cflags authtoken | xargs)" = "-I$prefix/include"
check "pkg-config --libs links -lauthtoken from the prefix" \
  test "$(pkg-config --libs authtoken | xargs)" = "-L$prefix/lib -lauthtoken"

cp "$root/bindings/c/example.c" "$work/"
cd "$work" || exit 1
# The README's example is bindings/c/example.c, byte for byte (docs/c.md until it is merged).
doc_example() {
  local doc
  doc=$(grep -l '<!-- c-example: bindings/c/example.c' "$root/README.md" "$root/docs/c.md" 2>/dev/null | head -n1)
  [ -n "$doc" ] || { echo "no document holds the c-example marker"; return 1; }
  echo "from $doc"
  awk '/<!-- c-example: bindings\/c\/example.c/ {m = 1; next}
       m && /^```c$/ {p = 1; next}
       p && /^```$/ {exit}
       p {print}' "$doc" >doc-example.c
  diff -u example.c doc-example.c
}
check "the documented C example is bindings/c/example.c" doc_example
# The compile line of docs/c.md, as shown there.
check "cc example.c \$(pkg-config --cflags --libs authtoken) -o example" \
  sh -c 'cc example.c $(pkg-config --cflags --libs authtoken) -o example'
run_example() { # run_example BINARY [LD_LIBRARY_PATH]: runs it against the emulator
  local out
  out=$(LD_LIBRARY_PATH=${2:-} AUTHTOKEN_PASSWORD=${AUTHTOKEN_TEST_PASSWORD:-demo-password} AUTHTOKEN_CACHE_DIR="$work/cache" \
        "$1" "$AUTHTOKEN_EMULATOR/tpstreams" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  grep -q '^Authorization: Token [0-9a-f]\{6\}\.\.\.$' <<<"$out" &&
    grep -q '^GET assets: HTTP 200' <<<"$out" &&
    grep -q '^POST video: HTTP 201$' <<<"$out" &&
    grep -q '^logged out$' <<<"$out"
}
without_password() { # the example reports a config error (no crash) when no password is given
  local out
  if out=$(env -u AUTHTOKEN_PASSWORD LD_LIBRARY_PATH="$prefix/lib" ./example \
           "$AUTHTOKEN_EMULATOR/tpstreams" 2>&1); then
    echo "unexpected success: $out"
    return 1
  fi
  echo "$out"
  grep -q 'invalid_config' <<<"$out"
}
check "the example logs in, GETs, POSTs and logs out (shared library)" run_example ./example "$prefix/lib"
sed 's/^/    /' "$work/out"
check "without a password the example reports invalid_config" without_password
sed 's/^/    /' "$work/out"
check "static link with Libs.private" \
  sh -c 'cc example.c $(pkg-config --cflags authtoken) -L'"$prefix"'/lib -Wl,-Bstatic -lauthtoken -Wl,-Bdynamic $(pkg-config --static --libs-only-l authtoken | sed "s/-lauthtoken//") -o example-static'
check "the static example does not need libauthtoken.so" \
  sh -c '! ldd ./example-static | grep -q libauthtoken'
check "the example logs in, GETs, POSTs and logs out (static)" run_example ./example-static
finish
