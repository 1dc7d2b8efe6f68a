"""Checks a phantom cohort written by `ecgxai synth` with the field's own tools.

  .venv-ref/bin/python tools/reference/phantom_check.py DIR [--records N] [--npy X.npy]

1. wfdb-python reads every header and record (100 and 500 Hz) with warnings turned into errors;
   with --npy (from `ecgxai export DIR --rate 100 --out X.npy`) its samples are compared with ecgxai's.
2. Realism: NeuroKit2 (ecg_process on lead II at 500 Hz) measures HR, PR, QRS and QTc (Bazett) on
   NORM records; LVH records are checked against Sokolow-Lyon / Cornell on the true amplitudes
   (truth/unig_features.csv); CLBBB QRS durations; NeuroKit2 R-peak F1 (±50 ms) on lead II vs truth.
Prints one JSON object.
"""
import argparse, ast, json, os, sys, warnings
import numpy as np
import pandas as pd
import wfdb
import neurokit2 as nk

warnings.simplefilter("error")


def f1_score(found, truth, tol):
    found, truth = np.asarray(found), np.asarray(truth)
    if len(found) == 0 or len(truth) == 0:
        return 0.0, 0, len(found), len(truth)
    used = np.zeros(len(found), bool)
    tp = 0
    for t in truth:
        d = np.abs(found - t)
        d[used] = 1 << 30
        j = int(np.argmin(d))
        if d[j] <= tol:
            used[j] = True
            tp += 1
    return tp, tp, len(found), len(truth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--npy")
    a = ap.parse_args()
    db = pd.read_csv(os.path.join(a.dir, "ptbxl_database.csv"), index_col="ecg_id")
    db.scp_codes = db.scp_codes.apply(ast.literal_eval)
    findings = pd.read_csv(os.path.join(a.dir, "truth", "findings.csv"))
    feats = pd.read_csv(os.path.join(a.dir, "truth", "unig_features.csv"), index_col="ecg_id")
    fid500 = pd.read_csv(os.path.join(a.dir, "truth", "fiducials_500hz.csv"))
    out = {}

    # 1. wfdb-python reads everything without warnings.
    read = 0
    lr = []
    for ecg_id, row in db.iterrows():
        for col in ("filename_lr", "filename_hr"):
            rec = wfdb.rdrecord(os.path.join(a.dir, row[col]))
            assert rec.sig_name == ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"], rec.sig_name
            assert rec.units == ["mV"] * 12 and rec.fmt == ["16"] * 12
            if col == "filename_lr":
                lr.append(rec.p_signal.T.astype(np.float32))
            read += 1
    out["wfdb_records_read_without_warning"] = read
    lr = np.stack(lr)
    if a.npy:
        ours = np.load(a.npy)
        out["wfdb_vs_ecgxai_max_abs_diff_mV"] = float(np.abs(ours - lr).max())
    # Limb-lead identities on the written data (quantised to 1 uV).
    I, II, III, aVR, aVL, aVF = (lr[:, k] for k in range(6))
    out["identity_max_abs_uV"] = {
        "III=II-I": float(np.abs(III - (II - I)).max() * 1000),
        "aVR=-(I+II)/2": float(np.abs(aVR + (I + II) / 2).max() * 1000),
        "aVL=I-II/2": float(np.abs(aVL - (I - II / 2)).max() * 1000),
        "aVF=II-I/2": float(np.abs(aVF - (II - I / 2)).max() * 1000),
    }

    # 2. Realism with NeuroKit2 on NORM records (500 Hz, lead II).
    norm_ids = [i for i, c in db.scp_codes.items() if "NORM" in c and i not in set(findings.ecg_id)][: a.records]
    rows = []
    tp = nfound = ntruth = 0
    for ecg_id in norm_ids:
        rec = wfdb.rdrecord(os.path.join(a.dir, db.loc[ecg_id, "filename_hr"]))
        ii = rec.p_signal[:, 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signals, info = nk.ecg_process(ii, sampling_rate=500)
            cleaned = signals["ECG_Clean"].values
            peaks = info["ECG_R_Peaks"]
            _, waves = nk.ecg_delineate(cleaned, peaks, sampling_rate=500, method="dwt")
        truth_r = fid500[fid500.ecg_id == ecg_id].r_peak.dropna().values
        inner = lambda p: p[(p >= 250) & (p < len(ii) - 250)]  # edge beats (first/last 0.5 s) excluded
        t, _, nf, nt = f1_score(inner(np.asarray(peaks)), inner(truth_r), 25)
        tp += t; nfound += nf; ntruth += nt
        def med(a, b):
            x = np.asarray(waves[b], float) - np.asarray(waves[a], float)
            x = x[np.isfinite(x)]
            return float(np.median(x)) * 2 if len(x) else np.nan
        hr = float(np.mean(signals["ECG_Rate"]))
        rr = 60 / hr
        qt = med("ECG_R_Onsets", "ECG_T_Offsets")
        rows.append(dict(hr=hr, pr=med("ECG_P_Onsets", "ECG_R_Onsets"), qrs=med("ECG_R_Onsets", "ECG_R_Offsets"),
                         qt=qt, qtc=qt / np.sqrt(rr)))
    r = pd.DataFrame(rows)
    ranges = {"hr": (50, 100), "pr": (120, 200), "qrs": (80, 110), "qtc": (350, 450)}
    out["neurokit2_norm"] = {
        k: {"median": float(np.nanmedian(r[k])), "p5": float(np.nanpercentile(r[k], 5)), "p95": float(np.nanpercentile(r[k], 95)),
            "share_in_reference": float(np.mean((r[k] >= ranges[k][0]) & (r[k] <= ranges[k][1])))}
        for k in ranges}
    out["neurokit2_norm"]["records"] = len(r)
    precision = tp / max(nfound, 1); recall = tp / max(ntruth, 1)
    out["neurokit2_rpeak_lead_II"] = {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-12)}

    # LVH voltage criteria and CLBBB QRS duration on the true amplitudes / intervals.
    lvh = findings[findings.finding == "LVH"].ecg_id.values
    f = feats.loc[lvh]
    sokolow = -f["S_Amp_V1"] + np.maximum(f["R_Amp_V5"], f["R_Amp_V6"])
    sex = db.loc[lvh, "sex"].values
    cornell = f["R_Amp_aVL"] - f["S_Amp_V3"]
    cornell_pos = np.where(sex == 1, cornell > 2.0, cornell > 2.8)
    meets = (sokolow >= 3.5) | cornell_pos
    sev = findings[findings.finding == "LVH"].set_index("ecg_id").severity.loc[lvh].values
    out["lvh"] = {"records": int(len(lvh)), "sokolow_or_cornell": float(np.mean(meets)),
                  "sokolow_or_cornell_severity_ge_0.3": float(np.mean(meets[sev >= 0.3])) if np.any(sev >= 0.3) else None}
    cl = findings[findings.finding == "CLBBB"].ecg_id.values
    out["clbbb"] = {"records": int(len(cl)), "qrs_ge_120ms": float(np.mean(feats.loc[cl, "QRS_Dur_Global"] >= 120)) if len(cl) else None}
    normq = feats.loc[norm_ids]
    out["truth_norm_intervals"] = {k: [float(normq[k].quantile(q)) for q in (0.05, 0.5, 0.95)]
                                   for k in ["HR__Global", "PR_Int_Global", "QRS_Dur_Global", "QT_IntCorr_Global", "R_Amp_II", "R_Amp_V5", "S_Amp_V1", "T_Amp_II", "P_Amp_II"]}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
