#!/usr/bin/env bash
# Builds the C test programs against the library and runs them, in one of two modes:
#
#   tests/c/run.sh asan      AddressSanitizer + UndefinedBehaviorSanitizer (leak check on)
#   tests/c/run.sh valgrind  a plain -O0 build under valgrind --leak-check=full
#
# LIBDIR is the directory holding libauthtoken.so (a debug build: the panic tests use the
# debug-only test exports); AUTHTOKEN_EMULATOR must point at a running emulator
# (scripts/with-emulator.sh). Each program prints one line per check; the last line of this
# script is "N passed, M failed". Exits non-zero when a check, a sanitizer or valgrind fails.
set -euo pipefail
mode=${1:?usage: run.sh asan|valgrind [program...]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
libdir=${LIBDIR:?LIBDIR must name the directory holding libauthtoken.so}
out=$root/target/c-tests/$mode
mkdir -p "$out"
: "${AUTHTOKEN_EMULATOR:?run under scripts/with-emulator.sh}"

programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(test_api test_providers test_errors test_threads)

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)
CC=${CC:-cc}
common=(-std=gnu11 -g -Wall -Wextra -Werror -pthread -I"$root/include" -I"$root/tests/c"
        -DEXPECTED_VERSION="\"$version\"")
deps=$(pkg-config --cflags --libs json-c libcurl)
case $mode in
  asan)
    # shellcheck disable=SC2054 # the commas belong to the flag
    flags=(-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
    # detect_leaks: LeakSanitizer runs at exit; no suppressions are needed (the library frees
    # what it allocates for a client; its process-wide state is reachable from statics).
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
  valgrind)
    flags=(-O0)
    # shellcheck disable=SC2054 # the commas belong to the flags
    runner=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
            --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1
            --suppressions="$root/tests/c/valgrind.supp" --num-callers=40)
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac

passed=0
failed=0
status=0
for prog in "${programs[@]}"; do
  # shellcheck disable=SC2086 # $deps is a list of flags
  "$CC" "${common[@]}" "${flags[@]}" -o "$out/$prog" "$root/tests/c/$prog.c" \
    "$root/tests/c/harness.c" -L"$libdir" -Wl,-rpath,"$libdir" -lauthtoken $deps
  echo "== $mode: $prog"
  log="$out/$prog.log"
  set +e
  if [ "$mode" = valgrind ]; then
    "${runner[@]}" --log-file="$out/$prog.valgrind.log" "$out/$prog" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    # Valgrind's verdict, from its own log: errors, and bytes lost by kind.
    grep -E "ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:|suppressed:" \
      "$out/$prog.valgrind.log" | sed -E 's/^==[0-9]+== +/   valgrind: /'
    if [ "$rc" -ne 0 ]; then cat "$out/$prog.valgrind.log"; fi
  else
    "$out/$prog" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  fi
  set -e
  summary=$(grep -E "^$prog: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n1 || true)
  if [ -z "$summary" ]; then
    echo "$prog: no summary line (crashed?), exit status $rc"
    failed=$((failed + 1))
    status=1
    continue
  fi
  p=$(echo "$summary" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')
  f=$(echo "$summary" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then
    echo "$prog: exit status $rc ($mode reported errors or a check failed)"
    [ "$f" -gt 0 ] || failed=$((failed + 1))
    status=1
  fi
done
echo "$passed passed, $failed failed"
exit $status
