# Part 2 table: python table2.py 0,…,9 "planted subtype, old stage" run-asmi-ig-s,run-asmi-s (run in $DISCOVERY_SEEDS_DIR)
import json, sys, numpy as np
seeds=[int(v) for v in sys.argv[1].split(",")]
key=sys.argv[2]
rows=[(p,r,a) for p in sys.argv[3].split(",") for r,a in [("attribution","gmm"),("attribution-l1","gmm"),("attribution-l1","k-means"),("beat","gmm"),("beat","k-means"),("hidden","k-means")]]
for pre,rep,alg in rows:
    v=[]; fem=[]
    for s in seeds:
        try: d=json.load(open(f"{pre}{s}/discovery.json"))
        except Exception: v.append(np.nan); continue
        r=[x for x in d["results"] if x["representation"]==rep and x["algorithm"]==alg][0]
        v.append(r["scores"][key]["ari"]); fem.append("/".join(f"{f*100:.0f}" for f in r["female_share"]))
    v=np.array(v)
    print(f"| {pre} | {rep} | {alg} | "+" ".join(f"{x:.2f}" for x in v)+f" | {np.nanmin(v):.2f} | {np.nanmean(v):.2f} | {' '.join(fem)}")
