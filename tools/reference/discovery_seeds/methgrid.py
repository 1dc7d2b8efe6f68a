# scikit-learn on the saved representations of several methods (rep-METHOD-sS; saliency: rep-sS): L1 / Hellinger × PCA × GMM / k-means.
# python methgrid.py ig,gxi,signed  (run in $DISCOVERY_SEEDS_DIR)
import numpy as np, warnings, sys, os
warnings.filterwarnings("ignore")
exec(open("grid.py").read().split("seeds = [int")[0])
seeds=[int(v) for v in os.environ.get("SEEDS", "0,1,2,3,4,5,6,7,8,9").split(",")]; T={s: territory(s)[0] for s in seeds}
for meth in sys.argv[1].split(","):
    d = "rep" if meth=="saliency" else f"rep-{meth}"
    for kind in ["l1","hell"]:
        Xs={s: norm(np.load(f"{ROOT}/{d}-s{s}/attribution.npy").astype(float), kind) for s in seeds}
        for k in [6,8,12]:
            Zs={s: PCA(k, whiten=True, random_state=0).fit_transform(Xs[s]) for s in seeds}
            for alg in ["gmm","k-means"]:
                r=[ari(T[s][T[s]>=0], cluster(Zs[s],alg)[T[s]>=0]) for s in seeds]
                print(f"{meth:12s} {kind:4s} pca{k:2d} {alg:7s} "+" ".join(f"{v:5.2f}" for v in r)+f" | min {min(r):.2f} mean {np.mean(r):.2f} n≥0.8 {sum(v>=0.8 for v in r)}", flush=True)
