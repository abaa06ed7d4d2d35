#!/usr/bin/env bash
# make test-dist-java: uses dist/authtoken-VERSION.jar the way a user would, in a clean
# environment (`env -i`, PATH=/usr/bin:/bin with no cargo or rustc, a fresh HOME): compiles
# tests/dist/Quickstart.java against the jar and Debian's jna.jar only, runs it against the
# emulator shipped in the C tarball (it prints one line), checks the library it loaded is the
# one inside the jar (the tarball's, extracted to a private temporary file), that the emulator
# saw one login, and that -Dauthtoken.lib=/nonexistent gives the documented error.
#
# Usage: scripts/dist/test-dist-java.sh DIST_DIR
# Prints one line per check and ends with "N passed, M failed".
# SC2317: check functions are called indirectly (through `check`).
# shellcheck disable=SC2317
set -uo pipefail
dist=$(cd "${1:?usage: test-dist-java.sh DIST_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
abi=$(sed -n 's/^pub const AUTHTOKEN_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$root/src/ffi/strings.rs")
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
password=${AUTHTOKEN_TEST_PASSWORD:-demo-password}
jna=${JNA_JAR:-/usr/share/java/jna.jar}
jar=$dist/authtoken-$version.jar
tarball=$dist/authtoken-$version-x86_64-linux-gnu.tar.gz
work=$(mktemp -d /tmp/authtoken-test-dist-java.XXXXXX)
emulator_pid=
cleanup() {
  [ -z "$emulator_pid" ] || { kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; }
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
last_ok=0
check() { # check DESCRIPTION COMMAND...: runs it, prints ok/FAIL (and its output on failure)
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok - $what"
    passed=$((passed + 1))
    last_ok=1
  else
    echo "FAIL - $what"
    last_ok=0
    sed 's/^/    /' "$work/out" | tail -n 25
    failed=$((failed + 1))
  fi
}
show() { [ "$last_ok" = 1 ] && sed 's/^/    /' "$work/out"; } # a passed check's output, indented

mkdir -p "$work/opt" "$work/home" "$work/jar" "$work/app"
install -d -m 700 "$work/cache"
tar -xzf "$tarball" -C "$work/opt"
prefix=$work/opt/$(basename "$tarball" .tar.gz)
(cd "$work/jar" && unzip -q "$jar")
emulator="(not started yet)"
clean() { # clean COMMAND...: runs it as a new user on a new machine would (plus the emulator)
  env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 TMPDIR="$work" \
    AUTHTOKEN_EMULATOR="$emulator" AUTHTOKEN_PASSWORD="$password" AUTHTOKEN_CACHE_DIR="$work/cache" "$@"
}

soname_of() { readelf -d "$1" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'; }
inside=$work/jar/authtoken/native/linux-x86_64/libauthtoken.so
check "the jar carries authtoken/native/linux-x86_64/libauthtoken.so, soname libauthtoken.so.$abi" \
  test "$(soname_of "$inside")" = "libauthtoken.so.$abi"
check "... the C tarball's library, byte for byte" cmp "$inside" "$prefix/lib/libauthtoken.so.$version"
check "the clean environment has no cargo or rustc" \
  clean sh -c '! command -v cargo && ! command -v rustc && ! command -v rustup'

"$prefix/bin/authtoken-emulator" --bind 127.0.0.1:0 --password "$password" --addr-file "$work/addr" \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
emulator=$(cat "$work/addr" 2>/dev/null)
check "the tarball's emulator serves on loopback ($emulator)" sh -c "curl -fsS '$emulator/_emulator/health'"
logins() {
  curl -fsS "$emulator/_emulator/stats" |
    python3 -c "import json,sys; print(sum(n for per_user in json.load(sys.stdin)['logins'].values() for n in per_user.values()))"
}

cp "$root/tests/dist/Quickstart.java" "$work/app/"
cp "$jar" "$jna" "$work/app/"
cp_app=authtoken-$version.jar:$(basename "$jna")
java_quickstart() {
  cd "$work/app" || return 1
  clean javac -Xlint:all -Werror -cp "$cp_app" Quickstart.java &&
    clean java -cp ".:$cp_app" Quickstart | tee "$work/java.out" &&
    grep -q "scheme Token, GET assets 200, authtoken $version, library /.*/authtoken-[^/]*/libauthtoken.so$" "$work/java.out"
}
check "Java: javac against authtoken-$version.jar + jna.jar only, the quickstart runs (the jar's own library)" \
  java_quickstart
show || true
extracted_removed() {
  local lib
  lib=$(sed -n 's/.*, library \(.*\)$/\1/p' "$work/java.out")
  echo "extracted to $lib"
  [ -n "$lib" ] && [ ! -e "$lib" ] && [ ! -e "$(dirname "$lib")" ]
}
check "Java: the library extracted from the jar is removed when the JVM exits" extracted_removed
show || true
check "the emulator counted exactly one login" test "$(logins)" = 1
bad_library() {
  local out
  cd "$work/app" || return 1
  out=$(clean java -Dauthtoken.lib=/nonexistent -cp ".:$cp_app" Quickstart 2>&1) && { echo "ran: $out"; return 1; }
  echo "$out" | head -n 3
  grep -q "authtoken.LibraryLoadError: authtoken: the system property authtoken.lib is /nonexistent, which is not a file. Point it at a libauthtoken.so.$abi" <<<"$out"
}
check "Java: -Dauthtoken.lib=/nonexistent gives the documented error" bad_library
show || true

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
