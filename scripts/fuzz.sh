#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer) for a bounded time each, on the stable
# toolchain (`--sanitizer none`: coverage-guided, no AddressSanitizer, which needs nightly).
#
#   scripts/fuzz.sh SECONDS [TARGET...]     (default: every target)
#
# Each target starts from its committed seeds (fuzz/seeds/<target>) and the inputs of crashes
# found before (fuzz/regressions/<target>, replayed first), and grows fuzz/corpus/<target>
# (not committed). A crash stops that target, keeps the input under fuzz/artifacts/<target>/
# and makes the script fail; it prints how to reproduce it. Ends with one line per target:
# runs, executions per second, coverage, corpus size.
set -euo pipefail
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/fuzz
cd "$fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^authtoken-fuzz$')
fi
# The fuzz crate is not in the main workspace; it builds the versions the main lock pins.
cp "$root/Cargo.lock" "$fuzz/Cargo.lock"
build_log=$(mktemp)
if ! cargo fuzz build --sanitizer none >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  dirs=("corpus/$t" "seeds/$t")
  [ -d "regressions/$t" ] && dirs+=("regressions/$t")
  log=$(mktemp)
  echo "== fuzz $t: ${seconds}s"
  set +e
  # -rss_limit_mb: a run that grows past it is a finding; -timeout: one input may not take
  # more than 10 s (the C ABI target's requests fail at connect, in microseconds).
  cargo fuzz run --sanitizer none "$t" "${dirs[@]}" -- \
    -dict="$fuzz/authtoken.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
  corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
  if [ $rc -ne 0 ]; then
    grep -E "panicked|ERROR|Test unit written|Base64" -A2 "$log" | head -n 30
    failed+=("$t")
    summary+=("$(printf '%-16s FAILED (exit %s) after %s runs; see fuzz/artifacts/%s/' "$t" "$rc" "${runs:-?}" "$t")")
  else
    summary+=("$(printf '%-16s %10s runs  %7s exec/s  cov %5s  corpus %5s' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${corp:-?}")")
  fi
  rm -f "$log"
done
echo "== fuzz summary (${seconds}s per target, cargo-fuzz --sanitizer none)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}; reproduce with:" >&2
  for t in "${failed[@]}"; do
    for a in artifacts/"$t"/*; do
      [ -f "$a" ] && echo "  (cd fuzz && cargo fuzz run --sanitizer none $t $a)" >&2
    done
  done
  exit 1
fi
