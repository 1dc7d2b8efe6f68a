import Foundation

/// Wave amplitudes of one lead, measured on the median beat (mV; baseline = PR-segment level).
public struct LeadAmplitudes: Sendable, Equatable, Codable {
  /// P: signed extreme between P onset and offset (nil without P wave).
  public var p: Double?
  /// Q: min(0, minimum before the R maximum); for a QS complex the QRS minimum.
  public var q: Double
  /// R: max(0, QRS maximum); 0 for a QS complex (maximum ≤ 0.02 mV).
  public var r: Double
  /// S: min(0, minimum after the R maximum).
  public var s: Double
  /// T: signed extreme between T onset and offset (nil when no T wave was delineated).
  public var t: Double?
  /// ST level at J + 60 ms.
  public var st: Double
  /// Level at the J point (QRS offset).
  public var j: Double
  /// Q duration in ms: from QRS onset until an initial negative deflection returns to 0.
  public var qDurationMs: Double
  /// R duration in ms: the positive deflection around the R maximum, between its zero crossings
  /// (bounded by the QRS); 0 without R.
  public var rDurationMs: Double
}

/// Per-record ECG features from a delineation: rhythm, intervals, per-lead amplitudes, axis and
/// voltage indices. Amplitudes follow the definitions of the phantom's truth and PTB-XL+'s
/// Uni-G table (docs/features.md); intervals are global (all leads).
public struct ECGFeatures: Sendable, Equatable, Codable {
  /// Number of R peaks.
  public var rPeakCount: Int
  /// Heart rate in bpm (60 000 / mean RR).
  public var heartRateBpm: Double
  /// Mean RR interval in ms.
  public var rrMeanMs: Double
  /// PR interval (P onset → QRS onset) in ms.
  public var prMs: Double?
  /// P-wave duration in ms.
  public var pDurationMs: Double?
  /// QRS duration in ms.
  public var qrsMs: Double
  /// QT interval (QRS onset → T offset) in ms, on the median beat.
  public var qtMs: Double?
  /// QTc by Bazett (QT / √RR[s]) in ms.
  public var qtcBazettMs: Double?
  /// QTc by Fridericia (QT / ∛RR[s]) in ms.
  public var qtcFridericiaMs: Double?
  /// Frontal QRS axis in degrees (from the net QRS deflections R + Q + S of I and aVF).
  public var frontalAxisDeg: Double?
  /// Amplitudes per lead, in the record's lead order; nil for a lead that was unusable (flat).
  public var leads: [LeadAmplitudes?]
  /// Lead names of `leads`.
  public var leadNames: [String]

  /// The amplitudes of a lead by name (case-insensitive; `AVL` = `aVL`); nil when the record has
  /// no such lead or it was unusable.
  public func lead(_ name: String) -> LeadAmplitudes? {
    leadNames.firstIndex { $0.uppercased() == name.uppercased() }.flatMap { leads[$0] }
  }

  /// Names of the leads that were unusable (flat) and have no amplitudes.
  public var unusableLeads: [String] { leadNames.indices.filter { leads[$0] == nil }.map { leadNames[$0] } }

  /// Sokolow-Lyon index |S(V1)| + max(R(V5), R(V6)) in mV.
  public var sokolowLyonMv: Double? {
    guard let v1 = lead("V1"), let v5 = lead("V5"), let v6 = lead("V6") else { return nil }
    return -v1.s + max(v5.r, v6.r)
  }
  /// Cornell voltage R(aVL) + |S(V3)| in mV.
  public var cornellMv: Double? {
    guard let avl = lead("aVL"), let v3 = lead("V3") else { return nil }
    return avl.r - v3.s
  }
  /// Cornell product: Cornell voltage (+ 0.8 mV in women) × QRS duration, in mV·ms.
  public func cornellProduct(female: Bool) -> Double? { cornellMv.map { ($0 + (female ? 0.8 : 0)) * qrsMs } }
  /// R-wave progression: the first precordial lead (1 = V1 … 6 = V6) whose R ≥ |S| (the
  /// transition zone; normally V3–V4), nil when no precordial lead has R ≥ |S|.
  public var rWaveTransition: Int? {
    (1...6).first { k in lead("V\(k)").map { $0.r > 0 && $0.r >= -$0.s } ?? false }
  }
  /// Poor R-wave progression: R(V3) ≤ 0.3 mV (nil without V3).
  public var poorRWaveProgression: Bool? { lead("V3").map { $0.r <= 0.3 } }

  /// Lewis index (R(I) + |S(III)|) − (R(III) + |S(I)|) in mV.
  public var lewisIndexMv: Double? {
    guard let i = lead("I"), let iii = lead("III") else { return nil }
    return (i.r - iii.s) - (iii.r - i.s)
  }

  /// Measures the features of a delineated record.
  public init(_ delineation: Delineation) {
    let template = delineation.template
    let f = delineation.templateFiducials
    let rate = template.samplingRateHz
    let m = template.sampleCount
    let index = { (t: Double) in min(m - 1, max(0, Int((t * rate).rounded()))) }
    rPeakCount = delineation.rPeaks.samples.count
    let rr = delineation.rPeaks.rrIntervalsMs
    rrMeanMs = rr.isEmpty ? .nan : rr.reduce(0, +) / Double(rr.count)
    heartRateBpm = 60_000 / rrMeanMs
    prMs = f.pOnset.map { (f.qrsOnset - $0) * 1000 }
    pDurationMs = f.pOnset.flatMap { on in f.pOffset.map { ($0 - on) * 1000 } }
    qrsMs = (f.qrsOffset - f.qrsOnset) * 1000
    qtMs = f.tOffset.map { ($0 - f.qrsOnset) * 1000 }
    let rrSeconds = rrMeanMs / 1000
    qtcBazettMs = qtMs.map { $0 / rrSeconds.squareRoot() }
    qtcFridericiaMs = qtMs.map { $0 / pow(rrSeconds, 1.0 / 3) }
    leadNames = template.leadNames
    let (qrsOn, qrsOff) = (index(f.qrsOnset), index(f.qrsOffset))
    let j60 = index(f.qrsOffset + 0.06)
    let usable = delineation.rPeaks.usableLeads
    leads = (0..<template.leadNames.count).map { lead -> LeadAmplitudes? in
      guard usable.count != template.leadNames.count || usable[lead] else { return nil }
      let x = Array(template.lead(lead))
      let qrs = Array(x[qrsOn...max(qrsOn, qrsOff)])
      let maxIndex = qrs.indices.max { qrs[$0] < qrs[$1] }!
      var q = 0.0, r = 0.0, s = 0.0
      if qrs[maxIndex] <= 0.02 {
        q = min(0, qrs.min()!)
      } else {
        r = max(0, qrs[maxIndex])
        q = min(0, qrs[..<maxIndex].min() ?? 0)
        s = min(0, qrs[(maxIndex + 1)...].min() ?? 0)
      }
      func signedExtreme(_ from: Double?, _ to: Double?) -> Double? {
        guard let from, let to else { return nil }
        let w = x[index(from)...max(index(from), index(to))]
        return w.max { abs($0) < abs($1) }
      }
      // Q duration: from QRS onset while the deflection stays below 0.
      var qEnd = qrsOn
      if q < 0 {
        while qEnd < qrsOff && x[qEnd] <= 0 { qEnd += 1 }
      }
      var rDuration = 0.0
      if r > 0 {
        var a = qrsOn + maxIndex, b = qrsOn + maxIndex
        while a > qrsOn && x[a - 1] > 0 { a -= 1 }
        while b < qrsOff && x[b + 1] > 0 { b += 1 }
        rDuration = Double(b - a + 1) / rate * 1000
      }
      return LeadAmplitudes(
        p: signedExtreme(f.pOnset, f.pOffset), q: q, r: r, s: s, t: signedExtreme(f.tOnset, f.tOffset),
        st: x[j60], j: x[qrsOff], qDurationMs: Double(qEnd - qrsOn) / rate * 1000, rDurationMs: rDuration)
    }
    let (names, amplitudes) = (leadNames, leads)
    let named = { (name: String) in names.firstIndex { $0.uppercased() == name }.flatMap { amplitudes[$0] } }
    if let i = named("I"), let avf = named("AVF") {
      let netI = i.r + i.q + i.s
      let netF = avf.r + avf.q + avf.s
      frontalAxisDeg = atan2(netF, netI) * 180 / .pi
    } else {
      frontalAxisDeg = nil
    }
  }
}
