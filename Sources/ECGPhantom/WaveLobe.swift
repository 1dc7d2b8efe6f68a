#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The ECG wave a lobe belongs to; fiducial points are derived from the lobes of each wave.
public enum WaveKind: String, Sendable, CaseIterable, Codable {
  /// Atrial depolarisation.
  case p
  /// Ventricular depolarisation (all QRS lobes: septal q, R, S, notches, bundle-branch lobes).
  case qrs
  /// ST-segment deviation (a plateau from the J point into the T wave).
  case st
  /// Ventricular repolarisation.
  case t
  /// The U wave after T (a benign variant, prominent at slow heart rates).
  case u
}

/// One smooth wave component of a beat: an asymmetric Gaussian (or a plateau) in time whose
/// direction and size in VCG space is `amplitude` (mV). Times are seconds relative to the beat's
/// QRS onset for templates, absolute seconds in rendered beats.
///
/// A Gaussian lobe's **onset and offset** are `center ∓ 2.5σ` (the lobe is at 4.4 % of its peak
/// there); the phantom's fiducials are defined from these edges (docs/phantom.md).
public struct WaveLobe: Sendable, Equatable {
  /// The shape in time.
  public enum Shape: Sendable, Equatable {
    /// `exp(−(t − center)² / 2σ²)` with σ = `sigmaLeft` before the centre and `sigmaRight` after.
    case gaussian
    /// 1 between `center` and `end`, with raised-cosine ramps of `sigmaLeft` before `center`
    /// and `sigmaRight` before `end` (used for ST deviation).
    case plateau(end: Double)
  }

  /// The wave this lobe belongs to.
  public var wave: WaveKind
  /// Shape in time.
  public var shape: Shape
  /// Peak time (Gaussian) or plateau start (plateau), seconds.
  public var center: Double
  /// Rising width, seconds.
  public var sigmaLeft: Double
  /// Falling width, seconds.
  public var sigmaRight: Double
  /// Direction and size in VCG space, mV.
  public var amplitude: HeartVector

  /// Creates a lobe.
  public init(
    _ wave: WaveKind, center: Double, sigmaLeft: Double, sigmaRight: Double,
    amplitude: HeartVector, shape: Shape = .gaussian
  ) {
    self.wave = wave
    self.shape = shape
    self.center = center
    self.sigmaLeft = sigmaLeft
    self.sigmaRight = sigmaRight
    self.amplitude = amplitude
  }

  /// Onset (seconds): where the lobe starts to matter (`center − 2.5σ_left`).
  public var onset: Double {
    switch shape {
    case .gaussian: center - 2.5 * sigmaLeft
    case .plateau: center - sigmaLeft
    }
  }

  /// Offset (seconds): where the lobe stops mattering (`center + 2.5σ_right`).
  public var offset: Double {
    switch shape {
    case .gaussian: center + 2.5 * sigmaRight
    case .plateau(let end): end
    }
  }

  /// The time range outside which the lobe is below 1e-4 of its peak (seconds).
  public var support: ClosedRange<Double> {
    switch shape {
    case .gaussian: (center - 4.3 * sigmaLeft)...(center + 4.3 * sigmaRight)
    case .plateau(let end): (center - sigmaLeft)...end
    }
  }

  /// The time-course value (0…1) at `t` seconds.
  @inlinable
  public func weight(at t: Double) -> Double {
    switch shape {
    case .gaussian:
      let d = t - center
      let s = d < 0 ? sigmaLeft : sigmaRight
      let z = d / s
      if abs(z) > 4.3 { return 0 }
      return exp(-0.5 * z * z)
    case .plateau(let end):
      if t < center - sigmaLeft || t >= end { return 0 }
      if t < center { return 0.5 - 0.5 * cos(Double.pi * (t - center + sigmaLeft) / sigmaLeft) }
      if t > end - sigmaRight { return 0.5 + 0.5 * cos(Double.pi * (t - end + sigmaRight) / sigmaRight) }
      return 1
    }
  }

  /// The lobe shifted by `seconds`.
  public func shifted(by seconds: Double) -> WaveLobe {
    var copy = self
    copy.center += seconds
    if case .plateau(let end) = shape { copy.shape = .plateau(end: end + seconds) }
    return copy
  }
}

/// Adds the lobes, sampled at `rate` Hz from time `start` seconds, into three VCG channels
/// (x, y, z), each `count` samples long.
func renderLobes(
  _ lobes: [WaveLobe], start: Double, rate: Double, count: Int,
  x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>, z: UnsafeMutablePointer<Double>
) {
  for lobe in lobes {
    let range = lobe.support
    let first = max(0, Int(((range.lowerBound - start) * rate).rounded(.up)))
    let last = min(count - 1, Int(((range.upperBound - start) * rate).rounded(.down)))
    if first > last { continue }
    let a = lobe.amplitude
    for n in first...last {
      let w = lobe.weight(at: start + Double(n) / rate)
      if w == 0 { continue }
      x[n] += w * a.x
      y[n] += w * a.y
      z[n] += w * a.z
    }
  }
}
