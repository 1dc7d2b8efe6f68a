#!/usr/bin/env bash
# Runs `ecgxai bench engine` and its PyTorch CPU peer in the same session with the same threads,
# and prints both with the ratios (targets: forward ≥ 1.2×, forward+input-gradient ≥ 1.5×,
# Swift GEMM ≥ 0.8× torch SGEMM).
#   tools/bench/engine.sh [threads] [batch]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-$(nproc)}
batch=${2:-32}
python=${PYTHON:-.venv-ref/bin/python}
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product ecgxai >/dev/null
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/ecgxai
ours=$(ECGXAI_THREADS=$threads "$bin" bench engine --json --batch "$batch")
peer=$("$python" tools/bench/engine_torch.py --threads "$threads" --batch "$batch")
echo "ecgxai:  $ours"
echo "pytorch: $peer"
"$python" - "$ours" "$peer" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for key, target in [("forward_per_s", 1.2), ("saliency_per_s", 1.5), ("gemm_gflops_swift", 0.8)]:
    peer = p["gemm_gflops" if key.startswith("gemm") else key]
    ratio = o[key] / peer
    print(f"{key:20s} ecgxai {o[key]:9.1f}  torch {peer:9.1f}  ratio {ratio:5.2f}x  target {target}x  {'met' if ratio >= target else 'NOT met'}")
PY
