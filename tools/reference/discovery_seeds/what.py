import numpy as np, csv, warnings
warnings.filterwarnings("ignore")
exec(open("grid.py").read().split("seeds = [int")[0])
for s in [0,1,2,3,4]:
    t, lab = territory(s)
    rows = list(csv.DictReader(open(f"rep-s{s}/records.csv"))); ids=[r["ecg_id"] for r in rows]
    st = {}; other = {}
    for f in csv.DictReader(open(DATA[s] + "/data/truth/findings.csv")):
        if f["planted"]=="1" and f["superclass"]=="MI": st.setdefault(f["ecg_id"], set()).add(f["stage"])
        if f["planted"]=="1" and f["superclass"]!="MI": other.setdefault(f["ecg_id"], set()).add(f["finding"])
    stage = np.array([0 if st.get(i)=={"old"} else 1 if st.get(i)=={"acute"} else 2 for i in ids])
    oth = np.array([1 if other.get(i) else 0 for i in ids])
    A = np.abs(np.load(f"rep-s{s}/attribution.npy").astype(float)); H = np.sqrt(A/A.sum(1,keepdims=True))
    Z = PCA(12, whiten=True, random_state=0).fit_transform(H)
    for alg in ["k-means","gmm"]:
        c = cluster(Z, alg); m = t>=0
        print(s, alg, "terr %.2f stage %.2f other %.2f"%(ari(t[m],c[m]), ari(stage,c), ari(oth,c)), "sizes", np.bincount(c), "stage counts", np.bincount(stage))
        for g in [0,1]:
            print("   cluster",g, "terr AMI/IMI/none", [(c[t==v]==g).sum() for v in (0,1,-1)], "old/acute", [(c[stage==v]==g).sum() for v in (0,1)], "other", (c[oth==1]==g).sum())
