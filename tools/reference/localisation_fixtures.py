"""Fixture for ECGEvaluate's localisation metrics, computed with Quantus.

  .venv-ref/bin/python tools/reference/localisation_fixtures.py → Tests/Fixtures/ECGEvaluate/localisation.json

Three records of [12, 100] attributions (continuous, so no ties) with lead × time masks; Quantus
RelevanceMassAccuracy, RelevanceRankAccuracy, PointingGame, AUC and TopKIntersection (k = 60)
with their defaults (normalise=True by max, abs=False), and with abs=True.
"""
import json, os, warnings
import numpy as np
import quantus

warnings.simplefilter("ignore")
rng = np.random.default_rng(7)
n = 3
a = rng.normal(size=(n, 1, 12, 100)).astype(np.float32)
a[1] += 0.8 * rng.random((1, 12, 100)).astype(np.float32)  # a mostly positive record
s = np.zeros((n, 1, 12, 100), dtype=np.float32)
s[0, 0, 1:3, 20:45] = 1
s[1, 0, 6:10, 40:60] = 1
s[2, 0, :, 70:90] = 1
a[2, 0, :, 70:90] += 1.5  # the third record's attribution lies mostly in its mask
x = rng.normal(size=(n, 1, 12, 100)).astype(np.float32)
y = np.zeros(n, dtype=int)


class Dummy:  # Quantus wants a model object; localisation metrics never call it
    pass


out = {"shape": [12, 100], "attributions": a.reshape(n, -1).tolist(), "masks": s.reshape(n, -1).astype(int).tolist(), "k": 60}
for absolute in (False, True):
    key = "abs" if absolute else "signed"
    common = dict(disable_warnings=True, abs=absolute)
    metrics = {
        "relevance_mass_accuracy": quantus.RelevanceMassAccuracy(**common),
        "relevance_rank_accuracy": quantus.RelevanceRankAccuracy(**common),
        "pointing_game": quantus.PointingGame(**common),
        "auc": quantus.AUC(**common),
        "top_k_intersection": quantus.TopKIntersection(k=60, **common),
    }
    out[key] = {}
    for name, metric in metrics.items():
        scores = metric(model=None, x_batch=x, y_batch=y, a_batch=a.copy(), s_batch=s.copy(), channel_first=True)
        out[key][name] = [float(v) for v in scores]
path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGEvaluate", "localisation.json")
json.dump(out, open(path, "w"))
print(json.dumps({k: out[k] for k in ("signed", "abs")}, indent=1))
