import ECGExplain
import ECGNet

/// Localisation of an attribution against a ground-truth mask (the phantom's evidence masks),
/// with Quantus' definitions (Hedström et al., JMLR 2023) so that scores equal Quantus' on the
/// same arrays. Inputs are one record's attribution and mask, flattened alike (e.g. [12 × T]);
/// mask entries > 0 count as inside. Every score is nil when the mask is empty (Quantus: NaN).
///
/// Quantus normalises attributions by their maximum first (`normalise=True`); every score here
/// is invariant to that positive scaling, so it is not repeated. `absolute` is Quantus' `abs`.
public enum Localisation {
  /// Relevance mass accuracy (Arras et al. 2022): Σ attribution inside the mask / Σ attribution.
  /// (`RelevanceMass.shareInside`, the one definition, which explain's relevance mass uses too.)
  public static func relevanceMassAccuracy(_ attribution: [Float], mask: [Float], absolute: Bool = false) -> Double? {
    RelevanceMass.shareInside(attribution, mask: mask, absolute: absolute)
  }

  /// Relevance rank accuracy (Arras et al. 2022): of the K highest-ranked elements (K = mask
  /// size), the share that lies inside the mask.
  public static func relevanceRankAccuracy(_ attribution: [Float], mask: [Float], absolute: Bool = false) -> Double? {
    let size = mask.filter { $0 > 0 }.count
    guard size > 0 else { return nil }
    return Double(topInside(attribution, mask: mask, k: size, absolute: absolute)) / Double(size)
  }

  /// Pointing game (Zhang et al. 2018): 1 when an element with the maximum attribution lies
  /// inside the mask, else 0.
  public static func pointingGame(_ attribution: [Float], mask: [Float], absolute: Bool = false) -> Double? {
    precondition(attribution.count == mask.count, "Localisation: attribution and mask differ in size")
    guard mask.contains(where: { $0 > 0 }) else { return nil }
    let values = absolute ? attribution.map(abs) : attribution
    let top = values.max()!
    return zip(values, mask).contains { $0 == top && $1 > 0 } ? 1 : 0
  }

  /// Area under the ROC curve of the attribution as a score for "inside the mask" (ties count
  /// half, as scikit-learn's `roc_curve` + `auc`); NaN when the mask covers everything.
  public static func auc(_ attribution: [Float], mask: [Float], absolute: Bool = false) -> Double? {
    precondition(attribution.count == mask.count, "Localisation: attribution and mask differ in size")
    guard mask.contains(where: { $0 > 0 }) else { return nil }
    return Metrics.auc(scores: absolute ? attribution.map(abs) : attribution, labels: mask.map { $0 > 0 }) ?? .nan
  }

  /// Top-k intersection (Theiner et al. 2021): share of the k highest-ranked elements inside the
  /// mask.
  public static func topKIntersection(_ attribution: [Float], mask: [Float], k: Int, absolute: Bool = false) -> Double? {
    precondition(k >= 1 && k <= attribution.count, "Localisation: k must be in 1…\(attribution.count)")
    guard mask.contains(where: { $0 > 0 }) else { return nil }
    return Double(topInside(attribution, mask: mask, k: k, absolute: absolute)) / Double(k)
  }

  /// How many of the k largest attributions lie inside the mask.
  static func topInside(_ attribution: [Float], mask: [Float], k: Int, absolute: Bool) -> Int {
    precondition(attribution.count == mask.count, "Localisation: attribution and mask differ in size")
    let values = absolute ? attribution.map(abs) : attribution
    let order = values.indices.sorted { values[$0] > values[$1] }
    return order.prefix(k).filter { mask[$0] > 0 }.count
  }
}
