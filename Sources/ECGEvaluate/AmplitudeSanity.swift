import ECGTensor

/// The paper's sanity checks on amplitude-regression models with one output per lead (Wagner et
/// al. 2024, "Sanity Checks"): an attribution of output lead c should lie on lead c (spatial
/// specificity) and on the wave whose amplitude is regressed (temporal relevance profile).
/// Attributions are one record's [leads, T] values, row-major.
public enum AmplitudeSanity {
  /// Spatial specificity: ‖A[c]‖₂ / ‖(‖A[l]‖₂)_l‖₂ — the share of the per-lead L2 norms that falls
  /// on lead c (1: only lead c; uniform over 12 leads: 1/√12 ≈ 0.289). nil for an all-zero map.
  public static func spatialSpecificity(_ attribution: ArraySlice<Float>, leads: Int, lead c: Int) -> Double? {
    precondition(attribution.count % leads == 0 && (0..<leads).contains(c), "AmplitudeSanity: [leads, T] and a lead index")
    let t = attribution.count / leads
    let start = attribution.startIndex
    let norms = (0..<leads).map { l in
      attribution[(start + l * t)..<(start + (l + 1) * t)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
    let total = norms.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
    return total > 0 ? norms[c] / total : nil
  }

  /// The temporal relevance profile of one record: for every R peak with a full window, the L2
  /// norm over leads of the attribution at each of the `before + after + 1` samples around it,
  /// averaged over beats (the paper: −30 … +50 samples at 100 Hz). nil without a full beat.
  public static func beatProfile(_ attribution: ArraySlice<Float>, leads: Int, rPeaks: [Int], before: Int, after: Int) -> [Double]? {
    let t = attribution.count / leads
    let start = attribution.startIndex
    let beats = rPeaks.filter { $0 - before >= 0 && $0 + after < t }
    guard !beats.isEmpty else { return nil }
    var profile = [Double](repeating: 0, count: before + after + 1)
    for r in beats {
      for k in 0..<profile.count {
        var sum = 0.0
        for l in 0..<leads {
          let v = Double(attribution[start + l * t + r - before + k])
          sum += v * v
        }
        profile[k] += sum.squareRoot()
      }
    }
    return profile.map { $0 / Double(beats.count) }
  }

  /// The profile scaled to unit L2 norm (the paper's normalisation); zero stays zero.
  public static func unitNorm(_ profile: [Double]) -> [Double] {
    let norm = profile.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
    return norm > 0 ? profile.map { $0 / norm } : profile
  }

  /// Share of the profile's mass (sum) inside `window` (profile indices).
  public static func share(_ profile: [Double], inside window: Range<Int>) -> Double {
    let total = profile.reduce(0, +)
    let clipped = max(0, window.lowerBound)..<min(profile.count, max(window.lowerBound, window.upperBound))
    return total > 0 ? profile[clipped].reduce(0, +) / total : 0
  }
}

/// Regression quality with bootstrap spread, as the paper reports it (fold 10, 10 resamples).
public enum RegressionScores {
  /// Coefficient of determination R² = 1 − SS_res / SS_tot over all outputs pooled per output and
  /// averaged (scikit-learn's `r2_score` with `multioutput="uniform_average"`); predictions and
  /// targets [N, K] row-major.
  public static func r2(predictions: [Float], targets: [Float], outputs k: Int) -> Double {
    precondition(predictions.count == targets.count && targets.count % k == 0, "RegressionScores: [N, K] alike")
    let n = targets.count / k
    var total = 0.0
    for c in 0..<k {
      var mean = 0.0
      for i in 0..<n { mean += Double(targets[i * k + c]) }
      mean /= Double(n)
      var residual = 0.0, variance = 0.0
      for i in 0..<n {
        let y = Double(targets[i * k + c])
        residual += (y - Double(predictions[i * k + c])) * (y - Double(predictions[i * k + c]))
        variance += (y - mean) * (y - mean)
      }
      total += variance > 0 ? 1 - residual / variance : (residual == 0 ? 1 : 0)
    }
    return total / Double(k)
  }

  /// Mean absolute error over all entries.
  public static func mae(predictions: [Float], targets: [Float]) -> Double {
    zip(predictions, targets).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(max(1, targets.count))
  }

  /// Mean and standard deviation of `score` over `resamples` bootstrap resamples of the N rows
  /// (seeded).
  public static func bootstrap(
    rows n: Int, resamples: Int = 10, seed: UInt64 = 0, _ score: ([Int]) -> Double
  ) -> (mean: Double, std: Double) {
    var rng = SeededRNG(seed: seed)
    let values = (0..<resamples).map { _ in score((0..<n).map { _ in min(n - 1, Int(rng.nextUniform() * Double(n))) }) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count - 1))
    return (mean, variance.squareRoot())
  }
}
