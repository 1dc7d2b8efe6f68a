/// Which side of the random baseline a significant concept lies on.
public enum TCAVDirection: String, Sendable, Codable, Equatable {
  /// The concept's mean `sign_count` is above the random CAVs' (↑: the target output rises
  /// along the concept for more inputs than along random directions).
  case above
  /// The concept's mean `sign_count` is below the random CAVs' (↓).
  case below
}

extension TCAVResult.Cell {
  /// The one rule of ecgxai for "significant and above (or below) random", used by the command's
  /// summary, the run summary, the report and the figures.
  ///
  /// - `significant` must hold: the Bonferroni-adjusted p (over concepts × layers × targets) is
  ///   strictly below the analysis' α (`TCAVSettings.alpha`, default 0.05), as `TCAVAnalysis`
  ///   decided when it ran.
  /// - Then `.above` when the mean `sign_count` is strictly greater than the random mean,
  ///   `.below` when strictly smaller.
  /// - nil otherwise: not significant, or a tie (equal means — a t-test of equal means gives
  ///   t = 0, so a significant tie can only come from rounding), or a mean that is NaN (e.g.
  ///   missing from a file). A tie is neither ↑ nor ↓.
  public var significantDirection: TCAVDirection? {
    Self.significantDirection(significant: significant, meanSignCount: meanSignCount, randomMeanSignCount: randomMeanSignCount)
  }

  /// `significantDirection` from a cell's stored values — for readers of `tcav.json` that hold
  /// the cell as JSON (pass NaN for a missing or non-numeric mean).
  public static func significantDirection(significant: Bool, meanSignCount: Double, randomMeanSignCount: Double) -> TCAVDirection? {
    guard significant else { return nil }
    if meanSignCount > randomMeanSignCount { return .above }
    if meanSignCount < randomMeanSignCount { return .below }
    return nil
  }
}
