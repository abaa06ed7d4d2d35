#!/usr/bin/env bash
# What a shell script pays per `authtoken header`: from the cache, and with a login (each run
# a new identity and `--cache memory`), side by side, against the local emulator.
#   cargo build --release -p authtoken-cli && scripts/with-emulator.sh cli/bench.sh [RUNS]
set -euo pipefail
: "${AUTHTOKEN_EMULATOR:?run this through scripts/with-emulator.sh}"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${AUTHTOKEN_CLI:-$root/target/release/authtoken}
[ -x "$bin" ] || { echo "build it first: cargo build --release -p authtoken-cli" >&2; exit 1; }
runs=${1:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for var in $(compgen -e | grep '^AUTHTOKEN_' | grep -v '^AUTHTOKEN_EMULATOR'); do unset "$var"; done
export XDG_CONFIG_HOME="$work/config" AUTHTOKEN_CACHE_DIR="$work/cache" AUTHTOKEN_PASSWORD=demo-password
export AUTHTOKEN_PROVIDER=tpstreams AUTHTOKEN_BASE_URL="$AUTHTOKEN_EMULATOR/tpstreams"
export AUTHTOKEN_USERNAME=bench@example.com AUTHTOKEN_ORGANIZATION_ID=bench

per_run_us() { # COMMAND... : mean wall time per run, in microseconds
  local start end
  start=$(date +%s%N)
  for i in $(seq "$runs"); do "$@" "$i" >/dev/null; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000 ))
}
cached() { "$bin" header; }
login() { "$bin" --cache memory -u "bench-$1@example.com" --org "bench-$1" header; }
with_curl() { curl -fsS -o /dev/null -H "Authorization: $("$bin" header)" "$AUTHTOKEN_BASE_URL/api/echo/"; }

"$bin" header >/dev/null # the one login of the cached identity
c=$(per_run_us cached)
l=$(per_run_us login)
u=$(per_run_us with_curl)
logins=$(curl -fsS "$AUTHTOKEN_EMULATOR/_emulator/stats" | jq '.logins.tpstreams["bench@example.com"]')
printf '%s runs, one process each, wall time per run:\n' "$runs"
printf '  authtoken header, token from the cache   %6d us\n' "$c"
printf '  authtoken header, with a login           %6d us   (%s x the cached run; a loopback emulator, no password hashing)\n' \
  "$l" "$(awk -v a="$l" -v b="$c" 'BEGIN { printf "%.1f", a / b }')"
printf '  curl -H "Authorization: $(authtoken header)"  %6d us\n' "$u"
printf '  logins the emulator counted for the cached identity: %s\n' "$logins"
