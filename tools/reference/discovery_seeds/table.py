# ARI of ecgxai's own discovery.json (run-PREFIXsS in the working folder, $DISCOVERY_SEEDS_DIR of study.sh) per
# method × representation × algorithm: python table.py 0,1,…,14 ["planted territory" | "planted stage"]
# ARI vs planted territory from ecgxai's own discovery.json (run-PREFIXsS), seeds given.
import json, sys, numpy as np
seeds=[int(v) for v in sys.argv[1].split(",")]
rows=[("saliency","run-s","attribution","gmm"),("saliency","run-s","attribution-l1","gmm"),("saliency","run-s","attribution-l1","k-means"),
      ("signed saliency","run-signed-s","attribution-l1","gmm"),("gxi","run-gxi-s","attribution-l1","gmm"),
      ("ig","run-ig-s","attribution","gmm"),("ig","run-ig-s","attribution-l1","gmm"),("ig","run-ig-s","attribution-l1","k-means"),
      ("(inputs)","run-s","beat","gmm"),("(inputs)","run-s","beat","k-means"),("(hidden)","run-s","hidden","gmm"),("(hidden)","run-s","hidden","k-means")]
key=sys.argv[2] if len(sys.argv)>2 else "planted territory"
for meth,pre,rep,alg in rows:
    v=[]
    for s in seeds:
        try: d=json.load(open(f"{pre}{s}/discovery.json"))
        except Exception: v.append(float('nan')); continue
        r=[x for x in d["results"] if x["representation"]==rep and x["algorithm"]==alg][0]
        v.append(r["scores"][key]["ari"])
    v=np.array(v)
    print(f"| {meth} | {rep} | {alg} | "+" ".join(f"{x:.2f}" for x in v)+f" | {np.nanmin(v):.2f} | {np.nanmean(v):.2f} | {int((v>=0.8).sum())} of {len(v)} |")
