"""Fixtures for ECGAudit's statistics: SciPy's mannwhitneyu and statsmodels' Holm adjustment.

Regenerate (reference environment, see requirements.txt):
    .venv-ref/bin/python tools/reference/audit_fixtures.py Tests/Fixtures/ECGAudit/statistics.json
"""
import json
import sys

import numpy as np
import scipy
import statsmodels
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(7)
cases = []


def add(name, x, y):
    r = mannwhitneyu(x, y)  # defaults: use_continuity=True, alternative='two-sided', method='auto'
    cases.append({"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y],
                  "u": float(r.statistic), "p": float(r.pvalue)})


# Exact branch (a sample of at most 8 values, no ties).
add("exact small", rng.normal(size=5), rng.normal(0.8, 1, size=7))
add("exact unbalanced", rng.normal(size=3), rng.normal(size=30))
add("exact separated", np.arange(6) + 10.0, np.arange(8) * 1.0)
# Asymptotic branch: continuous, ties, heavy ties, identical, shifted.
add("asymptotic", rng.normal(size=40), rng.normal(0.3, 1, size=55))
add("asymptotic large shift", rng.normal(1.5, 1, size=100), rng.normal(size=100))
add("ties", np.round(rng.normal(size=30), 1), np.round(rng.normal(0.2, 1, size=25), 1))
add("heavy ties", rng.integers(0, 4, size=50).astype(float), rng.integers(0, 5, size=60).astype(float))
add("small with ties", np.array([1.0, 2, 2, 3]), np.array([2.0, 3, 3, 4, 5]))
add("identical", np.ones(12), np.ones(9))

p = np.concatenate([rng.uniform(0, 0.05, size=10), rng.uniform(0, 1, size=20), [1e-12, 0.5, 0.5]])
holm = multipletests(p, method="holm")[1]
json.dump({"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "mannwhitneyu": cases,
           "holm": {"p": p.tolist(), "adjusted": holm.tolist()}},
          open(sys.argv[1], "w"), indent=1)
print(f"wrote {sys.argv[1]}: {len(cases)} Mann-Whitney cases, {len(p)} Holm p-values")
