"""Fixtures for ECGSignal's filters and resampling, computed with SciPy.

  .venv-ref/bin/python tools/reference/signal_fixtures.py   → Tests/Fixtures/ECGSignal/filters/

Input: one 5 s lead at 500 Hz from NeuroKit2's ECGSYN simulator (seed 0) plus 0.3 Hz baseline
wander and 50 Hz mains, and one 5 s lead at 360 Hz (MIT-BIH's rate), rounded to float32 (the
stored input is exactly what SciPy filtered, in float64). Each output is the SciPy call named in
cases.json applied along the last axis, stored as float32 .npy [1, samples] (rounding ≤ 6e-8
relative, far below the tests' 1e-5 tolerance).
"""
import json, os
import numpy as np
import neurokit2 as nk
from scipy import signal

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGSignal", "filters")
os.makedirs(out, exist_ok=True)
t = np.arange(2500) / 500
x = nk.ecg_simulate(duration=5, sampling_rate=500, method="ecgsyn", random_state=0)[None]
x = (x + 0.3 * np.sin(2 * np.pi * 0.3 * t) + 0.05 * np.sin(2 * np.pi * 50 * t)).astype(np.float32).astype(np.float64)
np.save(os.path.join(out, "input_500hz.npy"), x.astype(np.float32))
t360 = np.arange(1800) / 360
x360 = nk.ecg_simulate(duration=5, sampling_rate=360, method="ecgsyn", random_state=2)[None] + 0.2 * np.sin(2 * np.pi * 0.2 * t360)
x360 = x360.astype(np.float32).astype(np.float64)
np.save(os.path.join(out, "input_360hz.npy"), x360.astype(np.float32))

cases = []
def save(name, y, **spec):
    np.save(os.path.join(out, name + ".npy"), y.astype(np.float32))
    cases.append(dict(name=name, **spec))

for order, btype, wn in [(4, "bandpass", [0.5, 40]), (2, "highpass", [0.5]), (4, "lowpass", [40]),
                         (2, "bandstop", [45, 55]), (3, "highpass", [0.67]), (5, "lowpass", [100])]:
    sos = signal.butter(order, wn if len(wn) > 1 else wn[0], btype, fs=500, output="sos")
    save(f"sosfiltfilt_butter{order}_{btype}_{'_'.join(map(str, wn))}", signal.sosfiltfilt(sos, x, axis=-1),
         call="sosfiltfilt", order=order, type=btype, cutoffs=wn, rate=500)
    b, a = signal.butter(order, wn if len(wn) > 1 else wn[0], btype, fs=500)
    cases[-1]["b"], cases[-1]["a"] = b.tolist(), a.tolist()
b, a = signal.butter(2, [0.5, 40], "bandpass", fs=500)
save("filtfilt_butter2_bandpass_0.5_40", signal.filtfilt(b, a, x, axis=-1), call="filtfilt", order=2, type="bandpass", cutoffs=[0.5, 40], rate=500, b=b.tolist(), a=a.tolist())
b, a = signal.iirnotch(50, 30, fs=500)
save("filtfilt_notch50_q30", signal.filtfilt(b, a, x, axis=-1), call="filtfilt", notch=50, quality=30, rate=500, b=b.tolist(), a=a.tolist())
for up, down in [(1, 5), (5, 1), (1, 2)]:
    save(f"resample_poly_{up}_{down}", signal.resample_poly(x, up, down, axis=-1), call="resample_poly", up=up, down=down, input="input_500hz")
save("resample_poly_25_18", signal.resample_poly(x360, 25, 18, axis=-1), call="resample_poly", up=25, down=18, input="input_360hz")
json.dump(cases, open(os.path.join(out, "cases.json"), "w"), indent=1)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
