#!/usr/bin/env bash
# The whole C suite, run by `make test-c` under scripts/with-emulator.sh: every test program
# under AddressSanitizer + UndefinedBehaviorSanitizer, again under valgrind, then the install
# test (make install to a temporary prefix, pkg-config, the example compiled as documented).
# The last line is "N passed, M failed"; the exit status is non-zero on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
status=0
for step in "run.sh asan" "run.sh valgrind" "install-test.sh"; do
  log=$(mktemp)
  # shellcheck disable=SC2086 # $step is a script and its argument
  "$here"/$step 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
  rm -f "$log"
  if [ -z "$summary" ]; then
    echo "suite: $step printed no summary (exit status $rc)"
    failed=$((failed + 1))
    status=1
    continue
  fi
  read -r p _ f _ <<<"$summary"
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then
    status=1
    [ "$f" -gt 0 ] || failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
exit $status
