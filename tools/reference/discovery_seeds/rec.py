import numpy as np, csv, warnings, sys
warnings.filterwarnings("ignore")
exec(open("four.py").read().split("import sys")[0])
def R(s, name):
    if name == "hell": return rep(s, "hell")
    if name == "l1": return rep(s, "l1")
    if name == "raw": return np.load(f"rep-s{s}/attribution.npy").astype(float)
    return np.load(f"rep-s{s}/{name}.npy").astype(float)
for name in sys.argv[1].split(","):
  for k in [int(v) for v in sys.argv[2].split(",")]:
    for alg in sys.argv[3].split(","):
        for cs in [0,1,2]:
            r=[]
            for s in range(5):
                t, stage = I[s]; m=(t>=0)&(stage>=0)
                c = cluster(PCA(k, whiten=True, random_state=0).fit_transform(R(s,name)), alg, seed=cs, k=4)
                r.append(ari((t*2+stage)[m], c[m]))
            print(f"{name:6s} pca{k:2d} {alg:7s} K=4 cseed{cs} terr×stage " + " ".join(f"{v:5.2f}" for v in r) + f" | min {min(r):.2f}", flush=True)
