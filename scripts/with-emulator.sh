#!/usr/bin/env bash
# Runs a command with a fresh emulator on a free loopback port, then stops the emulator.
# The command sees AUTHTOKEN_EMULATOR (e.g. http://127.0.0.1:40123) and
# AUTHTOKEN_EMULATOR_BIN (the binary, to start private instances). The emulator's password is
# AUTHTOKEN_TEST_PASSWORD (default demo-password; the secrets audit sets a sentinel); with
# AUTHTOKEN_EMULATOR_TOKEN_LOG set, it appends every token it issues to that file; with
# AUTHTOKEN_EMULATOR_LOG set, its request log is appended to that file (else kept privately and
# shown only if it fails to start).
# Usage: scripts/with-emulator.sh COMMAND [ARG...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AUTHTOKEN_EMULATOR_BIN:-$root/target/debug/authtoken-emulator}
[ -x "$bin" ] || cargo build -q -p authtoken-emulator --manifest-path "$root/Cargo.toml"
workdir=$(mktemp -d)
addr_file="$workdir/addr"
log=${AUTHTOKEN_EMULATOR_LOG:-$workdir/emulator.log}
"$bin" --bind 127.0.0.1:0 --password "${AUTHTOKEN_TEST_PASSWORD:-demo-password}" --addr-file "$addr_file" >"$workdir/stdout" 2>>"$log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT
for _ in $(seq 1 200); do
  [ -s "$addr_file" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "emulator failed to start" >&2; exit 1; }
  sleep 0.05
done
[ -s "$addr_file" ] || { echo "emulator did not report its address" >&2; exit 1; }
export AUTHTOKEN_EMULATOR
AUTHTOKEN_EMULATOR=$(cat "$addr_file")
export AUTHTOKEN_EMULATOR_BIN="$bin"
"$@"
