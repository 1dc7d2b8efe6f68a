import Foundation

/// Fiducial times of one beat in **seconds from the record's start** (nil: absent or not found,
/// e.g. P waves in atrial fibrillation).
public struct WaveFiducials: Sendable, Equatable, Codable {
  /// P onset, peak and offset.
  public var pOnset: Double?, pPeak: Double?, pOffset: Double?
  /// QRS onset, R peak and QRS offset (J point).
  public var qrsOnset: Double, rPeak: Double, qrsOffset: Double
  /// T onset, peak and offset.
  public var tOnset: Double?, tPeak: Double?, tOffset: Double?

  /// Creates fiducials (seconds from the record's start).
  public init(
    pOnset: Double?, pPeak: Double?, pOffset: Double?, qrsOnset: Double, rPeak: Double, qrsOffset: Double,
    tOnset: Double?, tPeak: Double?, tOffset: Double?
  ) {
    (self.pOnset, self.pPeak, self.pOffset) = (pOnset, pPeak, pOffset)
    (self.qrsOnset, self.rPeak, self.qrsOffset) = (qrsOnset, rPeak, qrsOffset)
    (self.tOnset, self.tPeak, self.tOffset) = (tOnset, tPeak, tOffset)
  }

  /// The same fiducials shifted by `seconds`.
  func shifted(by seconds: Double, tShift: Double = 0) -> WaveFiducials {
    WaveFiducials(
      pOnset: pOnset.map { $0 + seconds }, pPeak: pPeak.map { $0 + seconds }, pOffset: pOffset.map { $0 + seconds },
      qrsOnset: qrsOnset + seconds, rPeak: rPeak + seconds, qrsOffset: qrsOffset + seconds,
      tOnset: tOnset.map { $0 + seconds + tShift }, tPeak: tPeak.map { $0 + seconds + tShift },
      tOffset: tOffset.map { $0 + seconds + tShift })
  }
}

/// The delineation of a record: per-beat global fiducials, the median beat and its fiducials.
/// The median beat is of the unfiltered signals (only baseline wander removed, PR level 0), so its
/// amplitudes are the record's; the fiducials were found on a filtered copy.
public struct Delineation: Sendable {
  /// One entry per detected R peak, in order.
  public var beats: [WaveFiducials]
  /// The median beat the fiducials were measured on.
  public var template: MedianBeat
  /// Fiducials of the median beat in seconds from the template's start.
  public var templateFiducials: WaveFiducials
  /// The R peaks (and usable leads) the delineation started from.
  public var rPeaks: RPeaks
  /// Per lead: fiducials of that lead's median beat (seconds from the template's start), found
  /// within ±40 ms of the global ones; nil for unusable leads.
  public var leadFiducials: [WaveFiducials?]

  /// The fiducials of every beat in one lead: the lead's template fiducials moved to each beat
  /// (T by the same QT–RR shift as the global ones).
  public func beats(lead: Int) -> [WaveFiducials]? {
    guard let own = leadFiducials[lead] else { return nil }
    return beats.map { beat in
      let shift = beat.rPeak - templateFiducials.rPeak
      let tShift = (beat.tPeak ?? 0) - (templateFiducials.tPeak.map { $0 + shift } ?? (beat.tPeak ?? 0))
      return own.shifted(by: shift, tShift: tShift)
    }
  }
}

/// Global (multi-lead) delineation of P, QRS and T waves.
///
/// 1. Every usable lead is filtered (0.5 Hz high-pass, 40 Hz low-pass; Butterworth order 2, zero
///    phase); beats are aligned on their R peaks and the **median beat** is formed per lead, then
///    upsampled to 500 Hz (polyphase) when the record is slower, and each lead's PR-segment level
///    (at the flattest point 25–120 ms before R) is subtracted.
/// 2. The spatial signal is the VCG from Kors' transform for standard 12-lead records (all usable
///    leads otherwise); M(t) is its magnitude, V(t) its spatial velocity.
/// 3. QRS onset/offset: going out from R, where V stays below min(`qrsVelocityFraction` × the
///    QRS's peak velocity, `qrsVelocityCapMvPerS`) — 12 %, at most 8 mV/s — for 6 ms (onset) or
///    12 ms (offset, which must bridge the slow apex of a broad terminal R′).
/// 4. P and T: the peak is the maximum of M in the wave's window (P: before QRS onset; T: 60 ms
///    after the J point up to the T–U notch); onset and offset lie 2.5 × (distance from the peak
///    to the steepest point of M) from the peak — exact for the Gaussian-shaped waves of the
///    phantom (whose edges are at ±2.5σ) and independent of amplitude. A bimodal P (right then
///    left atrium) takes its onset from the first lobe and its offset from the last. A P wave
///    counts as present when its peak magnitude is ≥ `minimumPAmplitudeMv`. The T offset uses the
///    fall alone (at the steepest point f of a Gaussian tail σ = −M/M′; offset = f + 1.5σ), so an
///    ST deviation that moves the apparent T peak does not move it. Before templating, baseline
///    wander left by the high-pass is removed by linear interpolation between the beats' PR levels.
/// 5. Each beat gets the template's fiducials at its own R peak; its T wave is moved by
///    0.154 × (its preceding RR − the median RR), the QT–RR slope of the Framingham formula
///    (Sagie et al. 1992), so irregular rhythms keep their beat-to-beat QT.
public struct Delineator: Sendable {
  /// QRS onset/offset threshold relative to the peak spatial velocity of the QRS (0.12 and the
  /// 8 mV/s cap were chosen on phantom records, seeds 1/5/8: 0.05 widened the QRS by 11 ms; without
  /// the cap tall LVH complexes lost their terminal S, 36 ms).
  public var qrsVelocityFraction = 0.12
  /// Upper bound of the QRS onset/offset velocity threshold in mV/s, so that a tall R (LVH) does
  /// not cut off a small terminal S or R′ (CRBBB).
  public var qrsVelocityCapMvPerS = 8.0
  /// Smallest P-wave peak (spatial magnitude, mV) accepted as a P wave.
  public var minimumPAmplitudeMv = 0.03
  /// R-peak detector used by `delineate(_:)`.
  public var detector = RPeakDetector()

  /// A delineator with the documented defaults.
  public init() {}

  /// Detects R peaks, then delineates.
  public func delineate(_ record: ECGRecord) throws -> Delineation {
    try delineate(record, rPeaks: try detector.detect(record))
  }

  /// Delineates a record given its R peaks.
  ///
  /// - Throws: `SignalError.invalidSignal` when fewer than 2 R peaks are given or no lead is
  ///   usable; filtering errors for records shorter than the filters' padding.
  public func delineate(_ record: ECGRecord, rPeaks: RPeaks) throws -> Delineation {
    let rate = record.samplingRateHz
    let n = record.sampleCount
    guard rPeaks.samples.count >= 2 else {
      throw SignalError.invalidSignal("delineation needs at least 2 R peaks, found \(rPeaks.samples.count)")
    }
    let usable = rPeaks.usableLeads.count == record.leadCount ? rPeaks.usableLeads : [Bool](repeating: true, count: record.leadCount)
    let highpass = try IIRFilter.butterworth(order: 2, cutoffs: [0.5], type: .highpass, rate: rate)
    let lowpass = try IIRFilter.butterworth(order: 2, cutoffs: [min(40, 0.4 * rate)], type: .lowpass, rate: rate)
    var filtered = [Double](repeating: 0, count: record.leadCount * n)
    for lead in 0..<record.leadCount where usable[lead] {
      let y = try lowpass.zeroPhase(try highpass.zeroPhase(record.lead(lead).map(Double.init)))
      for i in 0..<n { filtered[lead * n + i] = y[i] }
    }
    Self.removeBaseline(&filtered, leadCount: record.leadCount, count: n, rPeaks: rPeaks.samples, rate: rate)
    let rr = rPeaks.rrIntervalsMs.sorted()
    let medianRR = rr[rr.count / 2] / 1000
    let before = Int((min(0.45, 0.6 * medianRR) * rate).rounded())
    let after = Int((min(0.65, max(0.4, 0.9 * medianRR)) * rate).rounded())
    // Median beats: `template` (filtered) for the fiducials, `clean` (only the baseline
    // removed) for amplitudes and for users; both upsampled to ≥ 500 Hz for a 2 ms grid.
    var clean = (0..<record.leadCount).flatMap { record.lead($0).map(Double.init) }
    Self.removeBaseline(&clean, leadCount: record.leadCount, count: n, rPeaks: rPeaks.samples, rate: rate)
    let factor = rate < 500 && (500 / rate).rounded() == 500 / rate ? Int(500 / rate) : 1
    guard let filteredBeat = try Self.medianBeat(filtered, record: record, rPeaks: rPeaks.samples, before: before, after: after, factor: factor),
      let cleanBeat = try Self.medianBeat(clean, record: record, rPeaks: rPeaks.samples, before: before, after: after, factor: factor)
    else { throw SignalError.signalTooShort("no beat lies \(before) samples after the start and \(after) before the end") }
    var template = filteredBeat.0, cleanTemplate = cleanBeat.0
    let beatCount = filteredBeat.1
    let templateRate = rate * Double(factor)
    let rIndex = before * factor
    let m = template.count / record.leadCount
    let ms = { (x: Double) in Int((x / 1000 * templateRate).rounded()) }

    // Spatial velocity of the raw template locates the PR segment; subtract each lead's level there.
    var components = Self.spatialComponents(template, leadNames: record.leadNames, usable: usable, count: m)
    var velocity = Self.velocity(components, count: m, rate: templateRate)
    let prSearch = max(0, rIndex - ms(120))...max(0, rIndex - ms(25))
    let flattest = prSearch.min { velocity[$0] < velocity[$1] }!
    let level = (max(0, flattest - ms(8))...min(m - 1, flattest + ms(8)))
    for lead in 0..<record.leadCount {
      let mean = level.reduce(0.0) { $0 + template[lead * m + $1] } / Double(level.count)
      let cleanMean = level.reduce(0.0) { $0 + cleanTemplate[lead * m + $1] } / Double(level.count)
      for i in 0..<m {
        template[lead * m + i] -= mean
        cleanTemplate[lead * m + i] -= cleanMean
      }
    }
    components = Self.spatialComponents(template, leadNames: record.leadNames, usable: usable, count: m)
    velocity = Self.velocity(components, count: m, rate: templateRate)
    let magnitude = (0..<m).map { i in components.reduce(0.0) { $0 + $1[i] * $1[i] }.squareRoot() }

    // QRS onset and offset from the spatial velocity.
    let qrsWindow = max(1, rIndex - ms(100))...min(m - 2, rIndex + ms(100))
    let vMax = qrsWindow.map { velocity[$0] }.max() ?? 0
    let threshold = min(qrsVelocityFraction * vMax, qrsVelocityCapMvPerS)
    let hold = max(1, ms(6))
    var qrsOn = max(0, rIndex - ms(150))
    var i = rIndex
    while i > max(hold, rIndex - ms(150)) {
      if (0..<hold).allSatisfy({ velocity[i - $0] < threshold }) { qrsOn = i; break }
      i -= 1
    }
    // The offset needs 12 ms of quiet: the apex of a broad terminal R′ (CRBBB) is slow for a few ms.
    let offHold = max(1, ms(12))
    var qrsOff = min(m - 1, rIndex + ms(200))
    i = rIndex
    while i < min(m - 1 - offHold, rIndex + ms(200)) {
      if (0..<offHold).allSatisfy({ velocity[i + $0] < threshold }) { qrsOff = i; break }
      i += 1
    }

    // T wave: from 60 ms after the J point to the template's end.
    var tPeak: Int? = nil, tOnset: Int? = nil, tOffset: Int? = nil
    let tStart = qrsOff + ms(60)
    if tStart < m - ms(40) {
      let peak = (tStart..<m).max { magnitude[$0] < magnitude[$1] }!
      // Search the fall up to the lowest point of M within 250 ms after the peak: the T–U notch
      // when a U wave follows, the baseline otherwise (a U wave falls less steeply than T).
      let end = (peak...min(m - 1, peak + ms(250))).min { magnitude[$0] < magnitude[$1] }!
      if let edges = Self.gaussianEdges(magnitude, peak: peak, from: tStart, to: end) {
        (tPeak, tOnset, tOffset) = (peak, edges.onset, edges.offset)
        // T offset from the fall alone: at the steepest point f of a Gaussian tail σ = −M/M′, and
        // the offset lies 1.5σ further — independent of where the (ST-distorted) peak was found.
        if peak + 1 < end {
          let slope = { (i: Int) -> Double in (magnitude[i + 1] - magnitude[i - 1]) / 2 }
          let f = ((peak + 1)..<end).min { slope($0) < slope($1) }!
          if slope(f) < 0 {
            let sigma = -magnitude[f] / slope(f)
            if sigma.isFinite, sigma < Double(ms(150)) { tOffset = min(m - 1, f + Int((1.5 * sigma).rounded())) }
          }
        }
      }
    }

    // P wave: before QRS onset, after the template's start.
    var pPeak: Int? = nil, pOnset: Int? = nil, pOffset: Int? = nil
    let pEnd = qrsOn - ms(10)
    if pEnd > ms(40) {
      let peak = (0..<pEnd).max { magnitude[$0] < magnitude[$1] }!
      if magnitude[peak] >= minimumPAmplitudeMv {
        // The P wave is the right then the left atrium: its onset belongs to the first lobe of M,
        // its offset to the last (local maxima ≥ 40 % of the peak, within 80 ms of it).
        let near = max(1, peak - ms(80))..<min(pEnd, peak + ms(80))
        let lobes = near.filter { magnitude[$0] >= 0.4 * magnitude[peak] && magnitude[$0] >= magnitude[$0 - 1] && magnitude[$0] > magnitude[$0 + 1] }
        let first = lobes.first ?? peak, last = lobes.last ?? peak
        if let rising = Self.gaussianEdges(magnitude, peak: first, from: 0, to: last == first ? qrsOn : last),
          let falling = Self.gaussianEdges(magnitude, peak: last, from: first == last ? 0 : first, to: qrsOn)
        {
          (pPeak, pOnset, pOffset) = ((first + last) / 2, rising.onset, falling.offset)
        }
      }
    }

    let seconds = { (index: Int) in Double(index) / templateRate }
    let templateFiducials = WaveFiducials(
      pOnset: pOnset.map(seconds), pPeak: pPeak.map(seconds), pOffset: pOffset.map(seconds),
      qrsOnset: seconds(qrsOn), rPeak: seconds(rIndex), qrsOffset: seconds(qrsOff),
      tOnset: tOnset.map(seconds), tPeak: tPeak.map(seconds), tOffset: tOffset.map(seconds))
    var beats: [WaveFiducials] = []
    for (k, r) in rPeaks.samples.enumerated() {
      let preceding = k > 0 ? Double(r - rPeaks.samples[k - 1]) / rate : medianRR
      let shift = Double(r) / rate - templateFiducials.rPeak
      beats.append(templateFiducials.shifted(by: shift, tShift: 0.154 * (preceding - medianRR)))
    }
    let medianBeat = MedianBeat(
      samples: cleanTemplate, leadNames: record.leadNames, samplingRateHz: templateRate, rIndex: rIndex, beatCount: beatCount)
    let global = (pOn: pOnset, pOff: pOffset, qrsOn: qrsOn, qrsOff: qrsOff, tOn: tOnset, tOff: tOffset)
    let leadFiducials = (0..<record.leadCount).map { lead -> WaveFiducials? in
      guard usable[lead] else { return nil }
      let x = Array(template[(lead * m)..<((lead + 1) * m)])
      return Self.leadFiducials(x, global: global, rIndex: rIndex, rate: templateRate, velocityFraction: qrsVelocityFraction)
    }
    return Delineation(
      beats: beats, template: medianBeat, templateFiducials: templateFiducials, rPeaks: rPeaks, leadFiducials: leadFiducials)
  }

  /// One lead's fiducials on its (filtered, baseline-corrected) median beat, searched within
  /// ±40 ms of the global ones with the same rules on |x| and |dx/dt|.
  static func leadFiducials(
    _ x: [Double], global: (pOn: Int?, pOff: Int?, qrsOn: Int, qrsOff: Int, tOn: Int?, tOff: Int?), rIndex: Int,
    rate: Double, velocityFraction: Double
  ) -> WaveFiducials {
    let m = x.count
    let ms = { (v: Double) in Int((v / 1000 * rate).rounded()) }
    let clampIndex = { (i: Int) in min(m - 1, max(0, i)) }
    let seconds = { (i: Int) in Double(i) / rate }
    let magnitude = x.map(abs)
    let velocity = (0..<m).map { i in abs(x[min(m - 1, i + 1)] - x[max(0, i - 1)]) / 2 * rate }
    // QRS: the lead's largest deflection inside the global QRS; on/off where its velocity stays
    // below the fraction of its peak velocity, within ±40 ms of the global on/off.
    let qrsRange = global.qrsOn...max(global.qrsOn, global.qrsOff)
    let peak = qrsRange.max { magnitude[$0] < magnitude[$1] }!
    let vMax = qrsRange.map { velocity[$0] }.max() ?? 0
    let hold = max(1, ms(6))
    let lowOn = clampIndex(global.qrsOn - ms(40)), highOff = clampIndex(global.qrsOff + ms(40))
    var on = lowOn
    var i = peak
    while i - hold >= lowOn {
      if (0..<hold).allSatisfy({ velocity[i - $0] < velocityFraction * vMax }) { on = i; break }
      i -= 1
    }
    var off = highOff
    i = peak
    while i + hold <= highOff {
      if (0..<hold).allSatisfy({ velocity[i + $0] < velocityFraction * vMax }) { off = i; break }
      i += 1
    }
    on = max(on, lowOn)
    off = max(off, on)
    func wave(_ from: Int?, _ to: Int?) -> (onset: Int, peak: Int, offset: Int)? {
      guard let from, let to, to > from else { return nil }
      let lo = clampIndex(from - ms(40)), hi = clampIndex(to + ms(40))
      let p = (clampIndex(from)...clampIndex(to)).max { magnitude[$0] < magnitude[$1] }!
      guard let edges = gaussianEdges(magnitude, peak: p, from: lo, to: hi) else { return nil }
      return (max(lo, edges.onset), p, min(hi, edges.offset))
    }
    let p = wave(global.pOn, global.pOff)
    let t = wave(global.tOn, global.tOff)
    return WaveFiducials(
      pOnset: p.map { seconds($0.onset) }, pPeak: p.map { seconds($0.peak) }, pOffset: p.map { seconds($0.offset) },
      qrsOnset: seconds(on), rPeak: seconds(peak), qrsOffset: seconds(off),
      tOnset: t.map { seconds($0.onset) }, tPeak: t.map { seconds($0.peak) }, tOffset: t.map { seconds($0.offset) })
  }

  /// Removes the remaining baseline wander: each lead's level in every beat's PR segment (the
  /// flattest 16 ms of the summed absolute slope 25–120 ms before R) is interpolated linearly
  /// between beats (held constant before the first and after the last) and subtracted.
  static func removeBaseline(_ signals: inout [Double], leadCount: Int, count n: Int, rPeaks: [Int], rate: Double) {
    let s = { (x: Double) in Int((x * rate).rounded()) }
    let half = max(1, s(0.008))
    var slope = [Double](repeating: 0, count: n)
    for lead in 0..<leadCount {
      for i in 1..<(n - 1) { slope[i] += abs(signals[lead * n + i + 1] - signals[lead * n + i - 1]) }
    }
    var knots: [Int] = []
    for r in rPeaks where r - s(0.12) - half >= 0 {
      let window = (r - s(0.12))...(r - s(0.025))
      let centre = window.min { a, b in
        (a - half...a + half).reduce(0.0) { $0 + slope[$1] } < (b - half...b + half).reduce(0.0) { $0 + slope[$1] }
      }!
      knots.append(centre)
    }
    guard !knots.isEmpty else { return }
    for lead in 0..<leadCount {
      let levels = knots.map { k in (k - half...k + half).reduce(0.0) { $0 + signals[lead * n + $1] } / Double(2 * half + 1) }
      var k = 0
      for i in 0..<n {
        while k + 1 < knots.count && knots[k + 1] <= i { k += 1 }
        let level: Double
        if i <= knots[0] {
          level = levels[0]
        } else if k + 1 >= knots.count {
          level = levels[knots.count - 1]
        } else {
          let f = Double(i - knots[k]) / Double(knots[k + 1] - knots[k])
          level = levels[k] + f * (levels[k + 1] - levels[k])
        }
        signals[lead * n + i] -= level
      }
    }
  }

  /// The median beat of `signals` ([leads, count]) around the R peaks, upsampled by `factor`.
  static func medianBeat(
    _ signals: [Double], record: ECGRecord, rPeaks: [Int], before: Int, after: Int, factor: Int
  ) throws -> ([Double], Int)? {
    guard let (raw, beats) = MedianBeat.median(
      signals: signals, leadCount: record.leadCount, count: record.sampleCount, rPeaks: rPeaks, before: before, after: after)
    else { return nil }
    guard factor > 1 else { return (raw, beats) }
    let width = before + after + 1
    let resampler = try Resampler(up: factor, down: 1)
    let m = resampler.outputCount(width)
    var template = [Double](repeating: 0, count: record.leadCount * m)
    for lead in 0..<record.leadCount {
      let y = resampler.resample(Array(raw[(lead * width)..<((lead + 1) * width)]))
      for i in 0..<m { template[lead * m + i] = y[i] }
    }
    return (template, beats)
  }

  /// Onset and offset of a bell-shaped wave of M around `peak`: 2.5 × the distance from the peak
  /// to the steepest rise before it (within `from`) and the steepest fall after it (before `to`).
  static func gaussianEdges(_ x: [Double], peak: Int, from: Int, to: Int) -> (onset: Int, offset: Int)? {
    let lo = max(1, from), hi = min(x.count - 2, to)
    guard lo < peak, peak < hi else { return nil }
    let slope = { (i: Int) -> Double in x[i + 1] - x[i - 1] }
    let rise = (lo..<peak).max { slope($0) < slope($1) }!
    let fall = ((peak + 1)...hi).min { slope($0) < slope($1) }!
    let onset = peak - Int((2.5 * Double(peak - rise)).rounded())
    let offset = peak + Int((2.5 * Double(fall - peak)).rounded())
    return (max(0, onset), min(x.count - 1, offset))
  }

  /// The spatial components of a template [leads, m] (`KorsVCG.components` of its usable leads).
  static func spatialComponents(_ template: [Double], leadNames: [String], usable: [Bool], count m: Int) -> [[Double]] {
    let leads = usable.indices.map { usable[$0] ? Array(template[($0 * m)..<(($0 + 1) * m)]) : nil }
    return KorsVCG.components(leads, leadNames: leadNames)
  }

  /// Spatial velocity |d/dt| of the components (central differences, mV/s).
  static func velocity(_ components: [[Double]], count m: Int, rate: Double) -> [Double] {
    (0..<m).map { i in
      let a = max(0, i - 1), b = min(m - 1, i + 1)
      let squared = components.reduce(0.0) { s, c in
        let d = (c[b] - c[a]) / Double(b - a) * rate
        return s + d * d
      }
      return squared.squareRoot()
    }
  }
}
