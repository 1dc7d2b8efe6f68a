"""Checks a phantom cohort written by `ecgxai synth` with the field's own tools.

  .venv-ref/bin/python tools/reference/phantom_check.py DIR [--records N] [--npy X.npy]

1. wfdb-python reads every header and record (100 and 500 Hz) with warnings turned into errors;
   with --npy (from `ecgxai export DIR --rate 100 --out X.npy`) its samples are compared with ecgxai's.
2. Realism: NeuroKit2 (ecg_process on lead II at 500 Hz; ecg_delineate with the `prominence`
   method, and `dwt` with a control on NeuroKit2's own ECGSYN) measures HR, PR, QRS and QTc (Bazett)
   on NORM records; LVH records are checked against Sokolow-Lyon / Cornell on the true amplitudes
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


def nk_intervals(signals, peaks, method):
    """HR (bpm) and median PR, QRS, QT, QTc (Bazett) in ms from NeuroKit2's delineation of one lead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, waves = nk.ecg_delineate(signals["ECG_Clean"].values, peaks, sampling_rate=500, method=method)
        except Exception:  # NeuroKit2 fails on some records (e.g. shape mismatches in dwt); counted as missing
            waves = {}
    def med(a, b):
        if a not in waves or b not in waves:
            return np.nan
        x = np.asarray(waves[b], float) - np.asarray(waves[a], float)
        x = x[np.isfinite(x)]
        return float(np.median(x)) * 2 if len(x) else np.nan
    hr = float(np.mean(signals["ECG_Rate"]))
    qt = med("ECG_R_Onsets", "ECG_T_Offsets")
    return dict(hr=hr, pr=med("ECG_P_Onsets", "ECG_R_Onsets"), qrs=med("ECG_R_Onsets", "ECG_R_Offsets"),
                qt=qt, qtc=qt / np.sqrt(60 / hr))


def summarise(r, ranges):
    """Median, 5th/95th percentile, share in the reference range and share measured, per interval."""
    return {k: {"median": float(np.nanmedian(r[k])), "p5": float(np.nanpercentile(r[k], 5)),
                "p95": float(np.nanpercentile(r[k], 95)),
                "share_in_reference": float(np.mean((r[k] >= ranges[k][0]) & (r[k] <= ranges[k][1]))),
                "share_measured": float(np.mean(np.isfinite(r[k])))} for k in ranges}


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

    # 2. Realism with NeuroKit2 on NORM records (500 Hz, lead II). Intervals come from
    # NeuroKit2's `prominence` delineator; its `dwt` delineator is reported too, together with the
    # same measurement on NeuroKit2's own ECGSYN simulator, which shows that dwt's R-onset/offset
    # convention (not the phantom) is what stretches QRS and shortens PR.
    norm_ids = [i for i, c in db.scp_codes.items() if "NORM" in c and i not in set(findings.ecg_id)][: a.records]
    rows = {m: [] for m in ("prominence", "dwt")}
    tp = nfound = ntruth = 0
    for ecg_id in norm_ids:
        rec = wfdb.rdrecord(os.path.join(a.dir, db.loc[ecg_id, "filename_hr"]))
        ii = rec.p_signal[:, 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signals, info = nk.ecg_process(ii, sampling_rate=500)
        peaks = info["ECG_R_Peaks"]
        truth_r = fid500[fid500.ecg_id == ecg_id].r_peak.dropna().values
        inner = lambda p: p[(p >= 250) & (p < len(ii) - 250)]  # edge beats (first/last 0.5 s) excluded
        t, _, nf, nt = f1_score(inner(np.asarray(peaks)), inner(truth_r), 25)
        tp += t; nfound += nf; ntruth += nt
        for method in rows:
            rows[method].append(nk_intervals(signals, peaks, method))
    ranges = {"hr": (50, 100), "pr": (120, 200), "qrs": (80, 110), "qtc": (350, 450)}
    out["neurokit2_norm"] = {"records": len(norm_ids)}
    for method, rs in rows.items():
        out["neurokit2_norm"][method] = summarise(pd.DataFrame(rs), ranges)
    control = []
    for seed in range(50):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim = nk.ecg_simulate(duration=10, sampling_rate=500, heart_rate=70, method="ecgsyn", random_state=seed)
            signals, info = nk.ecg_process(sim, sampling_rate=500)
        control.append({m: nk_intervals(signals, info["ECG_R_Peaks"], m) for m in rows})
    out["neurokit2_on_its_own_ecgsyn_70bpm"] = {
        m: {k: float(np.nanmedian([c[m][k] for c in control])) for k in ("pr", "qrs", "qtc")} for m in rows}
    precision = tp / max(nfound, 1); recall = tp / max(ntruth, 1)
    out["neurokit2_rpeak_lead_II"] = {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-12)}

    # LVH voltage criteria and CLBBB QRS duration on the true amplitudes / intervals.
    planted = findings[findings.planted == 1]
    lvh = planted[planted.finding == "LVH"].ecg_id.values
    f = feats.loc[lvh]
    sokolow = -f["S_Amp_V1"] + np.maximum(f["R_Amp_V5"], f["R_Amp_V6"])
    sex = db.loc[lvh, "sex"].values
    cornell = f["R_Amp_aVL"] - f["S_Amp_V3"]
    cornell_pos = np.where(sex == 1, cornell > 2.0, cornell > 2.8)
    meets = (sokolow >= 3.5) | cornell_pos
    sev = planted[planted.finding == "LVH"].set_index("ecg_id").severity.loc[lvh].values
    out["lvh"] = {"records": int(len(lvh)), "sokolow_or_cornell": float(np.mean(meets)),
                  "sokolow_or_cornell_severity_ge_0.3": float(np.mean(meets[sev >= 0.3])) if np.any(sev >= 0.3) else None}
    cl = planted[planted.finding == "CLBBB"].ecg_id.values
    nk_qrs = []
    for ecg_id in cl:
        ii = wfdb.rdrecord(os.path.join(a.dir, db.loc[ecg_id, "filename_hr"])).p_signal[:, 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signals, info = nk.ecg_process(ii, sampling_rate=500)
        nk_qrs.append(nk_intervals(signals, info["ECG_R_Peaks"], "prominence")["qrs"])
    nk_qrs = np.asarray(nk_qrs)
    out["clbbb"] = {"records": int(len(cl)),
                    "truth_qrs_ge_120ms": float(np.mean(feats.loc[cl, "QRS_Dur_Global"] >= 120)) if len(cl) else None,
                    "neurokit2_prominence_qrs_ge_120ms": float(np.mean(nk_qrs[np.isfinite(nk_qrs)] >= 120)) if np.isfinite(nk_qrs).any() else None,
                    "neurokit2_prominence_qrs_median_ms": float(np.nanmedian(nk_qrs)) if np.isfinite(nk_qrs).any() else None}
    normq = feats.loc[norm_ids]
    out["truth_norm_intervals"] = {k: [float(normq[k].quantile(q)) for q in (0.05, 0.5, 0.95)]
                                   for k in ["HR__Global", "PR_Int_Global", "QRS_Dur_Global", "QT_IntCorr_Global", "R_Amp_II", "R_Amp_V5", "S_Amp_V1", "T_Amp_II", "P_Amp_II"]}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
