import Foundation

/// Polyphase rational resampling by up/down, equal to `scipy.signal.resample_poly(x, up, down)`
/// with its defaults: a Kaiser-windowed (β = 5) sinc low-pass of 2·10·max(up, down) + 1 taps at
/// cutoff 1/max(up, down) of Nyquist, scaled by `up`, zero padding (`padtype="constant"`), and
/// the output aligned so that sample 0 stays sample 0. PTB-XL: 500 → 100 Hz is up 1, down 5.
public struct Resampler: Sendable {
  /// Upsampling factor after reduction by the greatest common divisor.
  public let up: Int
  /// Downsampling factor after reduction by the greatest common divisor.
  public let down: Int
  /// The anti-aliasing FIR filter (already multiplied by `up`), with SciPy's alignment padding.
  let taps: [Double]
  /// Number of output samples removed at the start (filter delay).
  let leadingRemoved: Int

  /// A resampler from `fromRate` to `toRate` Hz (their ratio must be rational with terms ≤ 1000).
  public init(fromRate: Double, toRate: Double) throws {
    guard fromRate > 0, toRate > 0, fromRate == fromRate.rounded(), toRate == toRate.rounded() else {
      throw SignalError.invalidFilter("sampling rates must be positive whole numbers of Hz, got \(fromRate) → \(toRate)")
    }
    try self.init(up: Int(toRate), down: Int(fromRate))
  }

  /// A resampler by the rational factor up/down.
  public init(up: Int, down: Int) throws {
    guard up >= 1, down >= 1 else { throw SignalError.invalidFilter("up and down must be ≥ 1, got \(up)/\(down)") }
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    let g = gcd(up, down)
    let (u, d) = (up / g, down / g)
    guard max(u, d) <= 1000 else { throw SignalError.invalidFilter("ratio \(u)/\(d) needs a filter longer than 20,001 taps") }
    self.up = u
    self.down = d
    let maxRate = max(u, d)
    let halfLength = 10 * maxRate
    let cutoff = 1 / Double(maxRate)
    let count = 2 * halfLength + 1
    // firwin(count, cutoff, window=("kaiser", 5.0)): windowed sinc, scaled to unit DC gain.
    let alpha = Double(count - 1) / 2
    var h = (0..<count).map { n -> Double in
      let m = Double(n) - alpha
      let x = cutoff * m
      let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
      let r = (2 * Double(n) / Double(count - 1)) - 1
      let window = Self.besselI0(5 * (1 - r * r).squareRoot()) / Self.besselI0(5)
      return cutoff * sinc * window
    }
    let sum = h.reduce(0, +)
    h = h.map { $0 / sum * Double(u) }
    // Alignment exactly as resample_poly.
    let prePad = d - halfLength % d
    let removed = (halfLength + prePad) / d
    taps = [Double](repeating: 0, count: prePad) + h
    leadingRemoved = removed
  }

  /// The number of output samples for `count` input samples: ⌈count · up / down⌉.
  public func outputCount(_ count: Int) -> Int { (count * up + down - 1) / down }

  /// Resamples one signal.
  public func resample(_ x: [Double]) -> [Double] {
    let n = x.count
    guard n > 0 else { return [] }
    if up == 1 && down == 1 { return x }
    let outCount = outputCount(n)
    let h = taps
    // upfirdn output index i (after removal) = i + leadingRemoved; y[j] = Σ_k h[k] · xup[j·down − k].
    var y = [Double](repeating: 0, count: outCount)
    for i in 0..<outCount {
      let j = (i + leadingRemoved) * down  // position in the upsampled signal
      // xup[p] is nonzero only when p = q·up, q in 0..<n; k = j − q·up in 0..<h.count.
      let qHigh = min(n - 1, j / up)
      let qLowNumerator = j - (h.count - 1)
      let qLow = max(0, qLowNumerator <= 0 ? 0 : (qLowNumerator + up - 1) / up)
      var s = 0.0
      if qLow <= qHigh {
        for q in qLow...qHigh { s += h[j - q * up] * x[q] }
      }
      y[i] = s
    }
    return y
  }

  /// Resamples every lead of a record to `toRate` Hz (computed in `Double`).
  public static func resample(_ record: ECGRecord, toRate: Double) throws -> ECGRecord {
    let resampler = try Resampler(fromRate: record.samplingRateHz, toRate: toRate)
    let n = record.sampleCount
    let m = resampler.outputCount(n)
    var samples = [Float](repeating: 0, count: record.leadCount * m)
    for lead in 0..<record.leadCount {
      let y = resampler.resample(record.lead(lead).map(Double.init))
      for i in 0..<m { samples[lead * m + i] = Float(y[i]) }
    }
    return ECGRecord(name: record.name, leadNames: record.leadNames, samplingRateHz: toRate, samples: samples, units: record.units)
  }

  /// The modified Bessel function of the first kind, order 0 (power series; exact to 1e-16 for
  /// the arguments a Kaiser window needs).
  static func besselI0(_ x: Double) -> Double {
    var sum = 1.0, term = 1.0
    let q = x * x / 4
    var k = 1.0
    while term > 1e-17 * sum {
      term *= q / (k * k)
      sum += term
      k += 1
    }
    return sum
  }
}
