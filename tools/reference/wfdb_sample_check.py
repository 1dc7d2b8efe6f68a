"""Checks ecgxai's WFDB reader, R-peak detector and features on the real PhysioNet records that
wfdb-python ships in its repository (sample-data/), against wfdb-python and NeuroKit2, and writes
the small fixtures of Tests/Fixtures/ECGSignal/wfdb-sample.

  git clone https://github.com/MIT-LCP/wfdb-python   # or any copy of its sample-data/ folder
  swift build -c release
  .venv-ref/bin/python tools/reference/wfdb_sample_check.py wfdb-python/sample-data \
      [--ecgxai .build/release/ecgxai] [--fixtures] [--json out.json]

Prints three Markdown tables (docs/features.md keeps them):
1. reader: every header in sample-data (recursively), read by `wfdb.rdrecord` (physical, frames
   smoothed) and by `ecgxai convert`; the largest difference in digital units (LSB = 1/gain of
   the signal, in the header's unit) and whether NaN samples are at the same places;
2. R peaks: every record with a beat annotation file; sensitivity and PPV at ±150 ms of
   `ecgxai delineate`'s beats, wfdb's XQRS and NeuroKit2's ecg_peaks on the same lead(s); only
   beat symbols count as beats;
3. features of the PTB record s0010_re: ecgxai's global HR, PR, QRS, QT (12 standard leads)
   against NeuroKit2's dwt delineation per lead.
--fixtures rewrites Tests/Fixtures/ECGSignal/wfdb-sample: excerpts of those records (and files
copied verbatim where they are small) with what wfdb.rdrecord reads from them (float32, [signals, samples], voltages in mV), listed in
expected.json.
"""
import argparse, glob, json, os, shutil, subprocess, sys, tempfile, warnings
import numpy as np
import wfdb
from wfdb import processing

BEATS = set("NLRBAaJSVrFejnE/fQ?")
VOLTS = {"mV": 1.0, "uV": 1000.0, "µV": 1000.0, "μV": 1000.0, "nV": 1e6, "V": 0.001}
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def ecgxai_read(exe, path, tmp):
    """(samples [n, signals] in the header's units, None) or (None, the error message)."""
    out = os.path.join(tmp, "x.npy")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([exe, "convert", "--data", path + ".hea", "--out", out], capture_output=True, text=True)
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    return np.load(out)[0].T.astype(np.float64), None


def signal_specs(path):
    """Per signal of the (joined) record: (units, smallest |gain| over its segments), formats."""
    h = wfdb.rdheader(path)
    if isinstance(h, wfdb.MultiRecord):
        d = os.path.dirname(path)
        segs = [wfdb.rdheader(os.path.join(d, s)) for s in h.seg_name if s != "~"]
        layout = segs[0] if h.seg_len[0] == 0 else None
        names = (layout or segs[0]).sig_name
        units, gains, fmts = [], [], set()
        for k, name in enumerate(names):
            g, u = [], None
            for s in segs:
                if s.sig_len == 0 and s is layout:
                    u = u or s.units[k]
                    continue
                if name in s.sig_name:
                    i = s.sig_name.index(name)
                    g.append(abs(s.adc_gain[i]) or 200.0)
                    u = u or s.units[i]
                    fmts.add(s.fmt[i])
            units.append(u or "mV")
            gains.append(min(g) if g else 200.0)
        return units, gains, sorted(fmts, key=int), h
    return ([u or "mV" for u in h.units], [abs(g) or 200.0 for g in h.adc_gain],
            sorted(set(h.fmt or []), key=int), h)


def reader_table(root, exe):
    rows = []
    tmp = tempfile.mkdtemp()
    for hea in sorted(glob.glob(os.path.join(root, "**", "*.hea"), recursive=True)):
        path = hea[:-4]
        name = os.path.relpath(path, root)
        try:
            units, gains, fmts, h = signal_specs(path)
            info = dict(fmt="/".join(fmts) or "-", fs="%g" % h.fs, leads=h.n_sig)
        except Exception as e:
            info = dict(fmt="?", fs="?", leads="?")
            units = gains = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = wfdb.rdrecord(path).p_signal
            werr = None
        except Exception as e:
            theirs, werr = None, "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        ours, oerr = ecgxai_read(exe, path, tmp)
        row = dict(record=name, **info, wfdb=werr or "read", ecgxai=oerr or "read", max_lsb=None, nan_mismatch=None)
        if theirs is not None and theirs.ndim == 1:
            theirs = theirs[:, None]
        if theirs is not None and ours is not None:
            if theirs.shape != ours.shape:
                row["status"] = "differing (shape %s vs %s)" % (ours.shape, theirs.shape)
            else:
                scale = np.array([VOLTS.get(u, 1.0) for u in units])
                lsb = np.array(gains)
                mine = ours * scale
                nan_a, nan_b = np.isnan(mine), np.isnan(theirs)
                both = ~nan_a & ~nan_b
                diff = np.abs(mine - theirs) * lsb
                row["max_lsb"] = float(diff[both].max()) if both.any() else 0.0
                row["nan_mismatch"] = int((nan_a != nan_b).sum())
                ok = row["max_lsb"] <= 1.0 and row["nan_mismatch"] == 0
                row["status"] = "same" if ok else "differing"
        elif theirs is None and ours is None:
            row["status"] = "both refuse"
        elif theirs is None:
            row["status"] = "ecgxai reads, wfdb refuses"
        else:
            row["status"] = "ecgxai refuses, wfdb reads"
        rows.append(row)
        print("  %-45s %-28s %s" % (name, row["status"], (oerr or "")[:120]), file=sys.stderr)
    shutil.rmtree(tmp)
    return rows


def match(ref, test, window):
    """Greedy one-to-one matching of sorted times (s) within `window`: (true positives)."""
    test = np.sort(test)
    used = np.zeros(len(test), bool)
    tp = 0
    for t in np.sort(ref):
        i = np.searchsorted(test, t)
        best, bd = -1, window
        for j in (i - 1, i, i + 1):
            if 0 <= j < len(test) and not used[j] and abs(test[j] - t) <= bd:
                best, bd = j, abs(test[j] - t)
        if best >= 0:
            used[best] = True
            tp += 1
    return tp


def ecgxai_peaks(exe, path, leads, fs):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "f.csv")
        p = subprocess.run([exe, "delineate", "--data", path + ".hea", "--leads", leads, "--out", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip())
        import csv
        with open(out) as f:
            rows = [r for r in csv.DictReader(f) if r["lead"] == "all" and r["r_peak_sample"]]
        return np.array([int(r["r_peak_sample"]) for r in rows]) / fs


def rpeak_table(root, exe):
    import neurokit2 as nk
    cases = []
    for ext in ["atr", "qrs", "ecg", "gqrsh", "gqrsl", "sqrs", "wqrs"]:
        for f in sorted(glob.glob(os.path.join(root, "*." + ext))):
            rec = f[: -len(ext) - 1]
            if os.path.exists(rec + ".hea"):
                cases.append((rec, ext))
    rows = []
    for rec, ext in cases:
        name = os.path.relpath(rec, root)
        try:
            r = wfdb.rdrecord(rec)
        except Exception as e:
            rows.append(dict(record=name, annotation=ext, error="wfdb cannot read the record: %s" % e))
            continue
        ann = wfdb.rdann(rec, ext)
        afs = ann.fs or r.fs
        ref = np.array([s for s, c in zip(ann.sample, ann.symbol) if c in BEATS]) / afs
        ecg = [i for i, u in enumerate(r.units) if (u or "mV") in VOLTS and r.sig_name[i].upper() not in ("RESP", "CO2", "RESP. IMP.")]
        names = [r.sig_name[i] for i in ecg]
        first = r.p_signal[:, ecg[0]]
        first = np.nan_to_num(first, nan=float(np.nanmedian(first)))
        row = dict(record=name, annotation=ext, fs=r.fs, beats=len(ref), lead=names[0], leads=",".join(names))
        tests = {}
        try:
            tests["ecgxai (%s)" % "+".join(names)] = ecgxai_peaks(exe, rec, ",".join(names), r.fs)
            if len(names) > 1:
                tests["ecgxai (%s)" % names[0]] = ecgxai_peaks(exe, rec, names[0], r.fs)
        except RuntimeError as e:
            row["ecgxai_error"] = str(e)
        tests["XQRS"] = processing.xqrs_detect(first, fs=r.fs, verbose=False) / r.fs
        clean = nk.ecg_clean(first, sampling_rate=r.fs)
        _, info = nk.ecg_peaks(clean, sampling_rate=r.fs)
        tests["NeuroKit2"] = np.asarray(info["ECG_R_Peaks"]) / r.fs
        row["results"] = {}
        row["nan_samples"] = int(np.isnan(r.p_signal[:, ecg[0]]).sum())
        for k, t in tests.items():
            tp = match(ref, t, 0.150)
            row["results"][k] = dict(se=tp / max(len(ref), 1), ppv=tp / max(len(t), 1), found=len(t), tp=tp)
        rows.append(row)
    return rows


def ptb_features(root, exe):
    import neurokit2 as nk, csv
    rec = os.path.join(root, "s0010_re")
    leads = ["i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"]
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "f.csv")
        p = subprocess.run([exe, "features", "--data", rec + ".hea", "--leads", ",".join(leads), "--out", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        ours = next(csv.DictReader(open(out)))
    r = wfdb.rdrecord(rec)
    fs = r.fs
    per_lead = {}
    for lead in leads:
        x = r.p_signal[:, r.sig_name.index(lead)]
        clean = nk.ecg_clean(x, sampling_rate=fs)
        _, info = nk.ecg_peaks(clean, sampling_rate=fs)
        peaks = np.asarray(info["ECG_R_Peaks"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, w = nk.ecg_delineate(clean, peaks, sampling_rate=fs, method="dwt")
        def arr(k):
            return np.array([np.nan if v is None else v for v in w[k]], float)
        p_on, q_on, q_off, t_off = arr("ECG_P_Onsets"), arr("ECG_R_Onsets"), arr("ECG_R_Offsets"), arr("ECG_T_Offsets")
        rr = np.diff(peaks) / fs
        per_lead[lead] = dict(
            hr_bpm=60 / rr.mean(),
            pr_ms=float(np.nanmedian(q_on - p_on)) * 1000 / fs,
            qrs_ms=float(np.nanmedian(q_off - q_on)) * 1000 / fs,
            qt_ms=float(np.nanmedian(t_off - q_on)) * 1000 / fs,
            beats=len(peaks))
    table = []
    for k in ["hr_bpm", "pr_ms", "qrs_ms", "qt_ms"]:
        values = np.array([per_lead[l][k] for l in leads])
        table.append(dict(feature=k, ecgxai=float(ours[k]) if ours[k] else None,
                          nk_ii=per_lead["ii"][k], nk_median=float(np.nanmedian(values)),
                          nk_range=(float(np.nanmin(values)), float(np.nanmax(values)))))
    return dict(ecgxai_beats=ours.get("r_peaks"), per_lead=per_lead, table=table)


# ---------------------------------------------------------------- fixtures

def write_fixtures(root):
    out = os.path.join(ROOT, "Tests", "Fixtures", "ECGSignal", "wfdb-sample")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    expected = []

    def expect(name, note, standard=None):
        rec = wfdb.rdrecord(os.path.join(out, name))
        units = [u or "mV" for u in (rec.units or ["mV"] * rec.n_sig)]
        scale = np.array([1 / VOLTS.get(u, 1.0) for u in units])
        p = (rec.p_signal * scale).T
        np.save(os.path.join(out, name + ".expected.npy"), np.ascontiguousarray(p.astype(np.float32)))
        sunits, gains, _, _ = signal_specs(os.path.join(out, name))
        expected.append(dict(record=name, note=note, signals=rec.n_sig, samples=int(rec.sig_len), fs=rec.fs,
                             lsb=[float(1 / g / VOLTS.get(u, 1.0)) for g, u in zip(gains, sunits)],
                             lead_names=standard))

    def copy(*names, src=root):
        for n in names:
            shutil.copy(os.path.join(src, n), os.path.join(out, os.path.basename(n)))

    # Formats 8, 16, 61, 80, 160, 212, 310, 311, 24, 32 in one record (verbatim, 499 samples).
    copy("binformats.hea", *["binformats.d%d" % i for i in range(10)])
    expect("binformats", "verbatim: one signal in each of ten formats, CRLF, descriptions with spaces")
    copy("flacformats.hea", "flacformats.d0", "flacformats.d1", "flacformats.d2")
    expect("flacformats", "verbatim: FLAC-compressed signal files of formats 508, 516 and 524")
    for n in ["310derive_3", "311derive_3", "311derive_4"]:
        copy(n + ".hea", n + ".dat")
        expect(n, "verbatim: a trailing partial block of format %s" % n[:3])

    # MIT-BIH 100: the first 2 s, header laid out as sample-data's 100.hea (a comment before the
    # record line, a blank line between the signal lines, CRLF and LF mixed).
    d = wfdb.rdrecord(os.path.join(root, "100"), physical=False, sampto=3600)
    wfdb.wrsamp("100_excerpt", fs=360, units=d.units, sig_name=d.sig_name, d_signal=d.d_signal, fmt=d.fmt,
                adc_gain=d.adc_gain, baseline=d.baseline, write_dir=out)
    lines = open(os.path.join(out, "100_excerpt.hea")).read().splitlines()
    text = "# unnecessary comment\n" + lines[0] + "\r\n" + lines[1] + "\n\r\n" + lines[2] + "\r\n"
    text += "# 69 M 1085 1629 x1\r\n# Aldomet, Inderal\r\n"
    open(os.path.join(out, "100_excerpt.hea"), "w", newline="").write(text)
    expect("100_excerpt", "MIT-BIH 100, the first 10 s, 100.hea's layout (comment first, blank line, CRLF)",
           ["II", "V5"])
    ann = wfdb.rdann(os.path.join(root, "100"), "atr", sampto=3600)
    expected[-1]["reference_beats"] = [int(s) for s, c in zip(ann.sample, ann.symbol) if c in BEATS]

    # PTB s0010_re: the first 0.5 s of all 15 signals, lower-case names, CRLF, two signal files.
    d = wfdb.rdrecord(os.path.join(root, "s0010_re"), physical=False, sampto=500)
    os.makedirs(os.path.join(out, "tmp"))
    for part, idx in [("dat", range(12)), ("xyz", range(12, 15))]:
        wfdb.wrsamp("s0010_excerpt", fs=1000, units=[d.units[i] for i in idx], sig_name=[d.sig_name[i] for i in idx],
                    d_signal=d.d_signal[:, list(idx)], fmt=["16"] * len(idx), adc_gain=[d.adc_gain[i] for i in idx],
                    baseline=[d.baseline[i] for i in idx], write_dir=os.path.join(out, "tmp"))
        shutil.move(os.path.join(out, "tmp", "s0010_excerpt.dat"), os.path.join(out, "s0010_excerpt." + part))
        lines = open(os.path.join(out, "tmp", "s0010_excerpt.hea")).read().splitlines()
        if part == "dat":
            head = [lines[0].replace(" 12 ", " 15 ", 1)] + lines[1:]
        else:
            head += [l.replace("s0010_excerpt.dat", "s0010_excerpt.xyz") for l in lines[1:]]
    head += ["", "# age: 81", "# sex: female", "# ECG date: 01/10/1990"]
    shutil.rmtree(os.path.join(out, "tmp"))
    open(os.path.join(out, "s0010_excerpt.hea"), "w", newline="").write("\r\n".join(head) + "\r\n")
    expect("s0010_excerpt", "PTB s0010_re, 500 samples of 15 signals, lower-case names, CRLF, .dat + .xyz",
           ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6", "vx", "vy", "vz"])

    # Skew and several samples per frame: test01_00s's first 200 frames with the headers of
    # test01_00s_skew / _frame / _skewframe (their checksums recomputed for the excerpt).
    d = wfdb.rdrecord(os.path.join(root, "test01_00s"), physical=False, sampto=200)
    x = d.d_signal.astype("<i2")
    x.tofile(os.path.join(out, "test01_excerpt.dat"))
    def checksum(v):
        return int(np.sum(v.astype(np.int64))) & 0xFFFF
    for variant, spec in [("skew", [("16", [0]), ("16:3", [1]), ("16", [2]), ("16", [3])]),
                          ("frame", [("16", [0]), ("16x2", [1, 2]), ("16", [3])]),
                          ("skewframe", [("16:3", [0]), ("16x2", [1, 2]), ("16", [3])])]:
        name = "test01_" + variant
        text = "%s %d 500 200\n" % (name, len(spec))
        for k, (fmt, cols) in enumerate(spec):
            stored = x[:, cols].reshape(-1)
            text += "test01_excerpt.dat %s 100/mV 16 0 %d %d 0 ECG_%d\n" % (fmt, stored[0], checksum(stored), k + 1)
        open(os.path.join(out, name + ".hea"), "w").write(text)
        expect(name, "test01_00s excerpt with wfdb-python's %s header" % variant)

    # A variable-layout multi-segment record: p000878's layout header and its first two segments
    # (verbatim) behind a null segment, under a master header cut to those segments.
    ms = os.path.join(root, "multi-segment", "p000878")
    copy("3269321_layout.hea", "3269321_0001.hea", "3269321_0001.dat", "3269321_0002.hea", "3269321_0002.dat", src=ms)
    open(os.path.join(out, "p000878_excerpt.hea"), "w", newline="").write(
        "p000878_excerpt/4 4 125 4000 16:57:09.000 26/10/2137\r\n3269321_layout 0\r\n~ 250\r\n"
        "3269321_0001 2000\r\n3269321_0002 1750\r\n")
    expect("p000878_excerpt", "variable layout: MIMIC p000878's layout and first segments after a null one")
    # A fixed-layout record: 041s (two segments of 1000 frames, 212x4 ECG at 500 Hz), verbatim.
    copy("041s.hea", "041s01.hea", "041s01.dat", "041s02.hea", "041s02.dat", src=os.path.join(root, "multi-segment", "041s"))
    expect("041s", "fixed layout, verbatim: MIMIC 041s, 212x4 signals read as their frame means")

    # MATLAB signal files: a103l's first 500 samples as a MATLAB 4 file (as the Challenges write
    # them), once with the header's +24 and once without it; and as wfdb2mat writes them (MATLAB 5).
    import scipy.io
    d = wfdb.rdrecord(os.path.join(root, "a103l"), physical=False, sampto=500)
    scipy.io.savemat(os.path.join(out, "a103l_excerpt.mat"), {"val": d.d_signal.T.astype(np.int16)}, format="4")
    lines = open(os.path.join(root, "a103l.hea")).read().splitlines()
    sig = [l for l in lines[1:] if not l.startswith("#")]
    def checksums(line, k):
        f = line.split()
        f[0] = "a103l_excerpt.mat"
        f[5] = str(int(d.d_signal[0, k]))
        f[6] = str(checksum(d.d_signal[:, k]))
        return " ".join(f)
    body = [checksums(l, k) for k, l in enumerate(sig)]
    open(os.path.join(out, "a103l_excerpt.hea"), "w").write("a103l_excerpt 3 250 500\n" + "\n".join(body) + "\n")
    expect("a103l_excerpt", "a Challenge-style MATLAB 4 .mat (16+24)")
    open(os.path.join(out, "a103l_nooffset.hea"), "w").write(
        "a103l_nooffset 3 250 500\n" + "\n".join(l.replace("16+24", "16") for l in body) + "\n")
    expected.append(dict(record="a103l_nooffset", same_as="a103l_excerpt",
                         note="the same .mat with '16' (no +24) in the header: wfdb-python reads the "
                              "MATLAB header as samples; ecgxai reads the matrix where it starts"))
    from wfdb.io.convert.matlab import wfdb_to_mat
    cwd = os.getcwd()
    os.chdir(out)
    try:
        with open(os.devnull, "w") as null:
            old, sys.stdout = sys.stdout, null
            try:
                wfdb_to_mat("a103l_excerpt")
            finally:
                sys.stdout = old
    finally:
        os.chdir(cwd)
    expect("a103l_excerptm", "wfdb2mat's MATLAB 5 .mat (16+192) of the same excerpt")

    json.dump(dict(generated_by="tools/reference/wfdb_sample_check.py --fixtures", wfdb=wfdb.__version__,
                   records=expected), open(os.path.join(out, "expected.json"), "w"), indent=1)
    print("wrote %d fixtures to %s" % (len(expected), out), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sample_data")
    ap.add_argument("--ecgxai", default=os.path.join(ROOT, ".build", "release", "ecgxai"))
    ap.add_argument("--fixtures", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: reader,rpeaks,features")
    a = ap.parse_args()
    skip = set(a.skip.split(","))
    if a.fixtures:
        write_fixtures(a.sample_data)
    result = {}
    if "reader" not in skip:
        rows = reader_table(a.sample_data, a.ecgxai)
        result["reader"] = rows
        print("| record | format | fs (Hz) | signals | wfdb-python | ecgxai | max diff (LSB) |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            diff = "" if r["max_lsb"] is None else "%.3g" % r["max_lsb"]
            if r.get("nan_mismatch"):
                diff += " (%d NaN elsewhere)" % r["nan_mismatch"]
            ours = "read" if r["ecgxai"] == "read" else "refused: " + r["ecgxai"].replace("|", "/").replace(a.sample_data.rstrip("/") + "/", "")
            theirs = "read" if r["wfdb"] == "read" else "refused: " + r["wfdb"].replace("|", "/")[:90]
            print("| %s | %s | %s | %s | %s | %s | %s |" % (r["record"], r["fmt"], r["fs"], r["leads"], theirs, ours, diff))
        counts = {}
        for r in rows:
            counts[r["status"].split(" (")[0]] = counts.get(r["status"].split(" (")[0], 0) + 1
        print("\n" + ", ".join("%s: %d" % kv for kv in sorted(counts.items())) + "\n")
    if "rpeaks" not in skip:
        rows = rpeak_table(a.sample_data, a.ecgxai)
        result["rpeaks"] = rows
        print("| record | reference | beats | detector | Se | PPV |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            if "error" in r:
                print("| %s | %s | | %s | | |" % (r["record"], r["annotation"], r["error"]))
                continue
            for k, v in r["results"].items():
                print("| %s | .%s | %d | %s | %.4f | %.4f |" % (r["record"], r["annotation"], r["beats"], k, v["se"], v["ppv"]))
            if "ecgxai_error" in r:
                print("| %s | .%s | %d | ecgxai: %s | | |" % (r["record"], r["annotation"], r["beats"], r["ecgxai_error"]))
        print()
    if "features" not in skip:
        f = ptb_features(a.sample_data, a.ecgxai)
        result["features"] = f
        print("| s0010_re | ecgxai (12 leads) | NeuroKit2 lead II | NeuroKit2 median of 12 leads (range) | ecgxai − NK2 median |")
        print("|---|---|---|---|---|")
        def num(x, fmt="%.1f"):
            return "—" if x is None or x != x else fmt % x
        for r in f["table"]:
            diff = None if r["ecgxai"] is None else r["ecgxai"] - r["nk_median"]
            print("| %s | %s | %s | %s (%s–%s) | %s |" % (r["feature"], num(r["ecgxai"]), num(r["nk_ii"]), num(r["nk_median"]),
                  num(r["nk_range"][0]), num(r["nk_range"][1]), num(diff, "%+.1f")))
    if a.json:
        json.dump(result, open(a.json, "w"), indent=1, default=float)


if __name__ == "__main__":
    main()
