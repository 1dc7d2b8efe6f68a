"""Writes the WFDB and PTB-XL fixtures of Tests/Fixtures/ECGSignal with wfdb-python.

  .venv-ref/bin/python tools/reference/wfdb_fixtures.py

- wfdb/fmt16, fmt212 (odd sample count), fmt80: records written by wfdb.wrsamp, and for each
  `NAME.p_signal.npy`, what wfdb.rdrecord reads back (float32, [samples, signals] transposed to
  [signals, samples]).
- ptbxl/: a six-record PTB-XL-layout folder (PTB-XL's real scp_statements.csv rows, scp_codes
  with likelihood 0 and 35, two folds) and `labels.json`: the label matrices of the six tasks as the
  PTB-XL benchmark's compute_label_aggregations + select_data (min_samples 0) derive them.
"""
import ast, json, os, shutil
import numpy as np
import pandas as pd
import wfdb
from sklearn.preprocessing import MultiLabelBinarizer

root = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGSignal")
wdir = os.path.join(root, "wfdb")
shutil.rmtree(wdir, ignore_errors=True)
os.makedirs(wdir)
rng = np.random.default_rng(7)

def write(name, fmt, n_sig, n, gain, baseline):
    t = np.arange(n) / 100
    sig = np.stack([0.8 * np.sin(2 * np.pi * (1 + k) * t) + 0.05 * rng.standard_normal(n) for k in range(n_sig)], 1)
    if fmt == "80":
        sig = np.clip(sig, -0.6, 0.6)
    d = np.round(sig * gain).astype(int) + baseline
    wfdb.wrsamp(name, fs=100, units=["mV"] * n_sig, sig_name=[f"S{k}" for k in range(n_sig)],
                d_signal=d, fmt=[fmt] * n_sig, adc_gain=[gain] * n_sig, baseline=[baseline] * n_sig,
                write_dir=wdir)
    rec = wfdb.rdrecord(os.path.join(wdir, name))
    np.save(os.path.join(wdir, name + ".p_signal.npy"), np.ascontiguousarray(rec.p_signal.T.astype(np.float32)))

write("fmt16", "16", 12, 200, 1000.0, 0)
write("fmt212", "212", 3, 101, 200.0, 5)
write("fmt80", "80", 2, 64, 100.0, -3)

# PTB-XL-layout folder.
pdir = os.path.join(root, "ptbxl")
shutil.rmtree(pdir, ignore_errors=True)
os.makedirs(os.path.join(pdir, "records100", "00000"))
statements = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "ECGPhantom", "SCPStatements.swift")
text = open(statements).read().split('#"""\n')[1].split('\n"""#')[0] + "\n"
open(os.path.join(pdir, "scp_statements.csv"), "w").write(text)
codes = [
    {"NORM": 100.0, "SR": 0.0},
    {"IMI": 35.0, "ASMI": 100.0, "SR": 0.0},
    {"LVH": 100.0, "VCLVH": 0.0, "ISC_": 50.0, "SR": 0.0},
    {"CLBBB": 100.0, "AFIB": 0.0},
    {"NDT": 0.0, "STACH": 0.0},
    {"PVC": 100.0, "SR": 0.0},
]
rows = []
for i, c in enumerate(codes, start=1):
    name = f"{i:05d}_lr"
    sig = 0.1 * rng.standard_normal((50, 12))
    wfdb.wrsamp(name, fs=100, units=["mV"] * 12, sig_name=["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"],
                p_signal=sig, fmt=["16"] * 12, adc_gain=[1000.0] * 12, baseline=[0] * 12,
                write_dir=os.path.join(pdir, "records100", "00000"))
    rows.append(dict(ecg_id=i, patient_id=float(1000 + i), age=float(40 + 5 * i), sex=i % 2, height="", weight=70.0,
                     scp_codes=str(c), strat_fold=9 + (i % 2),
                     filename_lr=f"records100/00000/{name}", filename_hr=f"records500/00000/{i:05d}_hr"))
pd.DataFrame(rows).to_csv(os.path.join(pdir, "ptbxl_database.csv"), index=False)

# Labels as the PTB-XL benchmark derives them (helme/ecg_ptbxl_benchmarking, code/utils/utils.py).
df = pd.read_csv(os.path.join(pdir, "ptbxl_database.csv"), index_col="ecg_id")
df.scp_codes = df.scp_codes.apply(ast.literal_eval)
agg = pd.read_csv(os.path.join(pdir, "scp_statements.csv"), index_col=0)
diag = agg[agg.diagnostic == 1.0]
def labels(y, task):
    if task == "all": return list(set(y.keys()))
    if task == "diagnostic": return list(set(k for k in y if k in diag.index))
    if task == "subdiagnostic": return list(set(diag.loc[k].diagnostic_subclass for k in y if k in diag.index and str(diag.loc[k].diagnostic_subclass) != "nan"))
    if task == "superdiagnostic": return list(set(diag.loc[k].diagnostic_class for k in y if k in diag.index and str(diag.loc[k].diagnostic_class) != "nan"))
    sub = agg[agg[task] == 1.0]
    return list(set(k for k in y if k in sub.index))
out = {}
for task in ["all", "diagnostic", "subdiagnostic", "superdiagnostic", "form", "rhythm"]:
    y = df.scp_codes.apply(lambda c: labels(c, task))
    keep = y.apply(len) > 0
    mlb = MultiLabelBinarizer().fit(y[keep].values)
    out[task] = {"classes": list(mlb.classes_), "ecg_ids": [int(i) for i in y[keep].index],
                 "matrix": mlb.transform(y[keep].values).tolist()}
json.dump(out, open(os.path.join(pdir, "labels.json"), "w"), indent=1)
print("fixtures written to", os.path.abspath(root))
