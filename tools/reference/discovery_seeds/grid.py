# Seed-robustness grid of docs/discovery.md ("Across five seeds"): reads DIR/rep-sS/*.npy written by
# `ecgxai discover RUN --class MI --subtypes AMI,IMI --save-representations /tmp/dsc/rep-sS` and the
# phantoms' truth/findings.csv (paths in DATA). Run with a Python that has scikit-learn, in the
# folder DISCOVERY_SEEDS_DIR (default /tmp/dsc; the other scripts read it as the working directory),
# with the phantom runs of seed S at $DISCOVERY_SEEDS_DIR/n5k-sS unless DATA is edited.
import numpy as np, csv, sys, json, itertools, os, warnings
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score as ari
warnings.filterwarnings("ignore")
ROOT = os.environ.get("DISCOVERY_SEEDS_DIR", "/tmp/dsc")
DATA = {s: f"{ROOT}/n5k-s{s}" for s in range(20)}
def territory(seed):
    rows = list(csv.DictReader(open(f"{ROOT}/rep-s{seed}/records.csv")))
    ids = [r["ecg_id"] for r in rows]
    found = {}
    for f in csv.DictReader(open(DATA[seed] + "/data/truth/findings.csv")):
        if f["planted"] == "1" and f["subclass"] in ("AMI", "IMI"):
            found.setdefault(f["ecg_id"], set()).add(f["subclass"])
    t = np.array([(0 if found[i] == {"AMI"} else 1) if len(found.get(i, ())) == 1 else -1 for i in ids])
    lab = np.array([0 if r["subtype"] == "AMI" else 1 for r in rows])
    return t, lab
def norm(X, kind):
    if kind == "raw": return X
    if kind == "l1": return X / np.abs(X).sum(1, keepdims=True)
    if kind == "l2": return X / np.linalg.norm(X, axis=1, keepdims=True)
    if kind == "hell": return np.sqrt(np.abs(X) / np.abs(X).sum(1, keepdims=True))
    if kind == "max": return X / np.abs(X).max(1, keepdims=True)
def cluster(Z, alg, seed=0, k=2):
    if alg == "gmm": return GaussianMixture(k, covariance_type="full", n_init=10, random_state=seed, reg_covar=1e-6).fit_predict(Z)
    if alg == "gmm-diag": return GaussianMixture(k, covariance_type="diag", n_init=10, random_state=seed, reg_covar=1e-6).fit_predict(Z)
    if alg == "gmm-tied": return GaussianMixture(k, covariance_type="tied", n_init=10, random_state=seed, reg_covar=1e-6).fit_predict(Z)
    if alg == "k-means": return KMeans(k, n_init=10, random_state=seed).fit_predict(Z)
seeds = [int(s) for s in sys.argv[1].split(",")]
reps = sys.argv[2].split(",") if len(sys.argv) > 2 else ["attribution:raw", "attribution:l1", "attribution:l2", "attribution:max", "beat:raw", "hidden:raw"]
comps = [int(c) for c in (sys.argv[3].split(",") if len(sys.argv) > 3 else "4,6,8,10,12,16".split(","))]
algs = sys.argv[4].split(",") if len(sys.argv) > 4 else ["gmm", "gmm-diag", "k-means"]
cseeds = [int(c) for c in (sys.argv[5].split(",") if len(sys.argv) > 5 else ["0"])]
loaded = {s: territory(s) for s in seeds}
out = []
for rep in reps:
    name, kind = rep.split(":")
    Xs = {s: norm(np.load(f"{ROOT}/rep-s{s}/{name}.npy").astype(np.float64), kind) for s in seeds}
    for whiten in (True, False):
        for k in comps:
            Zs = {s: PCA(k, whiten=whiten, random_state=0).fit_transform(Xs[s]) for s in seeds}
            for alg in algs:
                res = []
                for s in seeds:
                    t, lab = loaded[s]; m = t >= 0
                    vals = [ari(t[m], cluster(Zs[s], alg, c)[m]) for c in cseeds]
                    res.append(min(vals))
                out.append(dict(rep=rep, whiten=whiten, k=k, alg=alg, ari=res))
                print(f"{rep:18s} {'W' if whiten else '-'} k={k:2d} {alg:9s} " + " ".join(f"{v:5.2f}" for v in res) + f"  | min {min(res):.2f} mean {np.mean(res):.2f}", flush=True)
json.dump(out, open(f"{ROOT}/grid-{sys.argv[1].replace(',','')}.json", "w"))
