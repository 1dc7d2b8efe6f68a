"""ecgxai against its PyTorch peers on one instruction-set path, rounds alternating, medians.

For each thread count and round: `ecgxai bench engine` (SGEMM 1024^3, xresnet1d50 forward and
saliency on [32, 12, 1000]) then tools/bench/engine_torch.py; `ecgxai bench explain` for LRP-eps
and IG-50 then tools/bench/explain_torch.py (Zennit, Captum), one figure per process. Prints every
round and a table: medians of each side and the median of the per-round ratios (each ratio pairs
figures from one round; issue 23's targets: SGEMM >= 1.3x torch, forward,
saliency and IG-50 >= 1.5x, LRP-eps >= 3x).

The path is pinned for both sides in the same run: ECGXAI_ISA for ecgxai, ONEDNN_MAX_CPU_ISA and
MKL_ENABLE_INSTRUCTIONS for PyTorch (so the AVX2 path can be measured on an AVX-512 host too).

    .venv-ref/bin/python tools/bench/isa_study.py --isa avx2 --threads 1 2 --rounds 3 \
        --bin .build/release/ecgxai
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_ISA = {  # oneDNN / MKL names of the same instruction-set caps
    "avx512": ("AVX512_CORE", "AVX512"),
    "avx2": ("AVX2", "AVX2"),
    "baseline": ("SSE41", "SSE4_2"),
}
TARGETS = {"gemm": 1.3, "forward": 1.5, "saliency": 1.5, "lrp": 3.0, "ig": 1.5}


def run_json(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/ecgxai")
    parser.add_argument("--isa", default="auto", choices=["auto", *PEER_ISA])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--only", nargs="+", default=["engine", "lrp", "ig"])
    args = parser.parse_args()
    python = sys.executable
    base = dict(os.environ)
    if args.isa != "auto":
        base["ECGXAI_ISA"] = args.isa
        base["ONEDNN_MAX_CPU_ISA"], base["MKL_ENABLE_INSTRUCTIONS"] = PEER_ISA[args.isa]
    flags = open("/proc/cpuinfo").read()
    print(f"CPU: {cpu_model()} (avx512f: {'avx512f' in flags}, avx2: {'avx2' in flags}); "
          f"path: {args.isa}")
    rows = {}  # (threads, figure) -> list of (ours, peer)
    for threads in args.threads:
        env = dict(base, ECGXAI_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        # Warm-up: the first timed run after a build is often slow on a VM.
        subprocess.run([args.bin, "bench", "engine", "--only", "gemm", "--seconds", "1"],
                       env=env, check=True, capture_output=True)
        for r in range(args.rounds):
            if "engine" in args.only:
                o = run_json([args.bin, "bench", "engine", "--json", "--seconds",
                              str(args.seconds)], env)
                p = run_json([python, os.path.join(HERE, "engine_torch.py"), "--threads",
                              str(threads), "--seconds", str(args.seconds)], env)
                isa = o.get("isa", "?")
                for fig, ok, pk in [("gemm", "gemm_gflops_swift", "gemm_gflops"),
                                    ("forward", "forward_per_s", "forward_per_s"),
                                    ("saliency", "saliency_per_s", "saliency_per_s")]:
                    rows.setdefault((threads, fig), []).append((o[ok], p[pk]))
                print(f"threads {threads} round {r + 1} [{isa}] engine: "
                      + ", ".join(f"{k} {o[k]:.1f}/{p[k2]:.1f}" for k, k2 in
                                  [("gemm_gflops_swift", "gemm_gflops"),
                                   ("forward_per_s", "forward_per_s"),
                                   ("saliency_per_s", "saliency_per_s")]), flush=True)
            for fig, key in [("lrp", "lrp_per_s"), ("ig", "ig50_per_s")]:
                if fig not in args.only:
                    continue
                o = run_json([args.bin, "bench", "explain", "--json", "--only", fig], env)
                p = run_json([python, os.path.join(HERE, "explain_torch.py"), "--threads",
                              str(threads), "--only", fig], env)
                rows.setdefault((threads, fig), []).append((o[key], p[key]))
                print(f"threads {threads} round {r + 1} [{o.get('isa', '?')}] {fig}: "
                      f"{o[key]:.2f}/{p[key]:.2f}", flush=True)
    print()
    print("| figure | threads | ecgxai (median) | peer (median) | median ratio (same-round pairs) | "
          "ratios per round | target |")
    print("|---|---|---|---|---|---|---|")
    unit = {"gemm": "GFLOP/s", "forward": "samples/s", "saliency": "samples/s",
            "lrp": "records/s", "ig": "records/s"}
    for (threads, fig), pairs in rows.items():
        ours = statistics.median(x for x, _ in pairs)
        peer = statistics.median(y for _, y in pairs)
        ratios = [x / y for x, y in pairs]
        per_round = " ".join(f"{r:.2f}" for r in ratios)
        print(f"| {fig} ({unit[fig]}) | {threads} | {ours:.1f} | {peer:.1f} | "
              f"**{statistics.median(ratios):.2f}×** | {per_round} | ≥ {TARGETS[fig]}× |")


if __name__ == "__main__":
    main()
