import Foundation

/// The two-sided Mann-Whitney U test, as SciPy's `scipy.stats.mannwhitneyu(x, y)` computes it
/// with its defaults (`use_continuity=True`, `alternative='two-sided'`, `method='auto'`):
/// - U is the statistic of the first sample, U₁ = R₁ − n₁(n₁+1)/2 with average ranks for ties;
/// - exact p (the permutation distribution of U, p = 2·P(U ≥ max(U₁, U₂)), clipped to 1) when
///   one sample has at most 8 values and there are no ties;
/// - otherwise the normal approximation with tie correction
///   σ = √(n₁n₂/12 · ((n+1) − Σ(t³−t)/(n(n−1)))) and continuity correction:
///   z = (max(U₁, U₂) − n₁n₂/2 − 0.5)/σ, p = 2·(1 − Φ(z)), clipped to [0, 1].
public struct MannWhitneyU: Sendable, Equatable, Codable {
  /// U of the first sample.
  public var u: Double
  /// Two-sided p-value.
  public var p: Double
  /// Sample sizes.
  public var n1: Int, n2: Int
  /// Whether the exact distribution was used.
  public var exact: Bool

  /// Common-language effect size (the AUC): P(x > y) + ½·P(x = y) = U₁/(n₁n₂).
  public var auc: Double { u / (Double(n1) * Double(n2)) }
  /// Rank-biserial correlation 2·AUC − 1 (−1…1; positive: the first sample is larger).
  public var rankBiserial: Double { 2 * auc - 1 }

  /// Tests `x` against `y` (NaN values are not allowed; remove them first). Nil when a sample is
  /// empty.
  public init?(_ x: [Double], _ y: [Double]) {
    precondition(!x.contains(where: \.isNaN) && !y.contains(where: \.isNaN), "MannWhitneyU: NaN in a sample")
    guard !x.isEmpty, !y.isEmpty else { return nil }
    n1 = x.count
    n2 = y.count
    let all = x + y
    let order = all.indices.sorted { all[$0] < all[$1] }
    var rankSum1 = 0.0, tieTerm = 0.0, ties = false
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && all[order[end + 1]] == all[order[start]] { end += 1 }
      let rank = Double(start + end) / 2 + 1
      for k in start...end where order[k] < n1 { rankSum1 += rank }
      let t = Double(end - start + 1)
      if t > 1 { ties = true; tieTerm += t * t * t - t }
      start = end + 1
    }
    let (m1, m2) = (Double(n1), Double(n2))
    u = rankSum1 - m1 * (m1 + 1) / 2
    let big = max(u, m1 * m2 - u)
    exact = !(n1 > 8 && n2 > 8) && !ties
    if exact {
      p = min(1, max(0, 2 * Self.exactSurvival(Int(big.rounded()), n1, n2)))
    } else {
      let n = m1 + m2
      let sigma = (m1 * m2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
      let z = (big - m1 * m2 / 2 - 0.5) / sigma
      p = min(1, max(0, 2 * 0.5 * erfc(z / 2.0.squareRoot())))
    }
  }

  /// P(U ≥ k) under H₀ for sample sizes n1, n2 without ties (counting arrangements).
  static func exactSurvival(_ k: Int, _ n1: Int, _ n2: Int) -> Double {
    let total = n1 * n2
    // f(m, j)[u]: arrangements of m first-sample and j second-sample values with U = u. The
    // largest value is either from the first sample (it beats all j others) or from the second:
    // f(m, j)[u] = f(m − 1, j)[u − j] + f(m, j − 1)[u]. Iterate j = 0…n2 keeping f(·, j).
    var f = [[Double]](repeating: [Double](repeating: 0, count: total + 1), count: n1 + 1)
    for m in 0...n1 { f[m][0] = 1 }  // j = 0: one arrangement, U = 0
    for j in 1...n2 {
      var g = [[Double]](repeating: [Double](repeating: 0, count: total + 1), count: n1 + 1)
      g[0][0] = 1
      if n1 > 0 {
        for m in 1...n1 {
          for u in 0...total {
            var value = f[m][u]
            if u >= j { value += g[m - 1][u - j] }
            g[m][u] = value
          }
        }
      }
      f = g
    }
    let row = f[n1]
    let all = row.reduce(0, +)
    let tail = row[max(0, k)...].reduce(0, +)
    return tail / all
  }
}
