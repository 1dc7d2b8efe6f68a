# Which records the |saliency| L1 PCA 8 GMM clustering puts in the wrong territory, by planted finding × stage and severity.
# python diag2.py 9,4,5,0  (run in $DISCOVERY_SEEDS_DIR)
import numpy as np, csv, warnings, sys, os
warnings.filterwarnings("ignore")
exec(open("grid.py").read().split("seeds = [int")[0])
for s in [int(v) for v in sys.argv[1].split(",")]:
    t, lab = territory(s)
    rows = list(csv.DictReader(open(f"{ROOT}/rep-s{s}/records.csv"))); ids=[r["ecg_id"] for r in rows]
    info = {}
    for f in csv.DictReader(open(DATA[s] + "/data/truth/findings.csv")):
        if f["planted"]=="1": info.setdefault(f["ecg_id"], []).append(f)
    X = norm(np.load(f"{ROOT}/rep-s{s}/attribution.npy").astype(float), "l1")
    c = cluster(PCA(8, whiten=True, random_state=0).fit_transform(X), "gmm")
    m = t>=0
    # map clusters to majority territory
    maj = {g: np.bincount(t[(c==g)&m], minlength=2).argmax() for g in range(2)}
    pred = np.array([maj[g] for g in c])
    print(f"seed {s}: ARI {ari(t[m], c[m]):.2f}  n={m.sum()}  wrong={int(((pred!=t)&m).sum())}")
    from collections import Counter
    tot=Counter(); bad=Counter(); sev_bad=[]; sev_ok=[]
    for i,(rid,ti) in enumerate(zip(ids,t)):
        if ti<0: continue
        mi=[f for f in info.get(rid,[]) if f["superclass"]=="MI"]
        oth=[f["finding"] for f in info.get(rid,[]) if f["superclass"]!="MI"]
        key=(mi[0]["finding"], mi[0]["stage"])
        tot[key]+=1
        if pred[i]!=ti: bad[key]+=1; sev_bad.append(float(mi[0]["severity"]))
        else: sev_ok.append(float(mi[0]["severity"]))
        tot["other:"+str(bool(oth))]+=1
        if pred[i]!=ti: bad["other:"+str(bool(oth))]+=1
    for k in sorted(tot, key=str): print("   ", k, f"{bad[k]}/{tot[k]}")
    print("    severity wrong mean %.2f (n %d) ok mean %.2f; wrong <0.3: %d" % (np.mean(sev_bad), len(sev_bad), np.mean(sev_ok), sum(v<0.3 for v in sev_bad)))
