#!/usr/bin/env bash
# make test-dist-csharp: takes AuthToken.VERSION.nupkg as a user would, in a clean environment
# (`env -i`, PATH=/usr/bin:/bin with no cargo or rustc, a fresh HOME): unzips it, checks its
# parts, compiles tests/dist/Quickstart.cs with mcs against the package's AuthToken.dll only,
# runs it with Mono against the emulator of the C tarball (bin/authtoken-emulator), and checks
# the documented error for AUTHTOKEN_LIB=/nonexistent.
#
# Usage: scripts/dist/test-dist-csharp.sh AuthToken.VERSION.nupkg C_TARBALL
# Prints one line per check and ends with "N passed, M failed".
# SC2317: check functions are called indirectly (through `check`).
# shellcheck disable=SC2317
set -uo pipefail
nupkg=$(realpath "${1:?usage: test-dist-csharp.sh NUPKG C_TARBALL}")
tarball=$(realpath "${2:?usage: test-dist-csharp.sh NUPKG C_TARBALL}")
root=$(cd "$(dirname "$0")/../.." && pwd)
password=${AUTHTOKEN_TEST_PASSWORD:-demo-password}
work=$(mktemp -d /tmp/authtoken-test-dist-csharp.XXXXXX)
emulator_pid=
cleanup() {
  [ -z "$emulator_pid" ] || { kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
last_ok=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok - $what"; passed=$((passed + 1)); last_ok=1
  else
    echo "FAIL - $what"; last_ok=0; sed 's/^/    /' "$work/out" | tail -n 25; failed=$((failed + 1))
  fi
}
show() { [ "$last_ok" = 1 ] && sed 's/^/    /' "$work/out"; }

mkdir -p "$work/home" "$work/pkg" "$work/app" "$work/opt"
install -d -m 700 "$work/cache"
emulator="(not started yet)"
clean() {
  env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 TMPDIR="$work" \
    AUTHTOKEN_EMULATOR="$emulator" AUTHTOKEN_PASSWORD="$password" AUTHTOKEN_CACHE_DIR="$work/cache" "$@"
}
check "the clean environment has no cargo or rustc" \
  clean sh -c '! command -v cargo && ! command -v rustc && ! command -v rustup'

(cd "$work/pkg" && unzip -q "$nupkg")
package_parts() {
  local f
  for f in AuthToken.nuspec '[Content_Types].xml' _rels/.rels lib/netstandard2.0/AuthToken.dll \
           lib/netstandard2.0/AuthToken.xml runtimes/linux-x64/native/libauthtoken.so README.md LICENSE-MIT LICENSE-APACHE; do
    [ -s "$work/pkg/$f" ] || { echo "missing: $f"; return 1; }
  done
  local version
  version=$(sed -n 's|.*<version>\(.*\)</version>.*|\1|p' "$work/pkg/AuthToken.nuspec")
  [ "$(basename "$nupkg")" = "AuthToken.$version.nupkg" ] || { echo "nuspec version $version"; return 1; }
  readelf -d "$work/pkg/runtimes/linux-x64/native/libauthtoken.so" | grep -q 'soname: \[libauthtoken.so.0\]'
}
check "the nupkg holds the nuspec, lib/netstandard2.0/AuthToken.dll, runtimes/linux-x64/native/libauthtoken.so, the OPC parts" package_parts

tar -xzf "$tarball" -C "$work/opt"
prefix=$work/opt/$(basename "$tarball" .tar.gz)
"$prefix/bin/authtoken-emulator" --bind 127.0.0.1:0 --password "$password" --addr-file "$work/addr" \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
emulator=$(cat "$work/addr" 2>/dev/null)
check "the tarball's emulator serves on loopback ($emulator)" sh -c "curl -fsS '$emulator/_emulator/health'"

cp "$root/tests/dist/Quickstart.cs" "$work/app/"
dll=$work/pkg/lib/netstandard2.0/AuthToken.dll
compile() {
  cd "$work/app" && clean mcs -warnaserror+ -warn:4 -nologo -r:"$dll" -out:Quickstart.exe Quickstart.cs
}
check "C#: mcs Quickstart.cs -r:lib/netstandard2.0/AuthToken.dll (the package's DLL only)" compile
quickstart() {
  cd "$work/app" && clean env MONO_PATH="$work/pkg/lib/netstandard2.0" mono Quickstart.exe | tee "$work/cs.out" &&
    grep -q "library $work/pkg/runtimes/linux-x64/native/libauthtoken.so" "$work/cs.out"
}
check "C#: mono Quickstart.exe against the unpacked package (its own library)" quickstart
show || true
logins() {
  curl -fsS "$emulator/_emulator/stats" |
    python3 -c "import json,sys; print(sum(n for per_user in json.load(sys.stdin)['logins'].values() for n in per_user.values()))"
}
check "the emulator counted exactly one login" test "$(logins)" = 1
bad_lib() {
  local out
  out=$(cd "$work/app" && clean env MONO_PATH="$work/pkg/lib/netstandard2.0" AUTHTOKEN_LIB=/nonexistent mono Quickstart.exe 2>&1) &&
    { echo "ran: $out"; return 1; }
  echo "$out"
  grep -qF "authtoken: AUTHTOKEN_LIB is /nonexistent, which is not a file. Point it at a libauthtoken.so.0" <<<"$out"
}
check "C#: AUTHTOKEN_LIB=/nonexistent fails with the documented message" bad_lib
show || true

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
