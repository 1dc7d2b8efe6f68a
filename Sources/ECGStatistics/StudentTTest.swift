import Foundation

/// The two-sample t-test, as SciPy's `scipy.stats.ttest_ind(a, b, equal_var=…)` computes it
/// (two-sided):
/// - Student (`equalVariances: true`, SciPy's default and tensorflow/tcav's choice): pooled
///   variance s² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2), t = (ā − b̄)/√(s²(1/n₁ + 1/n₂)),
///   df = n₁ + n₂ − 2;
/// - Welch (`equalVariances: false`): t = (ā − b̄)/√(s₁²/n₁ + s₂²/n₂), Welch–Satterthwaite df;
/// - p = 2·P(T_df > |t|) = I_{df/(df+t²)}(df/2, ½) (regularised incomplete beta).
///
/// When both samples have zero variance, t is ±∞ and p = 0 if the means differ, and t and p
/// are NaN if they are equal (as SciPy).
public struct StudentTTest: Sendable, Equatable, Codable {
  /// The t statistic (positive: the first sample's mean is larger).
  public var t: Double
  /// Two-sided p-value.
  public var p: Double
  /// Degrees of freedom.
  public var degreesOfFreedom: Double
  /// Mean of the first sample minus mean of the second.
  public var meanDifference: Double
  /// Cohen's d: the mean difference over the pooled standard deviation (NaN when it is zero).
  public var cohensD: Double

  /// Tests `a` against `b`; nil when a sample has fewer than two values or contains NaN.
  public init?(_ a: [Double], _ b: [Double], equalVariances: Bool = true) {
    guard a.count >= 2, b.count >= 2, !a.contains(where: \.isNaN), !b.contains(where: \.isNaN) else { return nil }
    let (n1, n2) = (Double(a.count), Double(b.count))
    let (m1, m2) = (a.reduce(0, +) / n1, b.reduce(0, +) / n2)
    let v1 = a.reduce(0) { $0 + ($1 - m1) * ($1 - m1) } / (n1 - 1)
    let v2 = b.reduce(0) { $0 + ($1 - m2) * ($1 - m2) } / (n2 - 1)
    let pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
    meanDifference = m1 - m2
    cohensD = pooled > 0 ? meanDifference / pooled.squareRoot() : .nan
    let standardError: Double
    if equalVariances {
      standardError = (pooled * (1 / n1 + 1 / n2)).squareRoot()
      degreesOfFreedom = n1 + n2 - 2
    } else {
      let (s1, s2) = (v1 / n1, v2 / n2)
      standardError = (s1 + s2).squareRoot()
      let denominator = s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1)
      degreesOfFreedom = denominator > 0 ? (s1 + s2) * (s1 + s2) / denominator : .nan
    }
    if standardError > 0 {
      t = meanDifference / standardError
      p = Self.twoSidedP(t, degreesOfFreedom: degreesOfFreedom)
    } else if meanDifference != 0 {
      t = meanDifference > 0 ? .infinity : -.infinity
      p = 0
    } else {
      t = .nan
      p = .nan
    }
  }

  /// 2·P(T > |t|) for Student's t with `degreesOfFreedom` (> 0).
  public static func twoSidedP(_ t: Double, degreesOfFreedom df: Double) -> Double {
    guard t.isFinite else { return t.isNaN ? .nan : 0 }
    return min(1, max(0, regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)))
  }
}

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1], by the
/// continued fraction of Numerical Recipes (modified Lentz), relative accuracy ≈ 1e-14.
public func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
  precondition(a > 0 && b > 0, "regularizedIncompleteBeta: a and b must be positive")
  if x <= 0 { return 0 }
  if x >= 1 { return 1 }
  let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
  // The fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry otherwise.
  if x < (a + 1) / (a + b + 2) {
    return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
  }
  return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
}

/// The continued fraction of I_x(a, b) (Numerical Recipes `betacf`).
private func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
  let tiny = 1e-300, epsilon = 1e-16
  let (qab, qap, qam) = (a + b, a + 1, a - 1)
  var c = 1.0
  var d = 1 - qab * x / qap
  if abs(d) < tiny { d = tiny }
  d = 1 / d
  var h = d
  for m in 1...10_000 {
    let m = Double(m), m2 = 2 * m
    var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if abs(d) < tiny { d = tiny }
    c = 1 + aa / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    h *= d * c
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if abs(d) < tiny { d = tiny }
    c = 1 + aa / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    let delta = d * c
    h *= delta
    if abs(delta - 1) < epsilon { break }
  }
  return h
}
