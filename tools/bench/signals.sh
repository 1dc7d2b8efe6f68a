#!/usr/bin/env bash
# `ecgxai bench signals` (R peaks + delineation + features) against NeuroKit2 (clean + peaks + DWT
# delineation of all 12 leads) on the same phantom records, in the same session. Target ≥ 20×.
#   tools/bench/signals.sh [records]
set -euo pipefail
cd "$(dirname "$0")/../.."
records=${1:-200}
python=${PYTHON:-.venv-ref/bin/python}
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product ecgxai >/dev/null 2>&1
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/ecgxai
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" synth --out "$dir/c" --records "$records" --seed 42 >/dev/null 2>&1
one=$(ECGXAI_THREADS=1 "$bin" bench signals --json --data "$dir/c" --records "$records")
all=$("$bin" bench signals --json --data "$dir/c" --records "$records")
peer=$("$python" tools/bench/signals_nk.py "$dir/c" --records $(( records < 20 ? records : 20 )))
"$python" - "$one" "$all" "$peer" <<'PY'
import json, sys
one, all_, peer = (json.loads(s) for s in sys.argv[1:])
for rate in (100, 500):
    k = f"records_per_s_{rate}hz"
    print(f"{rate} Hz: ecgxai 1 thread {one[k]:7.1f}/s, {all_['threads']} threads {all_[k]:7.1f}/s; NeuroKit2 {peer[k]:5.2f}/s"
          f" → {one[k] / peer[k]:6.1f}× (1 thread), {all_[k] / peer[k]:6.1f}× (all) — target ≥ 20×")
PY
