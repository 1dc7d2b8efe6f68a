import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One lead × time region where a planted finding changes the signal (part of an evidence mask).
public struct EvidenceInterval: Sendable, Equatable {
  /// The finding.
  public var finding: PhantomFinding
  /// Lead index 0…11 (PTB-XL order).
  public var lead: Int
  /// Start and end time, seconds from the record start (end exclusive).
  public var start: Double, end: Double
}

/// A rendered phantom record with its ground truth.
public struct SynthesizedRecord: Sendable {
  /// The spec it was rendered from.
  public var spec: PhantomRecordSpec
  /// Signals at 500 Hz in mV, [12, duration·500], PTB-XL lead order.
  public var signals500: [Float]
  /// Signals at 100 Hz in mV, [12, duration·100] (low-pass 40 Hz FIR, then every 5th sample).
  public var signals100: [Float]
  /// Every beat whose QRS onset lies inside the record, in time order.
  public var beats: [BeatFiducials]
  /// Where each planted finding lives (see `evidenceThresholdMv`).
  public var evidence: [EvidenceInterval]
  /// True per-lead amplitudes and global intervals of the noise-free template beat.
  public var measurements: TemplateMeasurements
}

/// Renders phantom records: rhythm, beats, atrial fibrillation waves, electrode noise, 100 Hz.
public enum RecordSynthesizer {
  /// Internal rendering rate, Hz.
  static let renderRate = 500.0
  /// Margin rendered before and after the record so filters have no edge effects, samples at 500 Hz.
  static let margin = 50
  /// Evidence threshold, mV: a lead × time point carries evidence of a finding when removing the
  /// finding changes the signal there by at least this much …
  public static let evidenceThresholdMv = 0.05
  /// … and by at least this share of the beat's largest change (so that evidence marks where the
  /// finding is prominent, not where it leaks in weakly through the lead projection).
  public static let evidenceRelativeThreshold = 0.25
  /// Anti-alias filter for 500 → 100 Hz: 41-tap Hamming-windowed sinc, cut-off 40 Hz, unit DC gain.
  static let decimationFilter: [Double] = {
    let taps = 41
    let fc = 40.0 / 500.0
    var h = (0..<taps).map { i -> Double in
      let n = Double(i - taps / 2)
      let sinc = n == 0 ? 2 * fc : sin(2 * .pi * fc * n) / (.pi * n)
      return sinc * (0.54 - 0.46 * cos(2 * .pi * Double(i) / Double(taps - 1)))
    }
    let sum = h.reduce(0, +)
    for i in h.indices { h[i] /= sum }
    return h
  }()

  /// Renders one record. `seed` drives the noise and beat-to-beat variation only.
  public static func render(
    _ spec: PhantomRecordSpec, durationSeconds: Double, mainsHz: Double, seed: UInt64,
    rates: Set<Int> = [100, 500]
  ) -> SynthesizedRecord {
    var rng = SeededRNG(seed: seed)
    let meanRR = 60 / spec.heartRateBpm
    let afib = spec.findings[.afib] != nil
    let allFindings = Set(spec.findings.keys)

    // Rhythm: QRS onsets from before the start to after the end.
    var onsets: [Double] = []
    var rrs: [Double] = []
    var t = -meanRR * (0.3 + rng.nextUniform()) - 0.6
    var ar = 0.0
    let respirationHz = 0.2 + 0.1 * rng.nextUniform()
    let respirationPhase = 2 * Double.pi * rng.nextUniform()
    var previous = meanRR
    while t < durationSeconds + 0.8 {
      onsets.append(t)
      rrs.append(previous)
      var rr: Double
      if afib {
        rr = meanRR * exp(spec.rrVariability * rng.nextNormal() - spec.rrVariability * spec.rrVariability / 2)
      } else {
        ar = 0.7 * ar + 0.71 * rng.nextNormal()
        rr = meanRR * (1 + spec.rrVariability * ar + 0.02 * sin(2 * .pi * respirationHz * t + respirationPhase))
      }
      rr = min(max(rr, 0.3), 2.2)
      previous = rr
      t += rr
    }

    // Beats into the VCG buffer at 500 Hz.
    let n500 = Int((durationSeconds * renderRate).rounded())
    let total = n500 + 2 * margin
    let start = -Double(margin) / renderRate
    var x = [Double](repeating: 0, count: total)
    var y = [Double](repeating: 0, count: total)
    var z = [Double](repeating: 0, count: total)
    var beats: [BeatFiducials] = []
    var evidence: [EvidenceInterval] = []
    let gains = spec.noise.electrodeGains
    for (k, onset) in onsets.enumerated() {
      let jitter = BeatJitter(
        qrsOnset: onset, precedingRR: rrs[k], amplitudeScale: 1 + 0.03 * rng.nextNormal(),
        respiratoryRotation: 0.05 * sin(2 * .pi * respirationHz * onset + respirationPhase),
        prShift: 0.003 * rng.nextNormal())
      let lobes = BeatModel.lobes(spec, findings: allFindings, jitter: jitter)
      x.withUnsafeMutableBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
          z.withUnsafeMutableBufferPointer { zb in
            renderLobes(lobes, start: start, rate: renderRate, count: total, x: xb.baseAddress!, y: yb.baseAddress!, z: zb.baseAddress!)
          }
        }
      }
      if onset >= 0, onset < durationSeconds { beats.append(BeatFiducials(lobes: lobes)) }
      for finding in allFindings.sorted() {
        var without = allFindings
        without.remove(finding)
        let other = BeatModel.lobes(spec, findings: without, jitter: jitter)
        evidence += evidenceIntervals(finding, with: lobes, without: other, gains: gains, duration: durationSeconds)
      }
    }
    if afib { addFibrillationWaves(&x, &y, &z, start: start, rng: &rng, severity: spec.findings[.afib]!.severity) }

    // Electrodes, noise, leads.
    var leads500 = electrodeLeads(x: x, y: y, z: z, noise: spec.noise, mainsHz: mainsHz, start: start, rng: &rng)
    var signals500: [Float] = []
    var signals100: [Float] = []
    if rates.contains(500) {
      signals500 = [Float](unsafeUninitializedCapacity: 12 * n500) { buffer, count in
        for lead in 0..<12 {
          for i in 0..<n500 { buffer[lead * n500 + i] = Float(leads500[lead * total + margin + i]) }
        }
        count = 12 * n500
      }
    }
    if rates.contains(100) {
      let n100 = n500 / 5
      let h = decimationFilter
      let half = h.count / 2
      signals100 = [Float](unsafeUninitializedCapacity: 12 * n100) { buffer, count in
        leads500.withUnsafeMutableBufferPointer { src in
          for lead in 0..<12 {
            let base = lead * total + margin
            for j in 0..<n100 {
              var acc = 0.0
              let c = base + 5 * j
              for k in 0..<h.count { acc += h[k] * src[c - half + k] }
              buffer[lead * n100 + j] = Float(acc)
            }
          }
        }
        count = 12 * n100
      }
    }
    let measurements = TemplateMeasurements(spec, beats: onsets.filter { $0 >= 0 && $0 < durationSeconds }.count, meanRR: meanRR, rrs: rrs)
    return SynthesizedRecord(
      spec: spec, signals500: signals500, signals100: signals100, beats: beats,
      evidence: mergeEvidence(evidence), measurements: measurements)
  }

  /// The 12 lead values of a heart vector measured through electrodes with the given gains,
  /// without noise, mV.
  @inline(__always)
  static func leadValues(_ v: HeartVector, gains: [Double], into out: inout [Double]) {
    gains.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in project(v, gains: g.baseAddress!, noise: nil, into: o.baseAddress!, stride: 1) }
    }
  }

  /// Projects a heart vector to the 12 leads through electrodes RA, LA, LL, V1…V6 with gains
  /// `gains[0..<9]` and additive electrode noise `noise[0..<9]` (mV); writes lead k at
  /// `out[k * stride]`. Every limb lead is computed from the three limb electrodes, so the
  /// Einthoven/Goldberger identities hold exactly.
  @inline(__always)
  static func project(
    _ v: HeartVector, gains g: UnsafePointer<Double>, noise e: UnsafePointer<Double>?,
    into out: UnsafeMutablePointer<Double>, stride: Int
  ) {
    let d = LeadProjection.dower
    let i = (d[0] * v).sum()
    let ii = (d[1] * v).sum()
    let ra0 = -(i + ii) / 3
    let ra = g[0] * (ra0 + (e?[0] ?? 0))
    let la = g[1] * (ra0 + i + (e?[1] ?? 0))
    let ll = g[2] * (ra0 + ii + (e?[2] ?? 0))
    let wct = (ra + la + ll) / 3
    out[0] = la - ra
    out[stride] = ll - ra
    out[2 * stride] = ll - la
    out[3 * stride] = ra - (la + ll) / 2
    out[4 * stride] = la - (ra + ll) / 2
    out[5 * stride] = ll - (ra + la) / 2
    for k in 0..<6 { out[(6 + k) * stride] = g[3 + k] * ((d[2 + k] * v).sum() + (e?[3 + k] ?? 0)) - wct }
  }

  /// Converts the VCG to 12 leads through noisy electrodes; returns [12, count] row-major.
  static func electrodeLeads(
    x: [Double], y: [Double], z: [Double], noise spec: PhantomNoise, mainsHz: Double, start: Double,
    rng: inout SeededRNG
  ) -> [Double] {
    let count = x.count
    // Per electrode: baseline wander (respiration shared + two slow sinusoids), mains, EMG;
    // stored interleaved [count, 9].
    var electrodeNoise = [Double](repeating: 0, count: 9 * count)
    let respirationHz = 0.15 + 0.2 * rng.nextUniform()
    let respirationPhase = 2 * Double.pi * rng.nextUniform()
    for e in 0..<9 {
      let weight = spec.baselineMv * 0.6 * rng.nextNormal()
      var components: [(a: Double, w: Double, p: Double)] = [(weight, 2 * .pi * respirationHz, respirationPhase)]
      for _ in 0..<2 {
        components.append((spec.baselineMv * 0.5 * rng.nextNormal(), 2 * .pi * (0.05 + 0.45 * rng.nextUniform()), 2 * .pi * rng.nextUniform()))
      }
      components.append((spec.mainsMv * (0.5 + rng.nextUniform()), 2 * .pi * mainsHz, 2 * .pi * rng.nextUniform()))
      for (a, w, p) in components where a != 0 {
        // Sinusoid by rotation recurrence (exact to ~1e-12 over 5,100 steps).
        let step = w / renderRate
        let (cs, sn) = (cos(step), sin(step))
        var c = cos(w * start + p)
        var s = sin(w * start + p)
        for n in 0..<count {
          electrodeNoise[n * 9 + e] += a * s
          let c2 = c * cs - s * sn
          s = s * cs + c * sn
          c = c2
        }
      }
      if spec.emgMv > 0 {
        for n in 0..<count { electrodeNoise[n * 9 + e] += spec.emgMv * rng.nextNormal() }
      }
    }
    return [Double](unsafeUninitializedCapacity: 12 * count) { out, initialized in
      electrodeNoise.withUnsafeBufferPointer { noise in
        spec.electrodeGains.withUnsafeBufferPointer { g in
          for n in 0..<count {
            project(
              HeartVector(x[n], y[n], z[n]), gains: g.baseAddress!, noise: noise.baseAddress! + 9 * n,
              into: out.baseAddress! + n, stride: count)
          }
        }
      }
      initialized = 12 * count
    }
  }

  /// Fibrillatory waves: a 4–8 Hz oscillation with drifting frequency along a mostly anterior
  /// direction (largest in V1), 0.04–0.12 mV.
  static func addFibrillationWaves(
    _ x: inout [Double], _ y: inout [Double], _ z: inout [Double], start: Double, rng: inout SeededRNG,
    severity: Double
  ) {
    let f0 = 5 + 2 * rng.nextUniform()
    let amplitude = 0.04 + 0.08 * severity
    let dir = BeatModel.fibrillationDirection / (BeatModel.fibrillationDirection * BeatModel.fibrillationDirection).sum().squareRoot()
    let driftHz = 0.2 + 0.3 * rng.nextUniform()
    var phase = 2 * Double.pi * rng.nextUniform()
    let driftPhase = 2 * Double.pi * rng.nextUniform()
    for n in 0..<x.count {
      let t = start + Double(n) / renderRate
      let f = f0 * (1 + 0.15 * sin(2 * .pi * driftHz * t + driftPhase))
      phase += 2 * .pi * f / renderRate
      let v = amplitude * (0.75 + 0.25 * sin(2 * .pi * 0.7 * t)) * sin(phase)
      x[n] += v * dir.x
      y[n] += v * dir.y
      z[n] += v * dir.z
    }
  }

  /// Regions (2 ms resolution) where the lead signal with the finding differs from the signal
  /// without it by at least `evidenceThresholdMv` and at least `evidenceRelativeThreshold` of the
  /// beat's largest difference over leads and time.
  static func evidenceIntervals(
    _ finding: PhantomFinding, with lobes: [WaveLobe], without other: [WaveLobe], gains: [Double],
    duration: Double
  ) -> [EvidenceInterval] {
    let all = lobes + other
    let lo = max(0, all.map(\.support.lowerBound).min()!)
    let hi = min(duration, all.map(\.support.upperBound).max()!)
    if lo >= hi { return [] }
    let step = 0.002
    let count = Int(((hi - lo) / step).rounded(.up))
    var values = [Double](repeating: 0, count: 12)
    var grid = [Double](repeating: 0, count: 12 * count)
    var largest = 0.0
    for i in 0..<count {
      let t = lo + Double(i) * step
      var difference = HeartVector.zero
      for lobe in lobes { difference += lobe.weight(at: t) * lobe.amplitude }
      for lobe in other { difference -= lobe.weight(at: t) * lobe.amplitude }
      leadValues(difference, gains: gains, into: &values)
      for lead in 0..<12 {
        grid[lead * count + i] = abs(values[lead])
        largest = max(largest, abs(values[lead]))
      }
    }
    let threshold = max(evidenceThresholdMv, evidenceRelativeThreshold * largest)
    var result: [EvidenceInterval] = []
    for lead in 0..<12 {
      var open: Double? = nil
      for i in 0...count {
        let inside = i < count && grid[lead * count + i] >= threshold
        let t = lo + Double(i) * step
        if inside, open == nil { open = t }
        if !inside, let s = open {
          result.append(EvidenceInterval(finding: finding, lead: lead, start: s, end: min(t, duration)))
          open = nil
        }
      }
    }
    return result
  }

  /// Sorts intervals by finding, lead and start and joins overlapping ones.
  static func mergeEvidence(_ intervals: [EvidenceInterval]) -> [EvidenceInterval] {
    let sorted = intervals.sorted { ($0.finding, $0.lead, $0.start) < ($1.finding, $1.lead, $1.start) }
    var merged: [EvidenceInterval] = []
    for interval in sorted {
      if var last = merged.last, last.finding == interval.finding, last.lead == interval.lead, interval.start <= last.end {
        last.end = max(last.end, interval.end)
        merged[merged.count - 1] = last
      } else {
        merged.append(interval)
      }
    }
    return merged
  }
}
