#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and fuzzes each for SECONDS (default 30), starting from the
# seeds in Fuzz/Corpus/TARGET; the inputs saved in Fuzz/Crashes/TARGET are replayed first.
#   tools/fuzz.sh [SECONDS] [TARGET…]      targets: wfdb numpy safetensors config rules (default all)
# Prints one line per target (inputs executed, crashes, hangs, out-of-memory, libFuzzer's cov/ft)
# and exits nonzero if any target crashed, hung or ran out of memory. New findings are saved to
# Fuzz/Crashes/TARGET/{crash,timeout,oom}-SHA1. The growing corpus is kept in .build-fuzz/corpus.
# Environment: FUZZ_FORK=1 (libFuzzer's fork mode: keeps going after a finding; long campaigns),
# FUZZ_NO_BUILD=1 (use the targets already built),
# FUZZ_TIMEOUT (seconds per input before it counts as a hang, default 10),
# FUZZ_RSS_MB (memory limit, default 2048).
# Details and the long benchmark campaign: docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wfdb numpy safetensors config rules)
timeout=${FUZZ_TIMEOUT:-10}
rss=${FUZZ_RSS_MB:-2048}

build=.build-fuzz
# Debug build: Swift's bounds and overflow checks stay on (the release flags strip them), and
# AddressSanitizer watches the readers' unsafe pointer code.
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  (cd Fuzz && swift build -c debug --build-path "../$build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library) >&2
fi
bin="$build/debug"

name() {
  case $1 in
    wfdb) echo FuzzWFDB ;; numpy) echo FuzzNumPy ;; safetensors) echo FuzzSafeTensors ;;
    config) echo FuzzConfig ;; rules) echo FuzzRules ;; *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

status=0
printf '%-12s %10s %8s %6s %6s %6s %7s %8s\n' target inputs seconds crash hang oom cov ft
for target in "${targets[@]}"; do
  exe="$bin/$(name "$target")"
  crashes="Fuzz/Crashes/$target"
  corpus="$build/corpus/$target"
  log="$build/logs/$target.log"
  mkdir -p "$crashes" "$corpus" "$(dirname "$log")"
  # Known findings first: each must now run cleanly.
  replay_failed=0
  shopt -s nullglob
  known=("$crashes"/*)
  shopt -u nullglob
  if [ ${#known[@]} -gt 0 ]; then
    for input in "${known[@]}"; do
      if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$exe" -timeout="$timeout" -rss_limit_mb="$rss" "$input" \
        >"$build/logs/$target.replay.log" 2>&1; then
        echo "  $target: $input still fails (see $build/logs/$target.replay.log)" >&2
        replay_failed=$((replay_failed + 1))
      fi
    done
  fi
  before=$(ls "$crashes" | wc -l)
  started=$(date +%s)
  inputs=0 crash=0 hang=0 oom=0 cov='?' ft='?'
  : >"$log"
  export SWIFT_BACKTRACE=enable=no  # the Swift backtracer's memory server upsets AddressSanitizer
  if [ "${FUZZ_FORK:-0}" = 1 ]; then
    # Long campaigns: libFuzzer's fork mode keeps going past crashes, hangs and OOMs (each saved),
    # so one shallow bug does not end the search for the others.
    ASAN_OPTIONS=detect_leaks=0:symbolize=0 "$exe" "$corpus" "Fuzz/Corpus/$target" -fork=1 -ignore_crashes=1 \
      -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" -timeout="$timeout" \
      -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -max_len=65536 -artifact_prefix="$crashes/" \
      >"$log" 2>&1 || true
    last=$(grep -aE '^#[0-9]+: cov: ' "$log" | tail -1 || true)
    inputs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    read -r oom hang crash <<<"$(sed -nE 's#.*oom/timeout/crash: ([0-9]+)/([0-9]+)/([0-9]+).*#\1 \2 \3#p' <<<"$last")"
    seconds_left=0
  else
    seconds_left=$seconds
  fi
  # One libFuzzer process at a time (fork mode costs more than it fuzzes on two cores): after a
  # crash, hang or OOM it stops, its input is saved, and fuzzing resumes from the grown corpus.
  while remaining=$((seconds_left - ($(date +%s) - started))); [ "$remaining" -gt 0 ]; do
    ASAN_OPTIONS=detect_leaks=0 "$exe" "$corpus" "Fuzz/Corpus/$target" \
      -max_total_time="$remaining" -timeout="$timeout" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" \
      -max_len=65536 -artifact_prefix="$crashes/" -print_final_stats=1 \
      >"$log.part" 2>&1 && code=0 || code=$?
    cat "$log.part" >>"$log"
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log.part" | tail -1)
    if [ -z "$runs" ]; then  # stopped by a finding: the last status line counts
      runs=$(grep -aE '^#[0-9]+' "$log.part" | tail -1 | sed -nE 's/^#([0-9]+).*/\1/p')
    fi
    inputs=$((inputs + ${runs:-0}))
    last=$(grep -aE '^#[0-9]+.* cov: ' "$log.part" | tail -1 || true)
    if [ -n "$last" ]; then
      cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
      ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    fi
    if [ "$code" = 0 ]; then break; fi
    if grep -aq 'ERROR: libFuzzer: timeout' "$log.part"; then hang=$((hang + 1))
    elif grep -aqE 'ERROR: libFuzzer: (out-of-memory|malloc)' "$log.part"; then oom=$((oom + 1))
    else crash=$((crash + 1)); fi
    # A finding that libFuzzer could not save (e.g. a crash in its setup) ends this target.
    if ! grep -aq 'Test unit written to' "$log.part"; then break; fi
  done
  rm -f "$log.part"
  elapsed=$(($(date +%s) - started))
  new=$(($(ls "$crashes" | wc -l) - before))
  printf '%-12s %10s %8s %6s %6s %6s %7s %8s\n' "$target" "$inputs" "$elapsed" \
    "$crash" "$hang" "$oom" "$cov" "$ft"
  if [ "$crash" != 0 ] || [ "$hang" != 0 ] || [ "$oom" != 0 ] || [ "$new" != 0 ] || [ "$replay_failed" != 0 ]; then
    echo "  $target: findings in $crashes (log $log)" >&2
    status=1
  fi
done
exit $status
