#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The true measurements of a phantom record, taken on its noise-free template beat (the
/// beat at the record's mean RR with no beat-to-beat variation), through the record's electrode
/// gains. Amplitudes in mV relative to the isoelectric line (0), durations in ms.
///
/// Definitions (docs/phantom.md): P = signed extreme in [P on, P off]; R = max(0, max in QRS);
/// Q = min(0, min between QRS onset and the R maximum); S = min(0, min between the R maximum
/// and QRS offset); a complex with max ≤ 0.02 mV is QS: Q = its minimum, R = S = 0;
/// T = signed extreme in [T on, T off]; ST = value at J + 60 ms; Q duration = time from QRS onset
/// until the initial negative deflection returns to 0 (0 when the QRS starts positive).
public struct TemplateMeasurements: Sendable, Equatable {
  /// Per lead (PTB-XL order), mV; P is nil without P waves (AFIB).
  public var pAmplitude: [Double?]
  public var qAmplitude: [Double]
  public var rAmplitude: [Double]
  public var sAmplitude: [Double]
  public var tAmplitude: [Double]
  public var stAmplitude: [Double]
  /// Duration of the initial negative QRS deflection per lead, ms.
  public var qDurationMs: [Double]
  /// Heart rate from the beats inside the record, bpm.
  public var heartRateBpm: Double
  /// Mean RR, ms.
  public var rrMeanMs: Double
  /// PR (P onset → QRS onset), P duration, QRS duration, QT (QRS onset → T offset), ms; PR and P nil in AFIB.
  public var prMs: Double?, pDurationMs: Double?
  public var qrsMs: Double, qtMs: Double
  /// QT corrected by Bazett (QT / √RR) and Fridericia (QT / ∛RR), ms.
  public var qtcBazettMs: Double, qtcFridericiaMs: Double
  /// Number of beats whose QRS onset lies in the record.
  public var beatCount: Int

  init(_ spec: PhantomRecordSpec, beats: Int, meanRR: Double, rrs: [Double]) {
    let lobes = BeatModel.lobes(spec, findings: Set(spec.findings.keys), jitter: .template(rr: meanRR))
    let fiducials = BeatFiducials(lobes: lobes)
    let step = 0.0005
    func leadsAt(_ t: Double) -> [Double] {
      var v = HeartVector.zero
      for lobe in lobes { v += lobe.weight(at: t) * lobe.amplitude }
      var out = [Double](repeating: 0, count: 12)
      RecordSynthesizer.leadValues(v, gains: spec.noise.electrodeGains, into: &out)
      return out
    }
    func samples(_ from: Double, _ to: Double) -> [(t: Double, v: [Double])] {
      stride(from: from, through: to, by: step).map { ($0, leadsAt($0)) }
    }
    let qrs = samples(fiducials.qrsOnset, fiducials.qrsOffset)
    var p = [Double?](repeating: nil, count: 12)
    if let on = fiducials.pOnset, let off = fiducials.pOffset {
      let wave = samples(on, off)
      for l in 0..<12 { p[l] = wave.map { $0.v[l] }.max { abs($0) < abs($1) } }
    }
    let tWave = samples(fiducials.tOnset, fiducials.tOffset)
    let st = leadsAt(fiducials.qrsOffset + 0.06)
    var q = [Double](repeating: 0, count: 12), r = q, s = q, t = q, qd = q
    for l in 0..<12 {
      let v = qrs.map { $0.v[l] }
      let maxIndex = v.indices.max { v[$0] < v[$1] }!
      if v[maxIndex] <= 0.02 {
        q[l] = min(0, v.min()!)
      } else {
        r[l] = v[maxIndex]
        q[l] = min(0, v[...maxIndex].min()!)
        s[l] = min(0, v[maxIndex...].min()!)
      }
      if let first = v.firstIndex(where: { abs($0) > 0.02 }), v[first] < 0 {
        let end = v[first...].firstIndex { $0 >= 0 } ?? v.count
        qd[l] = Double(end) * step * 1000
      }
      t[l] = tWave.map { $0.v[l] }.max { abs($0) < abs($1) }!
    }
    pAmplitude = p
    qAmplitude = q
    rAmplitude = r
    sAmplitude = s
    tAmplitude = t
    stAmplitude = st
    qDurationMs = qd
    let inside = rrs.dropFirst().prefix(max(1, beats))
    let rrMean = inside.isEmpty ? meanRR : inside.reduce(0, +) / Double(inside.count)
    rrMeanMs = rrMean * 1000
    heartRateBpm = 60 / rrMean
    prMs = fiducials.pOnset.map { (fiducials.qrsOnset - $0) * 1000 }
    pDurationMs = fiducials.pOnset.flatMap { on in fiducials.pOffset.map { ($0 - on) * 1000 } }
    qrsMs = (fiducials.qrsOffset - fiducials.qrsOnset) * 1000
    qtMs = (fiducials.tOffset - fiducials.qrsOnset) * 1000
    qtcBazettMs = qtMs / meanRR.squareRoot()
    qtcFridericiaMs = qtMs / pow(meanRR, 1.0 / 3)
    beatCount = beats
  }
}

