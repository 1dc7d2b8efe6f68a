"""Scores ecgxai's R peaks, delineation, features and concepts on a phantom cohort's exact truth,
and runs NeuroKit2 on the same records for comparison.

  ecgxai delineate --data DIR --rate 500 --out fid500.csv
  ecgxai features  --data DIR --rate 500 --out feat500.csv
  .venv-ref/bin/python tools/reference/signals_check.py DIR --fiducials fid500.csv --features feat500.csv \
      --rate 500 [--nk-records 200]

Prints one JSON object: R-peak sensitivity/PPV (±50 ms) overall and per planted finding; median
|error| per fiducial (ms); the same for NeuroKit2 (ecg_peaks + ecg_delineate "dwt" and
"prominence" on lead II); feature errors vs truth/unig_features.csv; and per expert concept the
share of positives among records with the matching planted finding vs among records without any.
"""
import argparse, json, os, warnings
import numpy as np
import pandas as pd

FID = ["p_on", "p_off", "qrs_on", "qrs_off", "t_peak", "t_off"]


def match(ours, truth, tol):
    """Greedy nearest matching of sorted sample positions; returns pairs (i_ours, i_truth)."""
    pairs, used = [], set()
    for j, t in enumerate(truth):
        if len(ours) == 0:
            break
        d = np.abs(ours - t).astype(float)
        d[list(used)] = np.inf
        i = int(np.argmin(d))
        if d[i] <= tol:
            used.add(i)
            pairs.append((i, j))
    return pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--fiducials", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--rate", type=int, default=500)
    ap.add_argument("--nk-records", type=int, default=200)
    a = ap.parse_args()
    rate = a.rate
    ms = 1000 / rate
    truth = pd.read_csv(os.path.join(a.dir, "truth", f"fiducials_{rate}hz.csv"))
    ours = pd.read_csv(a.fiducials)
    findings = pd.read_csv(os.path.join(a.dir, "truth", "findings.csv"))
    planted = findings[findings.planted == 1]
    by_record = planted.groupby("ecg_id").finding.apply(set).to_dict()
    n = 10 * rate
    edge = int(0.3 * rate)
    out = {"rate_hz": rate}

    def score(get_peaks, get_fid, ids):
        tp = nf = nt = 0
        per = {}
        errs = {k: [] for k in FID}
        for i in ids:
            t = truth[truth.ecg_id == i]
            tr = t.r_peak.dropna().values
            tr_in = tr[(tr >= edge) & (tr < n - edge)]
            op = get_peaks(i)
            op_in = op[(op >= edge) & (op < n - edge)]
            pairs = match(op_in, tr_in, 0.05 * rate)
            tp += len(pairs); nf += len(op_in); nt += len(tr_in)
            for f in by_record.get(i, {"none"}):
                c = per.setdefault(f, [0, 0, 0]); c[0] += len(pairs); c[1] += len(op_in); c[2] += len(tr_in)
            fid = get_fid(i)
            if fid is None:
                continue
            for io, it in pairs:
                trow = t[t.r_peak == tr_in[it]].iloc[0]
                orow = fid(op_in[io])
                if orow is None:
                    continue
                for k in FID:
                    if pd.notna(trow[k]) and orow.get(k) is not None and np.isfinite(orow[k]):
                        errs[k].append((orow[k] - trow[k]) * ms)
        res = {"sensitivity": tp / max(nt, 1), "ppv": tp / max(nf, 1), "beats": nt,
               "per_finding": {f: {"sensitivity": c[0] / max(c[2], 1), "ppv": c[0] / max(c[1], 1), "beats": c[2]} for f, c in sorted(per.items())}}
        res["median_abs_error_ms"] = {k: (float(np.median(np.abs(v))) if v else None) for k, v in errs.items()}
        res["median_error_ms"] = {k: (float(np.median(v)) if v else None) for k, v in errs.items()}
        return res

    ids = sorted(truth.ecg_id.unique())
    ok = ours[ours.status == "ok"]
    groups = {i: g for i, g in ok.groupby(ok.columns[0])}
    def our_peaks(i):
        g = groups.get(i)
        return np.array([]) if g is None else g.r_peak_sample.dropna().values.astype(int)
    def our_fid(i):
        g = groups.get(i)
        if g is None:
            return None
        def lookup(r):
            row = g[g.r_peak_sample == r]
            if row.empty:
                return None
            row = row.iloc[0]
            return {k: (row[f"{k}_sample"] if pd.notna(row[f"{k}_sample"]) else np.nan) for k in FID}
        return lookup
    out["ecgxai"] = score(our_peaks, our_fid, ids)

    # NeuroKit2 on lead II of the same records.
    import wfdb, neurokit2 as nk
    db = pd.read_csv(os.path.join(a.dir, "ptbxl_database.csv"), index_col="ecg_id")
    col = "filename_hr" if rate == 500 else "filename_lr"
    nk_ids = ids[: a.nk_records]
    for method in ("dwt", "prominence"):
        cache = {}
        for i in nk_ids:
            sig = wfdb.rdrecord(os.path.join(a.dir, db.loc[i, col])).p_signal[:, 1]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    clean = nk.ecg_clean(sig, sampling_rate=rate)
                    _, info = nk.ecg_peaks(clean, sampling_rate=rate)
                    peaks = np.asarray(info["ECG_R_Peaks"])
                    try:
                        _, w = nk.ecg_delineate(clean, peaks, sampling_rate=rate, method=method)
                    except Exception:
                        w = {}
                except Exception:
                    peaks, w = np.array([]), {}
            cache[i] = (peaks, w)
        keys = {"p_on": "ECG_P_Onsets", "p_off": "ECG_P_Offsets", "qrs_on": "ECG_R_Onsets", "qrs_off": "ECG_R_Offsets",
                "t_peak": "ECG_T_Peaks", "t_off": "ECG_T_Offsets"}
        def nk_fid(i):
            peaks, w = cache[i]
            def lookup(r):
                k = np.where(peaks == r)[0]
                if len(k) == 0:
                    return None
                k = k[0]
                return {f: (float(w[key][k]) if key in w and k < len(w[key]) and w[key][k] is not None and np.isfinite(w[key][k]) else np.nan)
                        for f, key in keys.items()}
            return lookup
        out[f"neurokit2_{method}_lead_II"] = score(lambda i: cache[i][0], nk_fid, nk_ids)

    # Features vs truth.
    feats = pd.read_csv(a.features, index_col=0)
    feats = feats[feats.status == "ok"]
    uni = pd.read_csv(os.path.join(a.dir, "truth", "unig_features.csv"), index_col="ecg_id").loc[feats.index]
    ferr = {}
    for name, ours_col, truth_col in [("PR", "pr_ms", "PR_Int_Global"), ("QRS", "qrs_ms", "QRS_Dur_Global"), ("QT", "qt_ms", "QT_Int_Global"),
                                      ("HR", "hr_bpm", "HR__Global")]:
        e = (feats[ours_col] - uni[truth_col]).dropna()
        ferr[name] = {"median_abs": float(e.abs().median()), "bias": float(e.median()), "n": int(len(e))}
    for wave in ["P", "Q", "R", "S", "T", "ST"]:
        e = pd.concat([(feats[f"{wave}_Amp_{l}_mV"] - uni[f"{wave}_Amp_{l}"]) for l in
                       ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]]).dropna()
        ferr[f"{wave} amplitude (mV)"] = {"median_abs": float(e.abs().median()), "bias": float(e.median()), "n": int(len(e))}
    out["features_vs_truth"] = ferr

    # Concepts vs planted findings.
    expected = {"SLI-LVH": {"LVH"}, "RS-LVH": {"LVH"}, "S12-LVH": {"LVH"}, "R56-LVH": {"LVH"}, "LI-LVH": {"LVH"},
                "QRS-LVH": {"LVH", "CLBBB", "CRBBB"}, "QRS-CLBBB": {"CLBBB", "CRBBB"},
                "ST-ELEV-MI": {"IMI", "ILMI", "ASMI", "AMI", "ALMI", "LMI"}, "ST-DEPR-MI": {"ISC_", "NST_", "LVH"},
                "MI-QPeak": {"IMI", "ILMI", "ALMI", "LMI"}, "MI-V2V3": {"ASMI", "AMI"}, "MI-RPeak": set(),
                "MI-All": {"IMI", "ILMI", "ASMI", "AMI", "ALMI", "LMI"}}
    none = [i for i in feats.index if i not in by_record]
    table = {}
    for concept, fs in expected.items():
        with_f = [i for i in feats.index if by_record.get(i, set()) & fs]
        table[concept] = {"expected_findings": sorted(fs), "share_with_finding": float(feats.loc[with_f, concept].mean()) if with_f else None,
                          "n_with_finding": len(with_f), "share_without_any_finding": float(feats.loc[none, concept].mean()) if none else None,
                          "n_without": len(none)}
    # Acute MI only for ST elevation.
    acute = set(findings[(findings.planted == 1) & (findings.stage == "acute")].ecg_id) & set(feats.index)
    table["ST-ELEV-MI"]["share_acute_mi"] = float(feats.loc[sorted(acute), "ST-ELEV-MI"].mean()) if acute else None
    table["QRS-CLBBB"]["share_clbbb"] = float(feats.loc[[i for i in feats.index if "CLBBB" in by_record.get(i, set())], "QRS-CLBBB"].mean())
    out["concepts"] = table
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
