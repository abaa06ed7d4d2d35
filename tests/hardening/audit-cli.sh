#!/usr/bin/env bash
# The secrets audit's CLI scenario, run by scripts/secrets-audit.sh, which scans everything this
# script prints (and the disk): every command with -vv (the library's debug log on stderr),
# its errors and exit statuses, for logins, signed requests, re-logins, logouts and failures,
# with the file cache. Only `authtoken token` and `authtoken header` print a token (that is
# their job): their output goes to $AUDIT_TOKENS or into a variable, never to the log.
# Needs: AUTHTOKEN_EMULATOR (started with the password AUDIT_PASSWORD), AUDIT_TOKENS,
# AUTHTOKEN_BIN (the CLI binary).
set -uo pipefail
: "${AUTHTOKEN_EMULATOR:?}" "${AUDIT_PASSWORD:?}" "${AUDIT_TOKENS:?}" "${AUTHTOKEN_BIN:?}"
failed=0

# Runs the CLI with -vv; prints the command (the password masked: this script's own echo is
# not the CLI's output), the CLI's output and its exit status.
run() {
  local shown="$*"
  echo "show: \$ authtoken ${shown//"$AUDIT_PASSWORD"/<the password>}"
  "$AUTHTOKEN_BIN" -vv "$@" 2>&1
  local rc=$?
  echo "show: exit $rc"
  return $rc
}
# expect STATUS COMMAND...: the command must exit with STATUS.
expect() {
  local want=$1
  shift
  run "$@"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL: authtoken $* exited $rc, expected $want"
    failed=1
  fi
}
admin() {
  curl -fsS -X POST -H 'Content-Type: application/json' -d "$2" "$AUTHTOKEN_EMULATOR/_emulator/$1" >/dev/null
}
record() {
  "$AUTHTOKEN_BIN" token >>"$AUDIT_TOKENS" 2>/dev/null || { echo "FAIL: authtoken token"; failed=1; }
}

export AUTHTOKEN_PASSWORD=$AUDIT_PASSWORD
for provider in tpstreams tpstreams-legacy testpress cruxconnect; do
  echo "# $provider"
  export AUTHTOKEN_PROVIDER=$provider AUTHTOKEN_USERNAME=audit-cli AUTHTOKEN_BASE_URL=$AUTHTOKEN_EMULATOR/$provider
  if [ "$provider" = tpstreams ]; then export AUTHTOKEN_ORGANIZATION_ID=audit-cli; else unset AUTHTOKEN_ORGANIZATION_ID; fi
  expect 0 login
  record
  header=$("$AUTHTOKEN_BIN" header 2>/dev/null)
  [ -n "$header" ] || { echo "FAIL: authtoken header printed nothing"; failed=1; }
  # Not /api/echo/ nor /api/whoami/: their bodies repeat the Authorization header, by design.
  expect 0 request GET '/api/big/?bytes=16' --include
  admin revoke "{\"service\": \"$provider\", \"username\": \"audit-cli\"}"
  expect 0 request GET '/api/big/?bytes=16'
  record
  admin faults "{\"service\": \"$provider\", \"path\": \"/api/big/\", \"kind\": \"status\", \"status\": 401, \"count\": 2}"
  expect 14 request GET '/api/big/?bytes=16'
  record
  expect 24 request GET '/api/big/?bytes=16' -H 'Authorization: Token stolen'
  expect 0 status
  expect 0 status --json
  if [ "$provider" = tpstreams ] || [ "$provider" = testpress ]; then
    admin faults "{\"service\": \"$provider\", \"path\": \"logout\", \"kind\": \"status\", \"status\": 500}"
    expect 20 logout
  fi
  expect 0 logout
done

echo "# failures at login"
export AUTHTOKEN_PROVIDER=cruxconnect AUTHTOKEN_BASE_URL=$AUTHTOKEN_EMULATOR/cruxconnect
AUTHTOKEN_PASSWORD="$AUDIT_PASSWORD-wrong" AUTHTOKEN_USERNAME=audit-cli-wrong expect 12 login
for fault in '"kind": "malformed"' '"kind": "drop"' '"kind": "status", "status": 503, "retry_after": 1' \
             '"kind": "oversized", "bytes": 2097152' '"kind": "delay", "delay_ms": 1500'; do
  admin faults "{\"service\": \"cruxconnect\", \"path\": \"login\", $fault}"
  echo "show: fault $fault"
  if AUTHTOKEN_USERNAME=audit-cli-fault run --set timeout_ms=300 login; then
    echo "FAIL: a login with fault $fault succeeded"
    failed=1
  fi
done

echo "# passwords given the wrong way"
# On the command line (refused, exit 2), with the value that must not be echoed.
AUTHTOKEN_USERNAME=audit-cli-argv expect 2 --password "$AUDIT_PASSWORD" header
AUTHTOKEN_USERNAME=audit-cli-argv expect 2 --set "password=$AUDIT_PASSWORD" header
# In a config file (refused); the file is removed right after, so the disk scan that follows
# looks for copies the CLI made, not this one.
config=$(mktemp)
printf '[profiles.audit]\nprovider = "cruxconnect"\nusername = "audit-cli-file"\npassword = "%s"\n' "$AUDIT_PASSWORD" >"$config"
AUTHTOKEN_PROVIDER='' AUTHTOKEN_USERNAME='' expect 11 --config "$config" --profile audit header
rm -f "$config"
# On stdin (accepted), with a wrong password first.
echo "show: \$ authtoken --password-stdin -vv login (wrong password)"
printf '%s-wrong\n' "$AUDIT_PASSWORD" | AUTHTOKEN_PASSWORD='' AUTHTOKEN_USERNAME=audit-cli-stdin "$AUTHTOKEN_BIN" --password-stdin -vv login 2>&1
echo "show: exit $?"
printf '%s\n' "$AUDIT_PASSWORD" | AUTHTOKEN_PASSWORD='' AUTHTOKEN_USERNAME=audit-cli-stdin "$AUTHTOKEN_BIN" --password-stdin -vv login 2>&1 \
  || { echo "FAIL: --password-stdin login"; failed=1; }
AUTHTOKEN_PASSWORD='' AUTHTOKEN_USERNAME=audit-cli-stdin record
echo "# a Redis URL with a password"
AUTHTOKEN_USERNAME=audit-cli-redis expect 22 --cache "redis://:$AUDIT_PASSWORD@127.0.0.1:1/0" --set connect_timeout_ms=300 login
[ $failed -eq 0 ] && echo "audit: done"
exit $failed
