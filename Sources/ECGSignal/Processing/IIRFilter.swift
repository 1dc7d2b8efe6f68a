import Foundation

/// A digital IIR filter as a cascade of second-order sections (biquads), in the layout of SciPy's
/// `sos` arrays: each section is `[b0, b1, b2, 1, a1, a2]` (a0 normalised to 1).
///
/// Designs follow `scipy.signal.butter(N, Wn, btype, fs=fs, output="sos")` and
/// `scipy.signal.iirnotch(w0, Q, fs)`: analog Butterworth prototype, frequency pre-warping,
/// lowpass→lowpass/highpass/bandpass/bandstop transformation and the bilinear transform, all in
/// zeros/poles/gain form. Filtering is done in `Double`.
public struct IIRFilter: Sendable, Equatable {
  /// The sections, `[b0, b1, b2, 1, a1, a2]` each.
  public var sections: [[Double]]

  /// Creates a filter from second-order sections (`[b0, b1, b2, a0, a1, a2]`, normalised so a0 = 1).
  ///
  /// - Precondition: every section has 6 coefficients and a nonzero a0.
  public init(sections: [[Double]]) {
    precondition(sections.allSatisfy { $0.count == 6 && $0[3] != 0 }, "IIRFilter: sections are [b0, b1, b2, a0, a1, a2], a0 ≠ 0")
    self.sections = sections.map { s in s.map { $0 / s[3] } }
  }

  /// The pass type of a Butterworth design.
  public enum PassType: String, Sendable, CaseIterable {
    /// Passes frequencies below the cutoff.
    case lowpass
    /// Passes frequencies above the cutoff.
    case highpass
    /// Passes frequencies between the two cutoffs.
    case bandpass
    /// Stops frequencies between the two cutoffs.
    case bandstop
  }

  /// A digital Butterworth filter, equal to `scipy.signal.butter(order, cutoffs, type, fs=rate,
  /// output="sos")` up to the grouping of poles into sections (which does not change the output).
  ///
  /// - Parameters:
  ///   - order: filter order N (bandpass/bandstop designs have order 2N), 1…20.
  ///   - cutoffs: cutoff frequencies in Hz — one for lowpass/highpass, two (low, high) for
  ///     bandpass/bandstop; each strictly between 0 and rate/2.
  ///   - type: the pass type.
  ///   - rate: sampling rate in Hz.
  /// - Throws: `SignalError.invalidFilter` for an impossible design.
  public static func butterworth(order: Int, cutoffs: [Double], type: PassType, rate: Double) throws -> IIRFilter {
    guard (1...20).contains(order) else { throw SignalError.invalidFilter("Butterworth order \(order) must be in 1…20") }
    let expected = (type == .lowpass || type == .highpass) ? 1 : 2
    guard cutoffs.count == expected else {
      throw SignalError.invalidFilter("a \(type.rawValue) filter takes \(expected) cutoff frequenc\(expected == 1 ? "y" : "ies"), got \(cutoffs.count)")
    }
    guard rate > 0, cutoffs.allSatisfy({ $0 > 0 && $0 < rate / 2 }) else {
      throw SignalError.invalidFilter("cutoffs \(cutoffs) Hz must lie strictly between 0 and the Nyquist frequency \(rate / 2) Hz")
    }
    if expected == 2, cutoffs[0] >= cutoffs[1] {
      throw SignalError.invalidFilter("band edges \(cutoffs) Hz must be increasing")
    }
    // Analog prototype: poles on the unit circle's left half, no zeros, gain 1 (scipy.signal.buttap).
    var poles = (0..<order).map { m -> Complex in
      let angle = Double.pi * Double(-order + 1 + 2 * m) / Double(2 * order)
      return -Complex(cos(angle), sin(angle))
    }
    var zeros: [Complex] = []
    var gain = 1.0
    // Pre-warp (SciPy works with fs = 2 on frequencies normalised to Nyquist).
    let fs = 2.0
    let warped = cutoffs.map { 2 * fs * tan(Double.pi * ($0 / (rate / 2)) / fs) }
    switch type {
    case .lowpass:
      let wo = warped[0]
      gain *= pow(wo, Double(poles.count - zeros.count))
      poles = poles.map { $0 * wo }
    case .highpass:
      let wo = warped[0]
      let degree = poles.count - zeros.count
      gain *= (zeros.reduce(Complex(1, 0)) { $0 * -$1 } / poles.reduce(Complex(1, 0)) { $0 * -$1 }).re
      zeros = zeros.map { Complex(wo, 0) / $0 } + [Complex](repeating: .zero, count: degree)
      poles = poles.map { Complex(wo, 0) / $0 }
    case .bandpass, .bandstop:
      let wo = (warped[0] * warped[1]).squareRoot()
      let bw = warped[1] - warped[0]
      let degree = poles.count - zeros.count
      if type == .bandpass {
        let zlp = zeros.map { $0 * (bw / 2) }
        let plp = poles.map { $0 * (bw / 2) }
        zeros = zlp.flatMap { z in let r = (z * z - Complex(wo * wo, 0)).squareRoot(); return [z + r, z - r] }
        poles = plp.flatMap { p in let r = (p * p - Complex(wo * wo, 0)).squareRoot(); return [p + r, p - r] }
        zeros += [Complex](repeating: .zero, count: degree)
        gain *= pow(bw, Double(degree))
      } else {
        gain *= (zeros.reduce(Complex(1, 0)) { $0 * -$1 } / poles.reduce(Complex(1, 0)) { $0 * -$1 }).re
        let zhp = zeros.map { Complex(bw / 2, 0) / $0 }
        let php = poles.map { Complex(bw / 2, 0) / $0 }
        zeros = zhp.flatMap { z in let r = (z * z - Complex(wo * wo, 0)).squareRoot(); return [z + r, z - r] }
        poles = php.flatMap { p in let r = (p * p - Complex(wo * wo, 0)).squareRoot(); return [p + r, p - r] }
        zeros += [Complex](repeating: Complex(0, wo), count: degree) + [Complex](repeating: Complex(0, -wo), count: degree)
      }
    }
    // Bilinear transform (scipy.signal.bilinear_zpk).
    let fs2 = 2 * fs
    let degree = poles.count - zeros.count
    let zd = zeros.map { (Complex(fs2, 0) + $0) / (Complex(fs2, 0) - $0) } + [Complex](repeating: Complex(-1, 0), count: degree)
    let pd = poles.map { (Complex(fs2, 0) + $0) / (Complex(fs2, 0) - $0) }
    gain *= (zeros.reduce(Complex(1, 0)) { $0 * (Complex(fs2, 0) - $1) } / poles.reduce(Complex(1, 0)) { $0 * (Complex(fs2, 0) - $1) }).re
    return IIRFilter(zeros: zd, poles: pd, gain: gain)
  }

  /// A second-order IIR notch, equal to `scipy.signal.iirnotch(frequency, quality, fs=rate)`.
  ///
  /// - Parameters:
  ///   - frequency: the frequency to remove in Hz (e.g. 50 or 60 for mains), 0 < f < rate/2.
  ///   - quality: quality factor Q = frequency / −3 dB bandwidth (SciPy's examples use 30).
  ///   - rate: sampling rate in Hz.
  public static func notch(frequency: Double, quality: Double, rate: Double) throws -> IIRFilter {
    guard rate > 0, frequency > 0, frequency < rate / 2 else {
      throw SignalError.invalidFilter("notch frequency \(frequency) Hz must lie strictly between 0 and \(rate / 2) Hz")
    }
    guard quality > 0 else { throw SignalError.invalidFilter("notch quality factor must be positive, got \(quality)") }
    let w0 = 2 * frequency / rate
    let bw = w0 / quality * Double.pi
    let beta = tan(bw / 2)
    let g = 1 / (1 + beta)
    let c = cos(w0 * Double.pi)
    return IIRFilter(sections: [[g, -2 * g * c, g, 1, -2 * g * c, 2 * g - 1]])
  }

  /// Groups zeros and poles into real second-order sections (conjugate pairs together, real roots
  /// paired), the overall gain on the first section.
  init(zeros: [Complex], poles: [Complex], gain: Double) {
    func quadratics(_ roots: [Complex], count: Int) -> [[Double]] {
      var complexRoots = roots.filter { abs($0.im) > 1e-12 * max(1, $0.magnitude) && $0.im > 0 }
      var realRoots = roots.filter { abs($0.im) <= 1e-12 * max(1, $0.magnitude) }.map(\.re)
      complexRoots.sort { $0.magnitude < $1.magnitude }
      realRoots.sort()
      var result: [[Double]] = complexRoots.map { [1, -2 * $0.re, $0.re * $0.re + $0.im * $0.im] }
      while realRoots.count >= 2 {
        let a = realRoots.removeFirst(), b = realRoots.removeFirst()
        result.append([1, -(a + b), a * b])
      }
      if let a = realRoots.first { result.append([1, -a, 0]) }
      while result.count < count { result.append([1, 0, 0]) }
      return result
    }
    let sectionCount = (max(zeros.count, poles.count) + 1) / 2
    let numerators = quadratics(zeros, count: sectionCount)
    let denominators = quadratics(poles, count: sectionCount)
    var sections = (0..<sectionCount).map { numerators[$0] + denominators[$0] }
    for k in 0..<3 { sections[0][k] *= gain }
    self.init(sections: sections)
  }

  /// The transfer function as polynomials b, a in z⁻¹ (as `scipy.signal.sos2tf`, without the
  /// trailing zeros that first-order sections add, so a Butterworth design of order N gives the
  /// N + 1 coefficients of `scipy.signal.butter(..., output="ba")`).
  public var transferFunction: (b: [Double], a: [Double]) {
    var b = [1.0], a = [1.0]
    func multiply(_ p: [Double], _ q: [Double]) -> [Double] {
      var r = [Double](repeating: 0, count: p.count + q.count - 1)
      for i in p.indices { for j in q.indices { r[i + j] += p[i] * q[j] } }
      return r
    }
    for s in sections {
      b = multiply(b, Array(s[0..<3]))
      a = multiply(a, Array(s[3..<6]))
    }
    while b.count > 1, b.last == 0, a.last == 0 {
      b.removeLast()
      a.removeLast()
    }
    return (b, a)
  }
}

/// A complex number for filter design (zeros and poles).
struct Complex: Equatable {
  var re: Double
  var im: Double
  init(_ re: Double, _ im: Double) { (self.re, self.im) = (re, im) }
  static let zero = Complex(0, 0)
  var magnitude: Double { (re * re + im * im).squareRoot() }
  static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
  static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
  static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
  static func * (a: Complex, b: Complex) -> Complex { Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re) }
  static func * (a: Complex, s: Double) -> Complex { Complex(a.re * s, a.im * s) }
  static func / (a: Complex, b: Complex) -> Complex {
    let d = b.re * b.re + b.im * b.im
    return Complex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
  }
  /// Principal square root.
  func squareRoot() -> Complex {
    let m = magnitude
    let r = ((m + re) / 2).squareRoot()
    let i = ((m - re) / 2).squareRoot()
    return Complex(r, im < 0 ? -i : i)
  }
}
