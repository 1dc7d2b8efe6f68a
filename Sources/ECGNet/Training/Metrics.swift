import ECGTensor

/// Evaluation metrics for multi-label classification and regression.
public enum Metrics {
  /// Area under the ROC curve of one score column against binary labels, exactly the
  /// Mann-Whitney statistic with ties counted ½ (equal to scikit-learn's `roc_auc_score`).
  /// Returns nil when the labels hold only one class.
  @inlinable
  public static func auc<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) -> Double? {
    precondition(scores.count == labels.count, "auc: \(scores.count) scores, \(labels.count) labels")
    let positives = labels.filter { $0 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSumPositives = 0.0
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
      let averageRank = Double(start + end) / 2 + 1  // ranks are 1-based
      for k in start...end where labels[order[k]] { rankSumPositives += averageRank }
      start = end + 1
    }
    let u = rankSumPositives - Double(positives) * Double(positives + 1) / 2
    return u / (Double(positives) * Double(negatives))
  }

  /// The ROC curve of one score column against binary labels: (false-positive rate,
  /// true-positive rate) at every distinct threshold from the highest score down, starting at
  /// (0, 0) and ending at (1, 1) — scikit-learn's `roc_curve(drop_intermediate=False)` points.
  /// Returns nil when the labels hold only one class.
  public static func rocCurve<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) -> [(fpr: Double, tpr: Double)]? {
    precondition(scores.count == labels.count, "rocCurve: \(scores.count) scores, \(labels.count) labels")
    let positives = labels.filter { $0 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
    var (tp, fp) = (0, 0)
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
      for k in start...end { if labels[order[k]] { tp += 1 } else { fp += 1 } }
      points.append((Double(fp) / Double(negatives), Double(tp) / Double(positives)))
      start = end + 1
    }
    return points
  }

  /// Per-class AUC of scores [N, K] against 0/1 targets [N, K]; nil for classes with one label
  /// value in `targets`.
  public static func perClassAUC(scores: Tensor, targets: Tensor) -> [Double?] {
    precondition(scores.shape == targets.shape && scores.rank == 2, "perClassAUC: shapes")
    let (n, k) = (scores.shape[0], scores.shape[1])
    return (0..<k).map { c in
      auc(
        scores: (0..<n).map { scores.scalars[$0 * k + c] },
        labels: (0..<n).map { targets.scalars[$0 * k + c] > 0.5 })
    }
  }

  /// Mean of the defined per-class AUCs (classes with one label value are skipped), or nil if
  /// none is defined.
  public static func macroAUC(scores: Tensor, targets: Tensor) -> Double? {
    let defined = perClassAUC(scores: scores, targets: targets).compactMap { $0 }
    return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
  }

  /// Mean squared error over all elements.
  public static func meanSquaredError(_ predictions: Tensor, _ targets: Tensor) -> Double {
    zip(predictions.scalars, targets.scalars).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
      / Double(max(predictions.count, 1))
  }

  /// Mean absolute error over all elements.
  public static func meanAbsoluteError(_ predictions: Tensor, _ targets: Tensor) -> Double {
    zip(predictions.scalars, targets.scalars).reduce(0) { $0 + Double(abs($1.0 - $1.1)) }
      / Double(max(predictions.count, 1))
  }

  /// Pearson correlation of two equally long sequences (nil if either is constant).
  public static func pearson(_ a: [Float], _ b: [Float]) -> Double? {
    let n = Double(a.count)
    guard a.count == b.count, a.count > 1 else { return nil }
    let ma = a.reduce(0) { $0 + Double($1) } / n
    let mb = b.reduce(0) { $0 + Double($1) } / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in 0..<a.count {
      let (da, db) = (Double(a[i]) - ma, Double(b[i]) - mb)
      sab += da * db
      saa += da * da
      sbb += db * db
    }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : nil
  }

  /// Coefficient of determination R² = 1 − SS_res / SS_tot over all elements (scikit-learn's
  /// `r2_score` of flattened arrays); nil if the targets are constant.
  public static func rSquared(_ predictions: Tensor, _ targets: Tensor) -> Double? {
    let mean = targets.scalars.reduce(0) { $0 + Double($1) } / Double(max(targets.count, 1))
    var residual = 0.0, total = 0.0
    for i in 0..<targets.count {
      residual += Double(predictions.scalars[i] - targets.scalars[i]) * Double(predictions.scalars[i] - targets.scalars[i])
      total += (Double(targets.scalars[i]) - mean) * (Double(targets.scalars[i]) - mean)
    }
    return total > 0 ? 1 - residual / total : nil
  }
}
