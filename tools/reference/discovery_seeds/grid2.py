import numpy as np, sys, warnings
warnings.filterwarnings("ignore")
src = open("grid.py").read().split("seeds = [int")[0]; exec(src)
seeds=[0,1,2,3,4]
T={s: territory(s)[0] for s in seeds}
def tf(X, kind):
    n = X.shape[0]; A = np.abs(X)
    if kind == "hellinger": return np.sqrt(A / A.sum(1, keepdims=True))
    if kind == "log-clr": L = np.log(A + 1e-3 * A.mean(1, keepdims=True)); return L - L.mean(1, keepdims=True)
    if kind.startswith("bin"):  # lead x time bins, L1, then sqrt
        b = int(kind[3:]); B = A.reshape(n, 12, 80 // b, b).sum(3).reshape(n, -1); return np.sqrt(B / B.sum(1, keepdims=True))
    if kind == "lead-hellinger": B = A.reshape(n, 12, 80).sum(2); return np.sqrt(B / B.sum(1, keepdims=True))
    if kind == "lead-clr": B = np.log(A.reshape(n, 12, 80).sum(2)); return B - B.mean(1, keepdims=True)
    if kind == "l1": return A / A.sum(1, keepdims=True)
kinds = sys.argv[1].split(",")
for kind in kinds:
    Xs = {s: tf(np.load(f"rep-s{s}/attribution.npy").astype(float), kind) for s in seeds}
    for whiten in (True, False):
        for k in ([4, 8, 12] if not kind.startswith("lead") else [2, 4, 8]):
            Zs = {s: PCA(min(k, Xs[s].shape[1]), whiten=whiten, random_state=0).fit_transform(Xs[s]) for s in seeds}
            for alg in ["gmm", "k-means"]:
                res = [ari(T[s][T[s] >= 0], cluster(Zs[s], alg)[T[s] >= 0]) for s in seeds]
                print(f"{kind:14s} {'W' if whiten else '-'} k={k:2d} {alg:8s} " + " ".join(f"{v:5.2f}" for v in res) + f" | min {min(res):.2f} mean {np.mean(res):.2f}", flush=True)
