"""NeuroKit2 peer of `ecgxai bench signals`: ecg_clean + ecg_peaks + ecg_delineate (dwt) on every
lead of the first N records of a PTB-XL-layout folder, at 100 and 500 Hz; records/s (one process,
one thread). Reading the files is not timed.
  .venv-ref/bin/python tools/bench/signals_nk.py DIR [--records 20]
"""
import argparse, json, os, time, warnings
import pandas as pd
import wfdb
import neurokit2 as nk

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--records", type=int, default=20)
a = ap.parse_args()
db = pd.read_csv(os.path.join(a.dir, "ptbxl_database.csv"), index_col="ecg_id").iloc[: a.records]
out = {}
for rate, col in [(100, "filename_lr"), (500, "filename_hr")]:
    signals = [wfdb.rdrecord(os.path.join(a.dir, f)).p_signal for f in db[col]]
    failed = 0
    start = time.perf_counter()
    for x in signals:
        for lead in range(x.shape[1]):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    clean = nk.ecg_clean(x[:, lead], sampling_rate=rate)
                    _, info = nk.ecg_peaks(clean, sampling_rate=rate)
                    nk.ecg_delineate(clean, info["ECG_R_Peaks"], sampling_rate=rate, method="dwt")
                except Exception:
                    failed += 1
    out[f"records_per_s_{rate}hz"] = len(signals) / (time.perf_counter() - start)
    out[f"failed_leads_{rate}hz"] = failed
out["records"] = len(db)
print(json.dumps(out))
