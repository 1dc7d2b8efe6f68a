"""Fixtures for ECGEvaluate's similarity and faithfulness metrics, computed with Quantus 0.6.0.

  .venv-ref/bin/python tools/reference/sanity_fixtures.py
    → Tests/Fixtures/ECGEvaluate/similarity.json, Tests/Fixtures/ECGEvaluate/faithfulness.json

similarity.json — three pairs of [12, 50] attributions (continuous, so no ties), compared as
Quantus's randomisation metrics compare them (each record flattened, `batched=True`):
  spearman          quantus.functions.similarity_func.correlation_spearman on the signed maps
  spearman_abs      the same on |a|, |b|
  ssim_raw          quantus ssim on the signed maps (float64)
  ssim              quantus ssim on |a| / max|a| and |b| / max|b|; also quantus.RandomLogit(abs=True)
                    per record with an explain_func that returns b (the off-class map)
  top_k             quantus.TopKIntersection(k=K, abs=True) of b against the mask of a's top K

faithfulness.json — the lenet1d fixture weights (Tests/Fixtures/ECGNet/lenet1d.safetensors,
5 classes, eval mode, float64 in torch), three [12, 96] records with attributions, targets
[0, 3, 1]:
  deletion_{zero,lead-mean}   quantus.RegionPerturbation(patch_size=4, order="morf", abs=True,
        regions_evaluation=72, softmax=False: logits, as ecgxai reads outputs; Quantus's default
        applies a softmax first) with the record arranged as a [1, 48, 24] image whose 4 × 4
        blocks are the lead windows of 16 samples (block (l, j) = lead l, samples 16j…16j+15,
        row-major), and a wrapper module that undoes the arrangement before lenet1d; baseline
        0.0, or a perturb_func that writes each lead's mean
  insertion_{zero,lead-mean}  the same metric started from the baseline record, with the record
        as the replacement (so Quantus's y(b) − y(x̃ₖ) is minus the insertion gain)
  correlation_{zero,lead-mean}  quantus.FaithfulnessCorrelation(nr_runs=10, subset_size=128,
        abs=False) on the records as [1, 12, 96] images (so all 12·96 samples are features), baseline 0.0 or per-lead means; the random subsets Quantus drew are
        recorded (np.random.choice is wrapped; the same seed for both baselines) and written as `subsets`
"""
import json
import os
import sys
import warnings

import numpy as np
import quantus
import torch
from quantus.functions.similarity_func import correlation_spearman, ssim
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(__file__))
from torch_models import lenet  # noqa: E402

warnings.simplefilter("ignore")
ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures")
rng = np.random.default_rng(11)

# --- similarity -----------------------------------------------------------------------------
n, leads, t, k = 3, 12, 50, 60
a = rng.normal(size=(n, leads, t))
b = np.stack([a[0] + 0.3 * rng.normal(size=(leads, t)), rng.normal(size=(leads, t)),
              -a[2] + 0.8 * rng.normal(size=(leads, t))])
a, b = np.round(a, 4).astype(np.float32), np.round(b, 4).astype(np.float32)  # short in JSON, exact in float32
a64, b64 = a.astype(np.float64).reshape(n, -1), b.astype(np.float64).reshape(n, -1)
na, nb = np.abs(a64) / np.abs(a64).max(1, keepdims=True), np.abs(b64) / np.abs(b64).max(1, keepdims=True)
sim = {
    "shape": [leads, t], "k": k, "a": np.round(a.astype(np.float64), 4).reshape(n, -1).tolist(),
    "b": np.round(b.astype(np.float64), 4).reshape(n, -1).tolist(),
    "spearman": [float(v) for v in correlation_spearman(a64, b64, batched=True)],
    "spearman_abs": [float(v) for v in correlation_spearman(np.abs(a64), np.abs(b64), batched=True)],
    "ssim_raw": [float(v) for v in ssim(a64, b64, batched=True)],
    "ssim": [float(v) for v in ssim(na, nb, batched=True)],
}
mask = np.zeros_like(a64)
for r in range(n):
    mask[r, np.argsort(-np.abs(a64[r]))[:k]] = 1
sim["top_k"] = [float(v) for v in quantus.TopKIntersection(k=k, abs=True, disable_warnings=True)(
    model=None, x_batch=b64.reshape(n, 1, leads, t), y_batch=np.zeros(n, dtype=int),
    a_batch=b64.reshape(n, 1, leads, t).copy(), s_batch=mask.reshape(n, 1, leads, t), channel_first=True)]


class Lookup(torch.nn.Module):  # RandomLogit needs a model; its explain_func below ignores it
    def forward(self, x):
        return torch.zeros(x.shape[0], 5, dtype=x.dtype)


random_logit = []
for r in range(n):
    metric = quantus.RandomLogit(num_classes=5, seed=42, abs=True, disable_warnings=True)
    score = metric(model=Lookup().eval(), x_batch=a64[r:r + 1].reshape(1, leads, t), y_batch=np.array([0]),
                   a_batch=a64[r:r + 1].reshape(1, leads, t).copy(), channel_first=True,
                   explain_func=lambda model, inputs, targets, r=r, **kw: b64[r:r + 1].reshape(1, leads, t).copy())
    random_logit.append(float(score[0]))
sim["random_logit_ssim"] = random_logit
json.dump(sim, open(os.path.join(ROOT, "ECGEvaluate", "similarity.json"), "w"))
print(json.dumps({key: sim[key] for key in ("spearman", "spearman_abs", "ssim_raw", "ssim", "top_k", "random_logit_ssim")}, indent=1))

# --- faithfulness ---------------------------------------------------------------------------
model = lenet(5)
model.load_state_dict(load_file(os.path.join(ROOT, "ECGNet", "lenet1d.safetensors")), strict=False)
model = model.double().eval()
n, t, w, p = 3, 96, 16, 4
per_lead = t // w
x = rng.normal(size=(n, leads, t))
x[:, :, 20:30] += 2 * rng.random((n, leads, 1))
attr = rng.normal(size=(n, leads, t)) * (1 + np.abs(x))
x, attr = np.round(x, 4).astype(np.float32), np.round(attr, 4).astype(np.float32)  # short in JSON, exact in float32
targets = np.array([0, 3, 1])
x64, attr64 = x.astype(np.float64), attr.astype(np.float64)


def to_image(v):  # [N, 12, T] → [N, 1, 12·p, per_lead·p], block (l, j) = lead l window j
    return v.reshape(n, leads, per_lead, p, p).transpose(0, 1, 3, 2, 4).reshape(n, 1, leads * p, per_lead * p)


class FromImage(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, v):
        v = v.double().reshape(v.shape[0], leads, p, per_lead, p).permute(0, 1, 3, 2, 4).reshape(v.shape[0], leads, t)
        return self.inner(v)


class Squeeze(torch.nn.Module):  # [N, 1, 12, T] (so Quantus counts 12·T features) → [N, 12, T]
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, v):
        return self.inner(v.double().reshape(v.shape[0], leads, t))


wrapped = FromImage(model).eval()
baselines = {"zero": np.zeros_like(x64), "lead-mean": np.broadcast_to(x64.mean(-1, keepdims=True), x64.shape).copy()}
faith = {"shape": [leads, t], "window": w, "targets": targets.tolist(), "x": np.round(x.astype(np.float64), 4).reshape(n, -1).tolist(),
         "attribution": np.round(attr.astype(np.float64), 4).reshape(n, -1).tolist()}


def replacement(values):
    def perturb(arr, indices, **kwargs):
        out = arr.copy()
        rows = np.arange(arr.shape[0])[:, None]
        out[rows, indices] = values.reshape(arr.shape[0], -1)[rows, indices]
        return out
    return perturb


for name, base in baselines.items():
    for direction, start, end in (("deletion", x64, base), ("insertion", base, x64)):
        metric = quantus.RegionPerturbation(patch_size=p, regions_evaluation=leads * per_lead, order="morf", abs=True,
                                            perturb_func=replacement(to_image(end)), disable_warnings=True)
        curves = np.array(metric(model=wrapped, x_batch=to_image(start), y_batch=targets, a_batch=to_image(attr64),
                                 channel_first=True, softmax=False))
        faith[f"{direction}_{name}"] = (curves if direction == "deletion" else -curves).tolist()

# RegionPerturbation's own ordering step (`np.argsort(-att_sums, -1)` over the 4 × 4 blocks).
faith["order"] = np.argsort(-np.abs(attr64).reshape(n, leads, per_lead, w).sum(-1).reshape(n, -1), -1).tolist()
faith["logits"] = model(torch.tensor(x64)).detach().numpy().tolist()

real_choice = np.random.choice
for name, base in baselines.items():
    drawn = []

    def recording(*args, **kwargs):
        out = real_choice(*args, **kwargs)
        drawn.append(np.asarray(out).tolist())
        return out

    np.random.seed(3)
    np.random.choice = recording
    try:
        def perturb(arr, indices, base=base, **kwargs):
            out = arr.copy()
            rows = np.arange(arr.shape[0])[:, None]
            out[rows, indices] = base.reshape(arr.shape[0], -1)[rows, indices]
            return out
        metric = quantus.FaithfulnessCorrelation(nr_runs=10, subset_size=128, abs=False, return_aggregate=False,
                                                 perturb_func=perturb, disable_warnings=True)
        scores = metric(model=Squeeze(model).eval(), x_batch=x64.reshape(n, 1, leads, t), y_batch=targets,
                        a_batch=attr64.reshape(n, 1, leads, t).copy(), channel_first=True)
    finally:
        np.random.choice = real_choice
    runs = 10
    faith[f"correlation_{name}"] = [float(v) for v in scores]
    subsets = [[drawn[run * n + r] for run in range(runs)] for r in range(n)]
    assert faith.setdefault("subsets", subsets) == subsets  # the same seed draws the same subsets

json.dump(faith, open(os.path.join(ROOT, "ECGEvaluate", "faithfulness.json"), "w"))
print(json.dumps({key: faith[key] for key in faith if key.startswith("correlation")}, indent=1))
print({key: np.round(np.array(faith[key])[:, :4], 4).tolist() for key in faith if key.startswith(("deletion", "insertion"))})
