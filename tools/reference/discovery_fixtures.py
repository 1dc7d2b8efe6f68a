"""Reference fixtures for ECGDiscovery (Tests/Fixtures/ECGDiscovery/sklearn.json), scikit-learn.

Data: three Gaussian blobs (numpy seed 5), 120 rows × 12 features, and the same blobs embedded
in 40 features with noise (so PCA takes the subspace-iteration path). Reference values:
  pca      PCA(n_components=4) and PCA(4, whiten=True): components_, explained_variance_,
           explained_variance_ratio_, transform of the first 5 rows (12 and 40 features)
  kmeans   KMeans(3, init=rows 0, 1, 2 of the data, n_init=1): inertia_, labels_
  metrics  silhouette_score(X, kmeans labels), adjusted_rand_score and
           normalized_mutual_info_score of the true blob against perturbed labels
  gmm      GaussianMixture(3, covariance_type="full", n_init=10, random_state=0): its labels
  ward     AgglomerativeClustering(3, linkage="ward"): its labels

    .venv-ref/bin/python tools/reference/discovery_fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score
from sklearn.mixture import GaussianMixture

rng = np.random.default_rng(5)
truth = np.repeat([0, 1, 2], 40)
centres = rng.normal(0, 3, size=(3, 12))
x12 = centres[truth] + rng.normal(0, 1, size=(120, 12)) * np.linspace(0.5, 2, 12)
x40 = np.concatenate([x12, 0.3 * rng.normal(size=(120, 28))], axis=1) @ np.linalg.qr(rng.normal(size=(40, 40)))[0]
perturbed = truth.copy()
perturbed[rng.choice(120, 25, replace=False)] = rng.integers(0, 4, 25)

out = {"sklearn": sklearn.__version__, "truth": truth.tolist(), "perturbed": perturbed.tolist(), "pca": []}
for name, x in [("x12", x12), ("x40", x40)]:
    for whiten in [False, True]:
        p = PCA(n_components=4, whiten=whiten).fit(x)
        out["pca"].append({"data": name, "whiten": whiten, "components": p.components_.tolist(),
                           "explained_variance": p.explained_variance_.tolist(),
                           "explained_variance_ratio": p.explained_variance_ratio_.tolist(),
                           "transform5": p.transform(x[:5]).tolist()})
out["x12"] = x12.tolist()
out["x40"] = x40.tolist()
km = KMeans(3, init=x12[:3], n_init=1).fit(x12)
out["kmeans"] = {"inertia": float(km.inertia_), "labels": km.labels_.tolist()}
out["metrics"] = {"silhouette": float(silhouette_score(x12, km.labels_)),
                  "ari": float(adjusted_rand_score(truth, perturbed)),
                  "nmi": float(normalized_mutual_info_score(truth, perturbed))}
out["gmm"] = {"labels": GaussianMixture(3, covariance_type="full", n_init=10, random_state=0).fit(x12).predict(x12).tolist()}
out["ward"] = {"labels": AgglomerativeClustering(3, linkage="ward").fit(x12).labels_.tolist(),
               "labels40": AgglomerativeClustering(4, linkage="ward").fit(x40).labels_.tolist()}
path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGDiscovery", "sklearn.json")
json.dump(out, open(path, "w"))
print("wrote", path, out["kmeans"]["inertia"], out["metrics"])
