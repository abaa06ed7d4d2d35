#!/usr/bin/env bash
# The secrets audit over the test suites themselves: runs every suite's own
# make target (test-rust test-c test-python test-php test-ruby test-cli, and test-redis) with the emulator's
# password set to a fresh sentinel (AUTHTOKEN_TEST_PASSWORD, read by scripts/with-emulator.sh,
# the emulator's Options::default() and every suite's helpers), every output captured, and
# the most verbose settings the suites take from the environment: Rust tests uncaptured
# (RUST_TEST_NOCAPTURE=1) with RUST_LOG=debug and backtraces; pytest -v -rA (the captured output
# and logs of passing tests too) at log level DEBUG; PHPUnit --debug. Every emulator appends the
# tokens it issues to a side file outside the captured output (AUTHTOKEN_EMULATOR_TOKEN_LOG),
# and the emulators started by with-emulator.sh log their requests into the captured output.
# The audit fails when
#
#   1. a suite fails;
#   2. the sentinel password, or any token an emulator issued, appears in any captured output
#      (the offending file and lines are printed with the secret masked);
#   3. the password is written in the suites' token cache directory;
#   4. no token was issued (the token log is not working, so 2 proves nothing).
#
#   scripts/secrets-audit-suites.sh [SUITE...]   suites: rust c python php ruby cli redis
#                                                 (default: all but redis)
#   AUDIT_KEEP=1 scripts/secrets-audit-suites.sh  keep the work directory (outputs, token log)
#
# The per-binding scenarios (scripts/secrets-audit.sh) also check cache modes and scan the disk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
make=${MAKE:-make}
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(rust c python php ruby cli)

work=$(mktemp -d /tmp/authtoken-audit-suites.XXXXXX)
cleanup() {
  if [ -n "${AUDIT_KEEP:-}" ]; then echo "audit-suites: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work"/{out,cache}
password="sentinel-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
tokens=$work/tokens
: >"$tokens"

export AUTHTOKEN_TEST_PASSWORD=$password
export AUTHTOKEN_EMULATOR_TOKEN_LOG=$tokens
export AUTHTOKEN_CACHE_DIR=$work/cache
# Verbosity the suites take from the environment.
export RUST_LOG=debug RUST_BACKTRACE=1 RUST_TEST_NOCAPTURE=1
export PYTEST_ADDOPTS="-v -rA --log-level=DEBUG"
export PHPUNIT_FLAGS="--debug"
unset AUTHTOKEN_PASSWORD AUTHTOKEN_USERNAME

mask() { # mask FILE: stdin with the password and every token replaced
  local line s
  while IFS= read -r line; do
    line=${line//"$password"/<PASSWORD>}
    while IFS= read -r s; do
      [ -n "$s" ] && line=${line//"$s"/<TOKEN>}
    done < <(grep -oFf "$tokens" <<<"$line" || true)
    printf '%s\n' "${line:0:400}"
  done
}

failures=()
for suite in "${suites[@]}"; do
  case $suite in
    rust | c | python | php | ruby | cli | redis) ;;
    *) echo "audit-suites: unknown suite $suite" >&2; exit 2 ;;
  esac
  log=$work/out/$suite.log
  echo "== test-$suite (output in $log)"
  start=$SECONDS
  set +e
  AUTHTOKEN_EMULATOR_LOG=$work/out/$suite.emulator.log \
    "$make" --no-print-directory -C "$root" "test-$suite" >"$log" 2>&1
  rc=$?
  set -e
  echo "   exit $rc, $((SECONDS - start)) s, $(wc -l <"$log") lines, $(grep -c . "$tokens" || true) tokens issued so far"
  if [ $rc -ne 0 ]; then
    tail -n 60 "$log" | mask
    failures+=("test-$suite failed (exit $rc)")
  fi
done

sort -u "$tokens" -o "$tokens"
ntokens=$(grep -c . "$tokens" || true)
[ "$ntokens" -gt 0 ] || failures+=("no token was recorded in the token log")
needles=$work/needles
{ printf '%s\n' "$password"; cat "$tokens"; } >"$needles"

echo "== scanning the output for the password and $ntokens tokens"
outputs=("$work"/out/*)
bytes=$(cat "${outputs[@]}" | wc -c)
for f in "${outputs[@]}"; do
  if hits=$(grep -nFf "$needles" "$f"); then
    failures+=("a secret in the output of $(basename "$f") ($(grep -c . <<<"$hits") lines), e.g.:")
    while IFS= read -r l; do failures+=("    $l"); done < <(head -n 5 <<<"$hits" | mask)
  fi
done
if hits=$(grep -rlF "$password" "$work/cache"); then
  while IFS= read -r f; do failures+=("the password is written in ${f#"$work"/}"); done <<<"$hits"
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "secrets audit of the suites: FAILED" >&2
  printf '  %s\n' "${failures[@]}" | mask >&2
  exit 1
fi
echo "secrets audit of the suites: passed (${suites[*]}): no password or token in ${#outputs[@]} files, $bytes bytes of output; $ntokens tokens issued"
