#!/usr/bin/env bash
# The 15-phantom study of docs/discovery.md ("Part 1 and 2 with PTB-XL's infarct-stage share").
# Usage: tools/reference/discovery_seeds/study.sh [SEEDS...]   (default 0…14; ~2 min per seed)
# Writes into $DISCOVERY_SEEDS_DIR (default /tmp/dsc): n5k-sS (phantom + superdiagnostic lenet1d),
# sub-sS (same phantom, subdiagnostic lenet1d), run-[METHOD-]sS and run-asmi-[METHOD-]sS
# (discovery.json), rep-* (the representations as .npy for the scikit-learn scripts here).
# Then, in that folder: python table.py 0,1,…,14  and  python table2.py 0,…,9 "planted subtype, old stage" run-asmi-ig-s,run-asmi-s
set -euo pipefail
B=${ECGXAI:-$(cd "$(dirname "$0")/../../.." && pwd)/.build/release/ecgxai}
D=${DISCOVERY_SEEDS_DIR:-/tmp/dsc}
mkdir -p "$D"
SEEDS=${*:-$(seq 0 14)}
for s in $SEEDS; do
  for task in superdiagnostic subdiagnostic; do
    out=$D/$([ $task = superdiagnostic ] && echo n5k || echo sub)-s$s
    steps="[data, train]"
    printf 'out: %s\nseed: %s\nsteps: %s\ndata: {records: 5000}\ntrain: {tasks: [%s], epochs: 40}\n' "$out" "$s" "$steps" "$task" > "$D/$task-s$s.yaml"
    "$B" run "$D/$task-s$s.yaml" > "$D/$task-s$s.log" 2>&1
  done
  for m in saliency signed gxi ig; do
    prefix=$([ $m = saliency ] && echo "" || echo "$m-")
    args=(--method "$([ $m = signed ] && echo saliency || echo $m)")
    [ $m = signed ] && args+=(--signed)
    "$B" discover "$D/run-${prefix}s$s" --data "$D/n5k-s$s/data" --model "$D/n5k-s$s/model" --class MI --subtypes AMI,IMI \
      --stability-resamples 0 "${args[@]}" --save-representations "$D/rep-${prefix}s$s" > "$D/disc-${prefix}s$s.log" 2>&1
  done
  for m in saliency ig gxi; do
    prefix=$([ $m = saliency ] && echo "" || echo "$m-")
    "$B" discover "$D/run-asmi-${prefix}s$s" --data "$D/sub-s$s/data" --model "$D/sub-s$s/model" --class ASMI \
      --stability-resamples 0 --method $m --save-representations "$D/rep-asmi-${prefix}s$s" > "$D/disc-asmi-${prefix}s$s.log" 2>&1
  done
  echo "seed $s done"
done
