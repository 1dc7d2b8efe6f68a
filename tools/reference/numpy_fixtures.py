"""NumPy .npy fixtures for ECGSignal's reader (Tests/Fixtures/ECGSignal/npy/).

Writes the same 2 × 3 × 4 array (values i/8 − 1) as float32, float64, big-endian float32,
int64 and int16, a version-2.0 header, and a Fortran-order array the reader must refuse.

    .venv-ref/bin/python tools/reference/numpy_fixtures.py
"""
import os
import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "ECGSignal", "npy")
os.makedirs(OUT, exist_ok=True)
x = (np.arange(24, dtype=np.float64) / 8 - 1).reshape(2, 3, 4)
np.save(os.path.join(OUT, "f4.npy"), x.astype("<f4"))
np.save(os.path.join(OUT, "f8.npy"), x.astype("<f8"))
np.save(os.path.join(OUT, "f4_big_endian.npy"), x.astype(">f4"))
np.save(os.path.join(OUT, "i8.npy"), (x * 8).astype("<i8"))
np.save(os.path.join(OUT, "i2.npy"), (x * 8).astype("<i2"))
with open(os.path.join(OUT, "f4_v2.npy"), "wb") as f:
    npformat.write_array(f, x.astype("<f4"), version=(2, 0))
np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(x.astype("<f4")))
np.save(os.path.join(OUT, "strings.npy"), np.array(["a", "b"]))
print("wrote", sorted(os.listdir(OUT)))
