import numpy as np, csv, warnings
warnings.filterwarnings("ignore")
exec(open("grid.py").read().split("seeds = [int")[0])
def info(s):
    t, lab = territory(s)
    rows = list(csv.DictReader(open(f"rep-s{s}/records.csv"))); ids=[r["ecg_id"] for r in rows]
    st = {}
    for f in csv.DictReader(open(DATA[s] + "/data/truth/findings.csv")):
        if f["planted"]=="1" and f["subclass"] in ("AMI","IMI"): st.setdefault(f["ecg_id"], set()).add(f["stage"])
    stage = np.array([0 if st.get(i)=={"old"} else 1 if st.get(i)=={"acute"} else -1 for i in ids])
    return t, stage
I = {s: info(s) for s in range(5)}
def rep(s, kind):
    A = np.abs(np.load(f"rep-s{s}/attribution.npy").astype(float)); n=len(A)
    if kind.startswith("qrs"):  # window around R (sample 30): kind qrsA-B samples
        a,b = [int(v) for v in kind[3:].split("-")]; A = A.reshape(n,12,80)[:,:,30-a:30+b].reshape(n,-1)
    if kind.startswith("l1") or kind.startswith("qrsl1"): return A/A.sum(1,keepdims=True)
    return np.sqrt(A/A.sum(1,keepdims=True))
import sys
for kind in sys.argv[1].split(","):
  for k in [8,12]:
    for alg in ["gmm","k-means"]:
      for K in [2,4]:
        r1=[];r2=[];r3=[]
        for s in range(5):
            t, stage = I[s]; Z = PCA(k, whiten=True, random_state=0).fit_transform(rep(s,kind)); c = cluster(Z, alg, k=K)
            m = (t>=0)&(stage>=0)
            r1.append(ari(t[t>=0], c[t>=0]))
            r2.append(ari((t*2+stage)[m], c[m]))
            # merge each cluster into its majority territory (evaluation only)
            maj = {g: np.bincount(t[(c==g)&(t>=0)], minlength=2).argmax() for g in range(K)}
            r3.append(ari(t[t>=0], np.array([maj[g] for g in c])[t>=0]))
        f=lambda r: " ".join(f"{v:5.2f}" for v in r)+f" |min {min(r):.2f}"
        print(f"{kind:10s} pca{k:2d} {alg:7s} K={K} terr {f(r1)}  terr×stage {f(r2)}  merged {f(r3)}", flush=True)
