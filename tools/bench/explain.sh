#!/usr/bin/env bash
# `ecgxai bench explain` against Captum/Zennit in the same session, one method per process so that
# each peak memory belongs to one method. Targets: saliency ≥ 1.5×, LRP ≥ 3×, IG-50 ≥ 1.5× the
# peer's throughput; IG peak memory ≤ 0.5× Captum's at equal steps and internal batch size.
#   tools/bench/explain.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-$(nproc)}
python=${PYTHON:-.venv-ref/bin/python}
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product ecgxai >/dev/null 2>&1
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/ecgxai
# Warm-up: the first timed run after a build was repeatedly 30–60 % slow on the project VM.
ECGXAI_THREADS=$threads "$bin" bench explain --only saliency --seconds 2 >/dev/null
for m in saliency lrp ig; do
  ours=$(ECGXAI_THREADS=$threads "$bin" bench explain --json --only $m)
  peer=$("$python" tools/bench/explain_torch.py --threads "$threads" --only $m 2>/dev/null)
  "$python" - "$m" "$ours" "$peer" <<'PY'
import json, sys
m, o, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
key = {"saliency": "saliency_per_s", "lrp": "lrp_per_s", "ig": "ig50_per_s"}[m]
target = {"saliency": 1.5, "lrp": 3.0, "ig": 1.5}[m]
ratio = o[key] / p[key]
print(f"{key:15s} ecgxai {o[key]:8.1f}  peer {p[key]:8.1f}  ratio {ratio:5.2f}x (target {target}x {'met' if ratio >= target else 'NOT met'})"
      f"   peak RSS ecgxai {o['peak_rss_mb']:7.1f} MB  peer {p['peak_rss_mb']:7.1f} MB  ratio {o['peak_rss_mb'] / p['peak_rss_mb']:4.2f}")
PY
done
