# shellcheck shell=bash
# What the install tests of scripts/dist share, sourced after `set -uo pipefail`:
#
#   dist_checks_begin NAME   sets root, version, abi, password and a private work directory
#                            (removed on exit, with the emulator), and counts the checks
#   check DESCRIPTION COMMAND...   runs COMMAND, prints "ok - ..." or "FAIL - ..." and the
#                            end of its output
#   show                     prints the output of the check just passed, indented
#   clean COMMAND...         runs COMMAND as a new user on a new machine would: env -i,
#                            PATH=/usr/bin:/bin (no cargo or rustc), a fresh HOME, the shared
#                            cache directory, the password and the emulator's address
#   start_emulator PREFIX    starts PREFIX/bin/authtoken-emulator (the C tarball's) on loopback
#                            and checks that it answers
#   emulator_count KIND      the emulator's total of KIND (logins, logouts, requests) over all
#                            services and users
#   dist_checks_end          prints "N passed, M failed" and fails when one failed

# SC2034: the variables set here are read by the scripts that source this file.
# shellcheck disable=SC2034
dist_checks_begin() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
  abi=$(sed -n 's/^pub const AUTHTOKEN_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$root/src/ffi/strings.rs")
  password=${AUTHTOKEN_TEST_PASSWORD:-demo-password}
  work=$(mktemp -d "/tmp/authtoken-$1.XXXXXX")
  mkdir -p "$work/home"
  install -d -m 700 "$work/cache"
  emulator="(not started yet)"
  emulator_pid=
  passed=0
  failed=0
  last_ok=0
  trap dist_checks_cleanup EXIT
}

dist_checks_cleanup() {
  [ -z "$emulator_pid" ] || { kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; }
  rm -rf "$work"
}

check() {
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

show() { [ "$last_ok" = 1 ] && sed 's/^/    /' "$work/out"; }

clean() {
  env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 TMPDIR="$work" \
    AUTHTOKEN_EMULATOR="$emulator" AUTHTOKEN_PASSWORD="$password" AUTHTOKEN_CACHE_DIR="$work/cache" "$@"
}

start_emulator() {
  "$1/bin/authtoken-emulator" --bind 127.0.0.1:0 --password "$password" --addr-file "$work/addr" \
    >"$work/emulator.out" 2>"$work/emulator.log" &
  emulator_pid=$!
  for _ in $(seq 1 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
  emulator=$(cat "$work/addr" 2>/dev/null)
  check "the tarball's emulator serves on loopback ($emulator)" sh -c "curl -fsS '$emulator/_emulator/health'"
}

emulator_count() {
  curl -fsS "$emulator/_emulator/stats" |
    python3 -c "import json,sys; print(sum(n for per_user in json.load(sys.stdin)['$1'].values() for n in per_user.values()))"
}

dist_checks_end() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
