import ECGTensor

/// Percentile bootstrap confidence intervals over records (Efron & Tibshirani 1993, ch. 13):
/// resample the N records with replacement, recompute the statistic, and take the empirical
/// (1 ± level)/2 quantiles (linear interpolation between order statistics, NumPy's default
/// `percentile`).
public enum BootstrapCI {
  /// An estimate with its interval.
  public struct Interval: Sendable, Equatable {
    /// The statistic on all records.
    public var estimate: Double
    /// Lower and upper bound of the interval.
    public var lower: Double, upper: Double
    /// Records behind the estimate.
    public var n: Int

    /// The interval as a JSON-ready dictionary.
    public var dictionary: [String: Double] { ["mean": estimate, "ci_low": lower, "ci_high": upper, "n": Double(n)] }
  }

  /// The interval of `statistic` (given the resampled row indices) over `rows` records;
  /// `resamples` draws from a generator seeded by `seed`. Non-finite resampled values are
  /// dropped. `rows` must be positive.
  public static func interval(
    rows n: Int, resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0, _ statistic: ([Int]) -> Double
  ) -> Interval {
    precondition(n > 0 && resamples > 0 && level > 0 && level < 1, "BootstrapCI: rows and resamples > 0, level in (0, 1)")
    let estimate = statistic(Array(0..<n))
    var rng = SeededRNG(seed: seed)
    let values = (0..<resamples).map { _ in
      statistic((0..<n).map { _ in min(n - 1, Int(rng.nextUniform() * Double(n))) })
    }.filter(\.isFinite).sorted()
    guard !values.isEmpty else { return Interval(estimate: estimate, lower: .nan, upper: .nan, n: n) }
    return Interval(estimate: estimate, lower: quantile(values, (1 - level) / 2), upper: quantile(values, (1 + level) / 2), n: n)
  }

  /// The interval of the mean of `values` (non-finite values dropped first; nil when none is left).
  public static func mean(_ values: [Double], resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) -> Interval? {
    let v = values.filter(\.isFinite)
    guard !v.isEmpty else { return nil }
    return interval(rows: v.count, resamples: resamples, level: level, seed: seed) { rows in
      rows.reduce(0.0) { $0 + v[$1] } / Double(rows.count)
    }
  }

  /// The q-quantile of sorted values, linearly interpolated (NumPy `percentile`, method "linear").
  public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty && q >= 0 && q <= 1, "BootstrapCI.quantile: values and q in [0, 1]")
    let position = q * Double(sorted.count - 1)
    let i = Int(position.rounded(.down)), j = min(sorted.count - 1, i + 1)
    return sorted[i] + (position - Double(i)) * (sorted[j] - sorted[i])
  }
}
