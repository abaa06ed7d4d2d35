#!/usr/bin/env bash
# The leak check: for each binding (Rust, C, Python, PHP, Ruby), a program makes 100,000 warm
# Authorization-header calls and 10,000 signed GETs against the emulator, and reports its
# resident memory (VmRSS) after a warm-up (10,000 headers, 1,000 requests: caches, connection
# pools and allocator arenas are in place), after the headers, and after the requests. This
# script holds the growth to bounds and prints the figures as a table:
#
#   headers:  growth <= LEAK_HEADER_BOUND_KIB  (default 2048 KiB: under 21 bytes per call)
#   requests: growth <= LEAK_REQUEST_BOUND_KIB (default 4096 KiB: under 420 bytes per request)
#
# A leak of one header string per call (30+ bytes) or of one response per request (300+
# bytes: the echo body alone) exceeds them. Exact accounting of each allocation is valgrind's
# job, in make test-c (the C suite runs under valgrind --leak-check=full).
#
#   scripts/leak-check.sh [BINDING...]   (default: rust c python php ruby)
#   scripts/leak-check.sh --self-test    the C program built to leak each header string and
#                                        each response must fail the bounds
#
# Run under scripts/with-emulator.sh (AUTHTOKEN_EMULATOR). Needs the debug library, Python's
# virtual environment with the wheel (make build-python), php-cli, ruby with ruby-ffi, cc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
: "${AUTHTOKEN_EMULATOR:?run under scripts/with-emulator.sh}"
header_bound=${LEAK_HEADER_BOUND_KIB:-2048}
request_bound=${LEAK_REQUEST_BOUND_KIB:-4096}
self_test=
if [ "${1:-}" = --self-test ]; then
  self_test=-DLEAK_SELF_TEST
  set -- c
fi
bindings=("$@")
[ ${#bindings[@]} -gt 0 ] || bindings=(rust c python php ruby)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AUTHTOKEN_LIB=$target/debug/libauthtoken.so AUTHTOKEN_CACHE_DIR=$work/cache

failed=()
rows=()
for b in "${bindings[@]}"; do
  echo "== leaks $b"
  case $b in
    rust)
      (cd "$root" && cargo build -q --example hardening_leaks)
      cmd=("$target/debug/examples/hardening_leaks") ;;
    c)
      "$root/scripts/link-dir.sh" "$target/debug/libauthtoken.so" "$work/lib"
      # shellcheck disable=SC2086 # CC may hold flags; $self_test is one flag or none
      ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror $self_test -I"$root/include" -o "$work/leaks" "$root/tests/hardening/leaks.c" \
        -L"$work/lib" -Wl,-rpath,"$work/lib" -lauthtoken
      cmd=("$work/leaks") ;;
    python) cmd=("$root/bindings/python/.venv/bin/python" "$root/tests/hardening/leaks.py") ;;
    php) cmd=(php "$root/tests/hardening/leaks.php") ;;
    ruby) cmd=(ruby -I "$root/bindings/ruby/lib" "$root/tests/hardening/leaks.rb") ;;
    *) echo "unknown binding $b" >&2; exit 2 ;;
  esac
  if ! out=$("${cmd[@]}" 2>&1); then
    echo "$out" | tail -n 20
    failed+=("$b: the program failed")
    continue
  fi
  result=$(grep '^RESULT ' <<<"$out" | tail -n1)
  read -r _ _ warm after_h after_r header_s request_s <<<"$result"
  dh=$((after_h - warm))
  dr=$((after_r - after_h))
  verdict=ok
  if [ "$dh" -gt "$header_bound" ]; then verdict=FAIL; failed+=("$b: +$dh KiB over 100000 header calls (bound $header_bound)"); fi
  if [ "$dr" -gt "$request_bound" ]; then verdict=FAIL; failed+=("$b: +$dr KiB over 10000 requests (bound $request_bound)"); fi
  rows+=("$(printf '| %-7s | %9d KiB | %+9d KiB in %6.2f s  | %+9d KiB in %6.2f s  | %-4s |' "$b" "$warm" "$dh" "$header_s" "$dr" "$request_s" "$verdict")")
done
echo "== leak check: VmRSS after the warm-up, then its growth (bounds: headers +$header_bound KiB, requests +$request_bound KiB)"
printf '| %-7s | %-13s | %-26s | %-26s | %-4s |\n' binding "warm RSS" "100,000 header calls" "10,000 signed GETs" ""
echo "|---------|---------------|----------------------------|----------------------------|------|"
printf '%s\n' "${rows[@]}"
if [ -n "$self_test" ]; then
  if [ ${#failed[@]} -eq 2 ]; then
    echo "leak check self-test: passed (a leaked header per call and a leaked response per request both exceed the bounds)"
    exit 0
  fi
  echo "leak check self-test: FAILED: the planted leaks gave ${#failed[@]} of 2 findings: ${failed[*]:-none}" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf 'leak check: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "leak check: passed (${bindings[*]})"
