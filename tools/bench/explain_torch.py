"""Captum / Zennit peer of `ecgxai bench explain` (same model, shapes, threads).

saliency_per_s: captum Saliency; lrp_per_s: Zennit Gradient with the paper's EpsilonComposite
(epsilon 1e-3) and SequentialMergeBatchNorm; ig50_per_s: captum IntegratedGradients, 50 steps
(gausslegendre), internal_batch_size as given; peak_rss_mb: this process's peak resident memory.
Run one figure per process (--only) to get a peak memory per method.

    .venv-ref/bin/python tools/bench/explain_torch.py --threads 2 --only ig
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
from captum.attr import IntegratedGradients, Saliency
from zennit.attribution import Gradient
from zennit.canonizers import SequentialMergeBatchNorm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from attribution_fixtures import EpsilonComposite  # noqa: E402
from torch_models import ECGResNet  # noqa: E402


def per_run(seconds, body):
    body()
    runs, start = 0, time.perf_counter()
    while True:
        body()
        runs += 1
        if time.perf_counter() - start >= seconds:
            return (time.perf_counter() - start) / runs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--only", default="all", choices=["all", "saliency", "lrp", "ig"])
    p.add_argument("--internal-batch-size", type=int, default=64)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = ECGResNet(71).eval()
    x = torch.randn(a.batch, 12, 1000)
    target = torch.zeros(a.batch, dtype=torch.long)
    result = {}
    if a.only in ("all", "saliency"):
        sal = Saliency(model)
        result["saliency_per_s"] = a.batch / per_run(a.seconds, lambda: sal.attribute(x, target=target, abs=False))
    if a.only in ("all", "lrp"):
        seed = torch.zeros(a.batch, 71)
        seed[:, 0] = 1

        def lrp():
            with Gradient(model=model, composite=EpsilonComposite(canonizers=[SequentialMergeBatchNorm()])) as attr:
                attr(x, seed)
        result["lrp_per_s"] = a.batch / per_run(a.seconds, lrp)
    if a.only in ("all", "ig"):
        ig = IntegratedGradients(model)
        n = min(a.batch, 8)
        result["ig50_per_s"] = n / per_run(a.seconds, lambda: ig.attribute(
            x[:n], target=target[:n], n_steps=50, method="gausslegendre", internal_batch_size=a.internal_batch_size))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["threads"] = a.threads
    print(json.dumps(result))


if __name__ == "__main__":
    main()
