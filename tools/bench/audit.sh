#!/usr/bin/env bash
# Memory of `ecgxai audit` against the number of records: peak RSS of the whole command on a
# 2,000- and a 20,000-record phantom with the same lenet1d (diagnostic task), in the paper's
# top-100 mode and in `--select labelled` mode (every labelled record in its group).
#   tools/bench/audit.sh [small] [large]
set -euo pipefail
cd "$(dirname "$0")/../.."
small=${1:-2000}
large=${2:-20000}
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product ecgxai >/dev/null 2>&1
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/ecgxai
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# One model for both cohorts: lenet1d on the diagnostic task of a 2,000-record cohort.
"$bin" synth --out "$dir/train/data" --records 2000 --rates 100 --seed 1 >/dev/null 2>&1
"$bin" export --data "$dir/train/data" --folds 1-9 --task diagnostic --out "$dir/train/x.npy" >/dev/null 2>&1
"$bin" train --arch lenet1d --x "$dir/train/x.npy" --y "$dir/train/x.labels.npy" --epochs 5 --out "$dir/model" >/dev/null 2>&1
for n in "$small" "$large"; do
  "$bin" synth --out "$dir/run$n/data" --records "$n" --rates 100 --seed 2 >/dev/null 2>&1
  ln -s "$dir/model" "$dir/run$n/model"
  for mode in top labelled; do
    /usr/bin/time -f "%M %e" -o "$dir/time" "$bin" audit "$dir/run$n" --select "$mode" --conditions LVH,CLBBB,IMI,ASMI,AMI --bootstrap 100 >"$dir/log" 2>&1
    read -r kb seconds <"$dir/time"
    pairs=$(grep -o "attributing [0-9]* (record, class) pairs" "$dir/log" | grep -o "[0-9]*")
    printf "%6d records  --select %-8s  %6d (record, class) pairs  peak RSS %5.0f MiB  %6.1f s\n" "$n" "$mode" "$pairs" "$((kb / 1024))" "$seconds"
  done
done
