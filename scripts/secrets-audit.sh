#!/usr/bin/env bash
# The secrets audit: every binding (Rust, C, Python, PHP, Ruby, the CLI) runs its scenario
# (tests/hardening/audit.* and examples/hardening_audit.rs) against an emulator whose password
# is a fresh sentinel, with everything it prints captured: error messages, exceptions and their
# backtraces, repr/inspect/var_dump of objects, serializations, the library's debug logs (Rust,
# Python, CLI -vv), and the emulator's own log. The audit then fails when
#
#   1. the sentinel password, or any token the scenarios obtained (each writes them to a side
#      file, the only place they are printed), appears in any captured output;
#   2. a file or directory in the token caches is open to other users (entries must be 0600,
#      directories 0700);
#   3. the password appears in any file on disk: the scenarios' HOME, TMPDIR, XDG directories
#      and caches (all under one work directory), and any file under /tmp, /var/tmp and /dev/shm
#      changed during the run; or a token appears in a file other than a cache entry.
#
#   scripts/secrets-audit.sh [STEP...]     steps: rust c python php ruby cli (default: all)
#   scripts/secrets-audit.sh --self-test   checks that the audit catches planted leaks: a
#                                          password and a token printed, the password written
#                                          under TMPDIR, a token outside the cache, a 0644 entry
#
# Needs: the debug library and emulator, the CLI (target/debug), Python's virtual environment
# with the wheel installed (make build-python), php-cli, ruby with ruby-ffi, cc with libcurl and
# json-c (make deps-c). A step whose toolchain is missing fails; it is never skipped silently.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
if [ "${1:-}" = --self-test ]; then
  set +e
  out=$("$0" selftest 2>&1)
  rc=$?
  set -e
  missing=()
  for want in "a secret in the output of selftest.log" "the password is written in tmp/leak" \
              "a token is written in home/notes" "has mode 644, not 600"; do
    grep -qF "$want" <<<"$out" || missing+=("$want")
  done
  if [ $rc -eq 0 ] || [ ${#missing[@]} -gt 0 ]; then
    echo "$out" >&2
    echo "secrets audit self-test: FAILED: exit $rc; not reported: ${missing[*]}" >&2
    exit 1
  fi
  echo "secrets audit self-test: passed (the planted password, token, file and mode were all reported)"
  exit 0
fi
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(rust c python php ruby cli)

work=$(mktemp -d /tmp/authtoken-audit.XXXXXX)
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ -n "${AUDIT_KEEP:-}" ]; then echo "audit: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work"/{out,home,tmp,xdg-cache,xdg-config,cache,build}
touch "$work/start"
password="audit-S3ntinel-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
tokens=$work/tokens
: >"$tokens"

# The emulator, with the sentinel password, logging every request (never a password; at most
# the first 6 characters of a token) to a file the audit scans too.
"$target/debug/authtoken-emulator" --bind 127.0.0.1:0 --password "$password" \
  --addr-file "$work/addr" >"$work/out/emulator.stdout" 2>"$work/out/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 200); do
  [ -s "$work/addr" ] && break
  sleep 0.05
done
[ -s "$work/addr" ] || { cat "$work/out/emulator.log" >&2; echo "audit: the emulator did not start" >&2; exit 1; }

export AUTHTOKEN_EMULATOR
AUTHTOKEN_EMULATOR=$(cat "$work/addr")
export AUDIT_PASSWORD=$password AUDIT_TOKENS=$tokens
# Cargo and rustup keep their state under the real HOME; the scenarios get a HOME of their own.
real_home=$HOME
export HOME=$work/home TMPDIR=$work/tmp XDG_CACHE_HOME=$work/xdg-cache XDG_CONFIG_HOME=$work/xdg-config
export AUTHTOKEN_LIB=$target/debug/libauthtoken.so
unset AUTHTOKEN_PASSWORD AUTHTOKEN_USERNAME

failures=()
run_step() {
  local name=$1
  shift
  # The library creates the cache directory itself (0700).
  echo "== audit $name"
  set +e
  AUTHTOKEN_CACHE_DIR=$work/cache/$name "$@" >"$work/out/$name.log" 2>&1
  local rc=$?
  set -e
  local before
  before=$(wc -l <"$tokens")
  if [ $rc -ne 0 ] || ! grep -q '^audit: done' "$work/out/$name.log"; then
    tail -n 40 "$work/out/$name.log" | sed "s/$password/<PASSWORD>/g"
    failures+=("$name: the scenario failed (exit $rc)")
  fi
  echo "   $(wc -l <"$work/out/$name.log") lines of output, $(grep -c '^show:' "$work/out/$name.log" || true) shown values, $before tokens tracked so far"
}

for step in "${steps[@]}"; do
  case $step in
    rust)
      (cd "$root" && HOME=$real_home TMPDIR=/tmp cargo build -q --example hardening_audit)
      run_step rust "$target/debug/examples/hardening_audit"
      ;;
    c)
      read -r -a deps <<<"$(pkg-config --cflags --libs json-c libcurl)"
      "$root/scripts/link-dir.sh" "$target/debug/libauthtoken.so" "$work/lib"
      # shellcheck disable=SC2086 # CC may hold flags
      ${CC:-cc} -std=gnu11 -g -O1 -Wall -Wextra -Werror -pthread -I"$root/include" -I"$root/tests/c" \
        -o "$work/build/audit" "$root/tests/hardening/audit.c" "$root/tests/c/harness.c" \
        -L"$work/lib" -Wl,-rpath,"$work/lib" -lauthtoken "${deps[@]}"
      run_step c "$work/build/audit"
      ;;
    python)
      run_step python "$root/bindings/python/.venv/bin/python" "$root/tests/hardening/audit.py"
      ;;
    php)
      run_step php php "$root/tests/hardening/audit.php"
      ;;
    ruby)
      run_step ruby ruby -I "$root/bindings/ruby/lib" "$root/tests/hardening/audit.rb"
      ;;
    cli)
      AUTHTOKEN_BIN=$target/debug/authtoken run_step cli "$root/tests/hardening/audit-cli.sh"
      ;;
    selftest)
      # Planted leaks (--self-test): each must be reported.
      # shellcheck disable=SC2016 # expanded by the inner shell
      run_step selftest bash -c '
        mkdir -p -m 700 "$AUTHTOKEN_CACHE_DIR" && umask 022
        echo "tok-planted-0123456789abcdef" >>"$AUDIT_TOKENS"
        echo "{}" >"$AUTHTOKEN_CACHE_DIR/entry.json"
        echo "oops: $AUDIT_PASSWORD tok-planted-0123456789abcdef"
        echo "$AUDIT_PASSWORD" >"$TMPDIR/leak"
        echo "tok-planted-0123456789abcdef" >"$HOME/notes"
        echo "audit: done"'
      ;;
    *) echo "audit: unknown step $step" >&2; exit 2 ;;
  esac
done

# Every token the scenarios obtained (they are in no captured output by construction, except
# where a leak put them).
sort -u "$tokens" -o "$tokens"
ntokens=$(grep -c . "$tokens" || true)
[ "$ntokens" -ge "${#steps[@]}" ] || failures+=("only $ntokens tokens were recorded")
needles=$work/needles
{ printf '%s\n' "$password"; cat "$tokens"; } >"$needles"

echo "== scanning: output"
outputs=("$work"/out/*)
bytes=$(cat "${outputs[@]}" | wc -c)
for f in "${outputs[@]}"; do
  if hits=$(grep -nFf "$needles" "$f"); then
    failures+=("a secret in the output of $(basename "$f"):")
    while IFS= read -r line; do
      # Show where, with the secrets masked.
      masked=$line
      while IFS= read -r s; do masked=${masked//"$s"/<SECRET>}; done <"$needles"
      failures+=("    ${masked:0:300}")
    done <<<"$(head -n 5 <<<"$hits")"
  fi
done
echo "   ${#outputs[@]} files, $bytes bytes, for the password and $ntokens tokens"

echo "== scanning: cache modes"
entries=0
while IFS= read -r -d '' path; do
  mode=$(stat -c %a "$path")
  if [ -d "$path" ]; then
    [ "$mode" = 700 ] || failures+=("cache directory ${path#"$work"/} has mode $mode, not 700")
  else
    entries=$((entries + 1))
    [ "$mode" = 600 ] || failures+=("cache file ${path#"$work"/} has mode $mode, not 600")
  fi
done < <(find "$work"/cache/* -mindepth 1 -print0)
echo "   $entries files checked (0600), directories checked (0700)"

echo "== scanning: disk"
scanned=$(find "$work" -type f | wc -l)
if hits=$(grep -rlF "$password" "$work" --exclude=needles); then
  while IFS= read -r f; do failures+=("the password is written in ${f#"$work"/}"); done <<<"$hits"
fi
if hits=$(grep -rlFf "$tokens" "$work" --exclude=needles --exclude=tokens --exclude-dir=out); then
  while IFS= read -r f; do
    case $f in
      "$work"/cache/*/*.json) ;; # a cache entry: where tokens belong
      *) failures+=("a token is written in ${f#"$work"/}") ;;
    esac
  done <<<"$hits"
fi
shared=0
while IFS= read -r -d '' f; do
  shared=$((shared + 1))
  if grep -qsFf "$needles" "$f"; then failures+=("a secret is written in $f"); fi
done < <(find /tmp /var/tmp /dev/shm -xdev -type f -newer "$work/start" -size -64M \
           -not -path "$work/*" -readable -print0 2>/dev/null)
echo "   $scanned files under the work directory; $shared files changed meanwhile under /tmp, /var/tmp, /dev/shm"

if [ ${#failures[@]} -gt 0 ]; then
  echo "secrets audit: FAILED" >&2
  printf '  %s\n' "${failures[@]}" | sed "s/$password/<PASSWORD>/g" >&2
  exit 1
fi
echo "secrets audit: passed (${steps[*]}): no password or token in $bytes bytes of output, $entries cache files private, no secret elsewhere on disk"
