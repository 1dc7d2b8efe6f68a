import Foundation

/// R peaks found in a multi-lead record, and which leads were usable.
public struct RPeaks: Sendable, Equatable {
  /// R-peak positions in samples, increasing.
  public var samples: [Int]
  /// Per lead: false when the lead is flat (no signal) and was left out of the fusion.
  public var usableLeads: [Bool]
  /// Sampling rate of `samples` in Hz.
  public var samplingRateHz: Double

  /// R peaks given by the caller (e.g. from another detector or annotations).
  public init(samples: [Int], usableLeads: [Bool], samplingRateHz: Double) {
    self.samples = samples
    self.usableLeads = usableLeads
    self.samplingRateHz = samplingRateHz
  }

  /// R-peak times in seconds.
  public var seconds: [Double] { samples.map { Double($0) / samplingRateHz } }
  /// RR intervals in milliseconds.
  public var rrIntervalsMs: [Double] { zip(samples.dropFirst(), samples).map { Double($0 - $1) * 1000 / samplingRateHz } }
}

/// Multi-lead R-peak detection, robust to noise, atrial fibrillation and wide QRS complexes.
///
/// 1. Every lead is band-passed 5–25 Hz (Butterworth order 2, zero phase); its squared slope is
///    normalised by its own 99th percentile so every usable lead weighs the same, and the leads are
///    summed (multi-lead fusion: a QRS is where many leads agree).
/// 2. The fused energy is integrated over a centred `integrationMs` window; local maxima at least
///    `refractoryMs` apart are candidates.
/// 3. Candidates above `threshold` × the typical QRS height (the median of the highest
///    one-per-two-seconds candidates) are beats; a candidate within 360 ms after a beat with less
///    than half its height is taken for a T wave (Pan & Tompkins 1985); gaps longer than 1.6 × the
///    median RR are searched again at `searchbackThreshold`.
/// 4. Each beat is placed at the maximum of the spatial magnitude of the 0.5 Hz high-passed
///    signals within ±`refinementMs`: the VCG magnitude from Kors' transform for standard 12-lead
///    records, Σ_leads x² otherwise (the phantom's R-peak truth is the maximum of the noise-free
///    VCG magnitude).
public struct RPeakDetector: Sendable {
  /// Width of the moving integration window in ms.
  public var integrationMs = 100.0
  /// Shortest RR interval in ms (240 bpm).
  public var refractoryMs = 250.0
  /// Detection threshold relative to the typical QRS height.
  public var threshold = 0.3
  /// Threshold relative to the typical QRS height when searching back in long gaps.
  public var searchbackThreshold = 0.12
  /// Half-width in ms of the window in which a detection is moved to the spatial-magnitude maximum.
  public var refinementMs = 60.0

  /// A detector with the documented defaults.
  public init() {}

  /// Detects the R peaks of a record (any number of leads, any rate ≥ 50 Hz, at least 2 s).
  ///
  /// - Throws: `SignalError.invalidSignal` for NaN/infinite samples, no leads, a rate below 50 Hz
  ///   or no usable (non-flat) lead; `SignalError.signalTooShort` below 2 s.
  public func detect(_ record: ECGRecord) throws -> RPeaks {
    let rate = record.samplingRateHz
    let n = record.sampleCount
    guard record.leadCount > 0 else { throw SignalError.invalidSignal("the record has no leads") }
    guard rate >= 50 else { throw SignalError.invalidSignal("R-peak detection needs ≥ 50 Hz, the record has \(rate) Hz") }
    guard Double(n) >= 2 * rate else {
      throw SignalError.signalTooShort("R-peak detection needs ≥ 2 s, the record has \(String(format: "%.2f", Double(n) / rate)) s")
    }
    if let bad = record.samples.firstIndex(where: { !$0.isFinite }) {
      throw SignalError.invalidSignal("lead \(record.leadNames[bad / n]) has a NaN or infinite sample at \(bad % n)")
    }
    let band = try IIRFilter.butterworth(order: 2, cutoffs: [5, min(25, 0.45 * rate)], type: .bandpass, rate: rate)
    let highpass = try IIRFilter.butterworth(order: 2, cutoffs: [0.5], type: .highpass, rate: rate)
    var fused = [Double](repeating: 0, count: n)
    var highpassed = [[Double]?](repeating: nil, count: record.leadCount)
    var usable = [Bool](repeating: false, count: record.leadCount)
    for lead in 0..<record.leadCount {
      let x = record.lead(lead).map(Double.init)
      guard let lo = x.min(), let hi = x.max(), hi - lo > 1e-3 else { continue }  // flat: < 1 µV range
      usable[lead] = true
      let y = try band.zeroPhase(x)
      var energy = [Double](repeating: 0, count: n)
      for i in 1..<(n - 1) {
        let slope = (y[i + 1] - y[i - 1]) / 2
        energy[i] = slope * slope
      }
      let scale = Self.percentile(energy, 0.99)
      if scale > 0 { for i in 0..<n { fused[i] += energy[i] / scale } }
      highpassed[lead] = try highpass.zeroPhase(x)
    }
    guard usable.contains(true) else { throw SignalError.invalidSignal("every lead is flat; no R peak can be found") }
    let magnitude = Self.spatialMagnitude(highpassed, leadNames: record.leadNames, count: n)
    let envelope = Self.movingAverage(fused, width: max(1, Int(integrationMs / 1000 * rate)))
    let distance = max(1, Int(refractoryMs / 1000 * rate))
    let candidates = Self.localMaxima(envelope, minimumDistance: distance)
    guard !candidates.isEmpty else { return RPeaks(samples: [], usableLeads: usable, samplingRateHz: rate) }
    let heights = candidates.map { envelope[$0] }.sorted(by: >)
    let top = max(1, min(heights.count, Int(Double(n) / rate / 2)))
    let typical = heights[top / 2]
    var beats: [Int] = []
    for c in candidates where envelope[c] >= threshold * typical {
      if let last = beats.last, Double(c - last) < 0.36 * rate, envelope[c] < 0.5 * envelope[last] { continue }
      beats.append(c)
    }
    // Search back in long gaps.
    if beats.count >= 3 {
      let rr = zip(beats.dropFirst(), beats).map { $0 - $1 }.sorted()
      let medianRR = rr[rr.count / 2]
      var added: [Int] = []
      for (a, b) in zip(beats, beats.dropFirst()) where Double(b - a) > 1.6 * Double(medianRR) {
        let inGap = candidates.filter { c in
          c > a + distance && c < b - distance && envelope[c] >= searchbackThreshold * typical
            && (Double(c - a) >= 0.36 * rate || envelope[c] >= 0.5 * envelope[a])  // not a T wave
        }
        if let best = inGap.max(by: { envelope[$0] < envelope[$1] }) { added.append(best) }
      }
      beats = (beats + added).sorted()
    }
    // Refine to the maximum of the spatial magnitude.
    let half = max(1, Int(refinementMs / 1000 * rate))
    var refined = beats.map { b -> Int in
      let lo = max(0, b - half), hi = min(n - 1, b + half)
      return (lo...hi).max { magnitude[$0] < magnitude[$1] }!
    }
    refined = refined.reduce(into: [Int]()) { out, p in if out.last.map({ p - $0 >= distance / 2 }) ?? true { out.append(p) } }
    return RPeaks(samples: refined, usableLeads: usable, samplingRateHz: rate)
  }

  /// Squared spatial magnitude per sample: |VCG|² from Kors' transform when I, II and V1–V6 are
  /// present and usable, otherwise Σ over usable leads of x².
  static func spatialMagnitude(_ leads: [[Double]?], leadNames: [String], count n: Int) -> [Double] {
    let components = KorsVCG.components(leads, leadNames: leadNames)
    return (0..<n).map { i in components.reduce(0.0) { $0 + $1[i] * $1[i] } }
  }

  /// Local maxima of `x` at least `minimumDistance` apart, tallest first (as
  /// `scipy.signal.find_peaks(x, distance=…)`), returned in increasing position.
  static func localMaxima(_ x: [Double], minimumDistance: Int) -> [Int] {
    guard x.count >= 3 else { return [] }
    var peaks: [Int] = []
    var i = 1
    while i < x.count - 1 {
      if x[i] > x[i - 1] {
        var j = i
        while j + 1 < x.count && x[j + 1] == x[i] { j += 1 }  // plateau: take its middle
        if j + 1 < x.count && x[j + 1] < x[i] { peaks.append((i + j) / 2) }
        i = j + 1
      } else {
        i += 1
      }
    }
    var keep = [Bool](repeating: true, count: peaks.count)
    for k in peaks.indices.sorted(by: { x[peaks[$0]] > x[peaks[$1]] }) where keep[k] {
      var m = k - 1
      while m >= 0 && peaks[k] - peaks[m] < minimumDistance { keep[m] = false; m -= 1 }
      m = k + 1
      while m < peaks.count && peaks[m] - peaks[k] < minimumDistance { keep[m] = false; m += 1 }
    }
    return peaks.indices.filter { keep[$0] }.map { peaks[$0] }
  }

  /// Centred moving average (window `width` samples, shrinking at the edges).
  static func movingAverage(_ x: [Double], width: Int) -> [Double] {
    let half = width / 2
    var prefix = [Double](repeating: 0, count: x.count + 1)
    for i in x.indices { prefix[i + 1] = prefix[i] + x[i] }
    return x.indices.map { i in
      let lo = max(0, i - half), hi = min(x.count, i + half + 1)
      return (prefix[hi] - prefix[lo]) / Double(hi - lo)
    }
  }

  /// The p-quantile (0…1) of `x` by nearest rank.
  static func percentile(_ x: [Double], _ p: Double) -> Double {
    guard !x.isEmpty else { return 0 }
    let sorted = x.sorted()
    return sorted[min(sorted.count - 1, Int(p * Double(sorted.count - 1)))]
  }
}
