import ECGNet
import ECGTensor

/// The result of attributing one output per record.
public struct Attribution: Sendable {
  /// Relevance per input sample, [N, leads, T] (same shape as the input).
  public var values: Tensor
  /// The model's outputs (logits) on the input, [N, classes].
  public var outputs: Tensor
  /// The attributed output index per record.
  public var targets: [Int]
  /// Method-specific diagnostics, e.g. IG's completeness delta per record, or LRP's
  /// conservation ratio Σ relevance / seed per record.
  public var diagnostics: [String: [Double]] = [:]
}

/// Errors of attribution calls that depend on user input.
public enum AttributionError: Error, CustomStringConvertible {
  /// A target index outside [0, classes).
  case targetOutOfRange(target: Int, classes: Int)
  /// The input is not [N, leads, T] with the model's lead count.
  case badInputShape(shape: [Int], leads: Int)
  /// A layer name that the model does not have.
  case unknownLayer(name: String, available: [String])
  /// A parameter outside its valid range.
  case invalidParameter(String)

  public var description: String {
    switch self {
    case .targetOutOfRange(let target, let classes):
      "target \(target) is out of range: the model has \(classes) outputs (0…\(classes - 1))"
    case .badInputShape(let shape, let leads):
      "input has shape \(shape); expected [records, \(leads), samples]"
    case .unknownLayer(let name, let available):
      "no layer named '\(name)'; layers: \(available.prefix(40).joined(separator: ", "))\(available.count > 40 ? ", …" : "")"
    case .invalidParameter(let text): text
    }
  }
}

/// An attribution method: maps (model, input [N, leads, T], one target per record) to relevance of
/// the same shape. Sanity checks and audits treat every method alike through this protocol.
public protocol AttributionMethod: Sendable {
  /// A short identifier (`saliency`, `ig`, `lrp-epsilon`, …), used as the file name of saved
  /// attributions.
  var name: String { get }
  /// Attributes output `targets[i]` of record i.
  func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution
}

extension AttributionMethod {
  /// Checks the input shape and the targets against the model; returns the outputs.
  func validated(_ model: Model, input: Tensor, targets: [Int]) throws -> Tensor {
    try check(model, input: input, targets: targets)
    return model.forward(input)
  }

  /// Checks the input shape and the targets against the model, without running it.
  func check(_ model: Model, input: Tensor, targets: [Int]) throws {
    let leads = model.architecture.inputChannels
    guard input.rank == 3, input.shape[1] == leads, input.shape[0] > 0, input.shape[2] > 0 else {
      throw AttributionError.badInputShape(shape: input.shape, leads: leads)
    }
    if let problem = model.inputShapeProblem(input.shape) { throw AttributionError.invalidParameter(problem) }
    guard targets.count == input.shape[0] else {
      throw AttributionError.invalidParameter("\(targets.count) targets for \(input.shape[0]) records")
    }
    let classes = model.architecture.classes
    if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
      throw AttributionError.targetOutOfRange(target: bad, classes: classes)
    }
  }
}

/// A one-hot seed [N, classes] with 1 at each record's target (Captum's and Zennit's output
/// selection).
func oneHot(_ targets: [Int], classes: Int) -> Tensor {
  var seed = Tensor(zeros: [targets.count, classes])
  for (i, t) in targets.enumerated() { seed.scalars[i * classes + t] = 1 }
  return seed
}

/// The targets with the highest output per record (the "predicted class").
public func predictedTargets(_ outputs: Tensor) -> [Int] {
  let classes = outputs.shape[1]
  return (0..<outputs.shape[0]).map { r in
    let row = outputs.scalars[(r * classes)..<((r + 1) * classes)]
    return row.indices.max { row[$0] < row[$1] }! - r * classes
  }
}
