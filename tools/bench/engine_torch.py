"""PyTorch CPU peer of `ecgxai bench engine` (same model, shapes, threads, eval mode).

Prints one JSON object: forward_per_s, saliency_per_s (forward + input gradient of one output,
as Captum/Zennit `Gradient` does), gemm_gflops (torch SGEMM 1024^3), threads, torch version.
The xresnet1d50 is the paper's ECGResNet (tools/reference/torch_models.py). Forward is timed
under torch.inference_mode() (the fastest PyTorch offers for inference).

    .venv-ref/bin/python tools/bench/engine_torch.py --threads 2 --batch 32 --seconds 3
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from torch_models import ECGResNet, lenet  # noqa: E402


def per_run(seconds, body):
    body()
    runs, start = 0, time.perf_counter()
    while True:
        body()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--classes", type=int, default=71)
    parser.add_argument("--arch", default="xresnet1d50", choices=["xresnet1d50", "lenet1d"])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    gemm = 2 * 1024 ** 3 / per_run(args.seconds, lambda: a @ b) / 1e9

    model = (ECGResNet(args.classes) if args.arch == "xresnet1d50" else lenet(args.classes)).eval()
    x = torch.randn(args.batch, 12, args.length)

    def forward():
        with torch.inference_mode():
            model(x)

    def saliency():
        xi = x.clone().requires_grad_(True)
        model(xi)[:, 0].sum().backward()

    result = {
        "forward_per_s": args.batch / per_run(args.seconds, forward),
        "saliency_per_s": args.batch / per_run(args.seconds, saliency),
        "gemm_gflops": gemm,
        "threads": args.threads,
        "batch": args.batch,
        "arch": args.arch,
        "torch": torch.__version__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
