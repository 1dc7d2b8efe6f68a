#!/usr/bin/env bash
# TCAV runtime and calibration.
#   tools/bench/concepts.sh              runtime of `ecgxai concepts` at the demo size (2,000
#                                        records, lenet1d, 15 concepts × 16 layers × 3 targets, R = 10)
#   tools/bench/concepts.sh calibration  also a 5,000-record cohort on the diagnostic task with
#                                        100 null concepts: planted pairs and false-positive rates
# SCRATCH= selects the build directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product ecgxai >/dev/null 2>&1
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/ecgxai
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" demo --out "$dir/demo" >/dev/null 2>&1
/usr/bin/time -f "%e s, peak RSS %M KiB" -o "$dir/time" "$bin" concepts "$dir/demo" >"$dir/log" 2>&1
echo "demo size: $(head -1 "$dir/log")"
echo "  ecgxai concepts: $(cat "$dir/time") on $(nproc) cores"
if [ "${1:-}" = calibration ]; then
  run="$dir/cal"
  "$bin" synth --out "$run/data" --records 5000 --rates 100 --seed 0 >/dev/null 2>&1
  "$bin" export --data "$run/data" --folds 1-8 --task diagnostic --out "$run/train.npy" >/dev/null 2>&1
  "$bin" export --data "$run/data" --folds 9 --task diagnostic --out "$run/val.npy" >/dev/null 2>&1
  "$bin" train --arch lenet1d --x "$run/train.npy" --y "$run/train.labels.npy" --validation-x "$run/val.npy" --validation-y "$run/val.labels.npy" --epochs 30 --out "$run/model" >/dev/null 2>&1
  "$bin" features --data "$run/data" --out "$run/features.csv" >/dev/null 2>&1
  /usr/bin/time -f "%e s" -o "$dir/time" "$bin" concepts "$run" --null-concepts 100 | sed -n '/significant concept/,$p'
  echo "  ($(cat "$dir/time"))"
fi
