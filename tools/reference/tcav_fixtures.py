"""Reference fixtures for ECGConcepts and ECGStatistics (Tests/Fixtures/ECGConcepts/tcav.json).

TCAV: the lenet1d weights of Tests/Fixtures/ECGNet (torch_models.py) and deterministic inputs
([12, 250] records from an integer-hash formula that the Swift test reproduces bit for bit):
30 concept examples (a noisy bump at 1.25 s on every third lead, of height 0…2.4 mV), 30 random
records and 10 target inputs. For layers sequential.2 / .9 / .13 and target 1:

  captum      Captum's TCAV (default layer gradients) with a classifier that returns the
              FastCAV direction w = mean(concept activations) - mean(random activations) as the
              concept's CAV (and -w for the random concept): sign_count and magnitude of both
  fastcav     w itself (so the Swift FastCAV is checked on the same activations)
  sklearn     LogisticRegression() (C=1, lbfgs, run to convergence) on the same activations with
              a fixed split (test = every third record of each class): hold-out accuracy and the
              unit-normalised coefficients

Statistics: scipy.stats.ttest_ind (equal_var True and False) and statsmodels' Bonferroni.

    .venv-ref/bin/python tools/reference/tcav_fixtures.py
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
import torch
from captum.concept import Concept, TCAV
from captum.concept._utils.classifier import Classifier
from safetensors.torch import load_file
from scipy.stats import ttest_ind
from sklearn.linear_model import LogisticRegression
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
from torch_models import lenet  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures")
LAYERS = ["sequential.2", "sequential.9", "sequential.13"]
TARGET = 1
T = 250


def record(n, concept):
    """One [12, T] record: sines, integer-hash noise, and (concept) a bump on every third lead."""
    x = np.zeros((12, T))
    t = np.arange(T)
    for lead in range(12):
        f = 1 + ((7 * n + 3 * lead) % 11) / 2
        phase = 0.4 * ((5 * n + lead) % 13)
        h = ((n * 73856093) ^ (lead * 19349663) ^ (t * 83492791)) % 4294967296
        noise = h / 4294967296.0 - 0.5
        x[lead] = 0.5 * np.sin(2 * np.pi * f * t / 100 + phase) + 0.3 * noise
        if concept and (lead + n) % 3 == 0:
            x[lead] += 0.6 * (n % 5) * np.exp(-((t - 125) / 8.0) ** 2)
    return x.astype(np.float32)


concept_x = torch.tensor(np.stack([record(n, True) for n in range(30)]))
random_x = torch.tensor(np.stack([record(100 + n, False) for n in range(30)]))
target_x = torch.tensor(np.stack([record(1000 + n, False) for n in range(10)]))

model = lenet(5)
model.load_state_dict(load_file(os.path.join(ROOT, "ECGNet", "lenet1d.safetensors")), strict=False)
model.eval()


class FastCAVClassifier(Classifier):
    def __init__(self):
        self.w = None

    def train_and_eval(self, dataloader, **kwargs):
        xs, ys = [], []
        for x, y in dataloader:
            xs.append(x)
            ys.append(y)
        x, y = torch.cat(xs).double(), torch.cat(ys)
        self.w = (x[y == 0].mean(0) - x[y == 1].mean(0)).float()
        return {"accs": torch.tensor(1.0)}

    def weights(self):
        return torch.stack([self.w, -self.w])

    def classes(self):
        return [0, 1]


class Loader(torch.utils.data.IterableDataset):
    def __init__(self, x):
        self.x = x

    def __iter__(self):
        return iter(self.x)


concept = Concept(0, "bump", torch.utils.data.DataLoader(Loader(concept_x), batch_size=10))
random_concept = Concept(1, "random", torch.utils.data.DataLoader(Loader(random_x), batch_size=10))
import tempfile  # noqa: E402
tcav = TCAV(model, LAYERS, classifier=FastCAVClassifier(), save_path=tempfile.mkdtemp())
scores = tcav.interpret(target_x, experimental_sets=[[concept, random_concept]], target=TARGET)
key = "0-1"

activations = {}
hooks = []
for name in LAYERS:
    module = dict(model.named_modules())[name]
    hooks.append(module.register_forward_hook(lambda m, i, o, name=name: activations.__setitem__(name, o.detach())))
layers = []
with torch.no_grad():
    acts_c, acts_r = {}, {}
    model(concept_x)
    acts_c = {k: v.reshape(30, -1).double().numpy() for k, v in activations.items()}
    model(random_x)
    acts_r = {k: v.reshape(30, -1).double().numpy() for k, v in activations.items()}
for name in LAYERS:
    x = np.concatenate([acts_c[name], acts_r[name]])
    y = np.array([1] * 30 + [0] * 30)
    test = np.array([i % 3 == 0 for i in range(60)])
    lr = LogisticRegression(C=1.0, max_iter=100000, tol=1e-10).fit(x[~test], y[~test])
    coef = lr.coef_[0] / np.linalg.norm(lr.coef_[0])
    w = (acts_c[name].mean(0) - acts_r[name].mean(0))
    layers.append({
        "name": name,
        "features": int(x.shape[1]),
        "captum": {k: [float(v) for v in scores[key][name][k]] for k in ["sign_count", "magnitude"]},
        "fastcav": w.astype(np.float32).tolist(),
        "sklearn": {"accuracy": float(lr.score(x[test], y[test])), "coef": coef.tolist(),
                    "train_accuracy": float(lr.score(x[~test], y[~test]))},
    })

rng = np.random.default_rng(11)
ttests = []
for name, a, b in [
    ("shift", rng.normal(0.6, 0.1, 10), rng.normal(0.5, 0.15, 10)),
    ("null", rng.normal(0.5, 0.2, 10), rng.normal(0.5, 0.2, 10)),
    ("unequal sizes", rng.normal(0.7, 0.05, 7), rng.normal(0.5, 0.3, 15)),
    ("large t", rng.normal(1.0, 0.01, 10), rng.normal(0.0, 0.01, 10)),
    ("two each", np.array([0.1, 0.3]), np.array([0.2, 0.9])),
]:
    for equal in [True, False]:
        r = ttest_ind(a, b, equal_var=equal)
        ttests.append({"name": name, "equal_var": equal, "a": a.tolist(), "b": b.tolist(),
                       "t": float(r.statistic), "p": float(r.pvalue), "df": float(r.df)})
p = np.concatenate([rng.uniform(0, 0.01, 5), rng.uniform(0, 1, 10)])
out = {"captum": __import__("captum").__version__, "sklearn": sklearn.__version__, "scipy": scipy.__version__,
       "target": TARGET, "length": T, "layers": layers, "ttest": ttests,
       "bonferroni": {"p": p.tolist(), "adjusted": multipletests(p, method="bonferroni")[1].tolist()}}
os.makedirs(os.path.join(ROOT, "ECGConcepts"), exist_ok=True)
path = os.path.join(ROOT, "ECGConcepts", "tcav.json")
json.dump(out, open(path, "w"))
print(f"wrote {path}")
for layer in layers:
    print(layer["name"], layer["features"], layer["captum"], "sklearn acc", layer["sklearn"]["accuracy"], layer["sklearn"]["train_accuracy"])
