import ECGTensor

/// A classifier's scores on a test set: macro AUC, AUC per class and ROC curves per class
/// (JSON keys `macro_auc`, `per_class_auc`, `roc`; an undefined AUC — a class without positive
/// or negative test records — is `null`).
public struct ClassifierEvaluation: Codable, Sendable, Equatable {
  /// Mean AUC over the classes where it is defined; nil when it is nowhere.
  public var macroAUC: Double?
  /// Class names in output order.
  public var classNames: [String]
  /// AUC per class name (nil: undefined).
  public var perClassAUC: [String: Double?]
  /// ROC curve per class name (classes with a defined curve only): points [fpr, tpr], at most
  /// about 200 of them (corners kept).
  public var roc: [String: [[Double]]]

  /// The scores of `logits` [N, classes] against 0/1 `targets` [N, classes]; `macroAUC` as the
  /// trainer computed it.
  public init(logits: Tensor, targets: Tensor, macroAUC: Double?, classNames: [String]) {
    let n = targets.shape[0], k = classNames.count
    let perClass = Metrics.perClassAUC(scores: logits, targets: targets)
    var curves: [String: [[Double]]] = [:]
    for (c, name) in classNames.enumerated() {
      let scores = (0..<n).map { logits.scalars[$0 * k + c] }
      let truth = (0..<n).map { targets.scalars[$0 * k + c] > 0.5 }
      if let curve = Metrics.rocCurve(scores: scores, labels: truth) { curves[name] = Self.thinned(curve).map { [$0.fpr, $0.tpr] } }
    }
    self.macroAUC = macroAUC
    self.classNames = classNames
    self.perClassAUC = Dictionary(uniqueKeysWithValues: zip(classNames, perClass))
    self.roc = curves
  }

  /// AUC per class in output order (nil: undefined).
  public var orderedAUC: [Double?] { classNames.map { perClassAUC[$0] ?? nil } }

  /// At most about 200 points of a ROC curve (its corners kept), for the report's figure.
  static func thinned(_ curve: [(fpr: Double, tpr: Double)]) -> [(fpr: Double, tpr: Double)] {
    guard curve.count > 200 else { return curve }
    let step = Double(curve.count - 1) / 199
    return (0..<200).map { curve[Int((Double($0) * step).rounded())] }
  }

  private enum CodingKeys: String, CodingKey {
    case macroAUC = "macro_auc", perClassAUC = "per_class_auc", roc
  }

  /// Decodes a saved evaluation (class names in sorted order: the file keeps no order).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    macroAUC = try container.decodeIfPresent(Double.self, forKey: .macroAUC)
    perClassAUC = try container.decode([String: Double?].self, forKey: .perClassAUC)
    roc = try container.decode([String: [[Double]]].self, forKey: .roc)
    classNames = perClassAUC.keys.sorted()
  }

  /// Encodes the three keys; an undefined macro AUC as `null`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(macroAUC, forKey: .macroAUC)
    try container.encode(perClassAUC, forKey: .perClassAUC)
    try container.encode(roc, forKey: .roc)
  }
}
