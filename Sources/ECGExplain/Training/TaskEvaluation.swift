import ECGNet
import Foundation

/// `evaluation-TASK.json`: how one label task's classifier was made and how it scored on the test
/// fold — class counts per split, training history, per-class test AUC and ROC curves.
public struct TaskEvaluation: Codable, Sendable {
  /// The version of this file's layout.
  public static let currentSchemaVersion = 1

  /// One epoch of the training history.
  public struct Epoch: Codable, Sendable, Equatable {
    /// Epoch number, 1-based.
    public var epoch: Int
    /// Mean training loss and validation loss.
    public var trainLoss: Double, validationLoss: Double
    /// Validation macro AUC (nil: undefined; encoded as `null`).
    public var validationMacroAUC: Double?

    /// The history entry of a trainer's epoch summary.
    public init(_ summary: EpochSummary) {
      epoch = summary.epoch
      trainLoss = Double(summary.trainingLoss)
      validationLoss = Double(summary.validationLoss)
      validationMacroAUC = summary.validationScore
    }

    private enum CodingKeys: String, CodingKey {
      case epoch, trainLoss = "train_loss", validationLoss = "validation_loss", validationMacroAUC = "validation_macro_auc"
    }

    /// Decodes an entry.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      epoch = try c.decode(Int.self, forKey: .epoch)
      trainLoss = try c.decode(Double.self, forKey: .trainLoss)
      validationLoss = try c.decode(Double.self, forKey: .validationLoss)
      validationMacroAUC = try c.decodeIfPresent(Double.self, forKey: .validationMacroAUC)
    }

    /// Encodes an entry (an undefined AUC as `null`).
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(epoch, forKey: .epoch)
      try c.encode(trainLoss, forKey: .trainLoss)
      try c.encode(validationLoss, forKey: .validationLoss)
      try c.encode(validationMacroAUC, forKey: .validationMacroAUC)
    }
  }

  /// `currentSchemaVersion` when written.
  public var schemaVersion: Int
  /// Version, model digest, dataset digest and seed.
  public var provenance: Provenance
  /// The label task, e.g. `superdiagnostic`.
  public var task: String
  /// Architecture name of the model.
  public var architecture: String
  /// Trainable parameters.
  public var parameters: Int
  /// Where the model was saved, relative to the run directory.
  public var model: String
  /// Class names in output order.
  public var classes: [String]
  /// Epochs configured.
  public var epochs: Int
  /// The epoch kept (nil for a pretrained model: `null`).
  public var bestEpoch: Int?
  /// Per-epoch losses and validation AUC (empty for a pretrained model).
  public var history: [Epoch]
  /// Records per split (`train`, `validation`, `test`).
  public var records: [String: Int]
  /// Records carrying each class, per split.
  public var classCounts: [String: [String: Int]]
  /// Scores on the test fold.
  public var test: ClassifierEvaluation
  /// Wall time of training and testing, s.
  public var seconds: Double
  /// Whether the model was given (not trained).
  public var pretrained: Bool

  /// An evaluation of the current schema version.
  public init(
    provenance: Provenance, task: String, architecture: String, parameters: Int, model: String, classes: [String],
    epochs: Int, bestEpoch: Int?, history: [Epoch], records: [String: Int], classCounts: [String: [String: Int]],
    test: ClassifierEvaluation, seconds: Double, pretrained: Bool
  ) {
    schemaVersion = Self.currentSchemaVersion
    (self.provenance, self.task, self.architecture, self.parameters, self.model) = (provenance, task, architecture, parameters, model)
    (self.classes, self.epochs, self.bestEpoch, self.history) = (classes, epochs, bestEpoch, history)
    (self.records, self.classCounts, self.test, self.seconds, self.pretrained) = (records, classCounts, test, seconds, pretrained)
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, task, architecture = "arch", parameters, model, classes, epochs
    case bestEpoch = "best_epoch", history, records, classCounts = "class_counts", test, seconds, pretrained
  }

  /// Decodes a saved evaluation.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
    provenance = try c.decode(Provenance.self, forKey: .provenance)
    task = try c.decode(String.self, forKey: .task)
    architecture = try c.decode(String.self, forKey: .architecture)
    parameters = try c.decode(Int.self, forKey: .parameters)
    model = try c.decode(String.self, forKey: .model)
    classes = try c.decode([String].self, forKey: .classes)
    epochs = try c.decode(Int.self, forKey: .epochs)
    bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch)
    history = try c.decode([Epoch].self, forKey: .history)
    records = try c.decode([String: Int].self, forKey: .records)
    classCounts = try c.decode([String: [String: Int]].self, forKey: .classCounts)
    test = try c.decode(ClassifierEvaluation.self, forKey: .test)
    seconds = try c.decode(Double.self, forKey: .seconds)
    pretrained = try c.decode(Bool.self, forKey: .pretrained)
  }

  /// Encodes every key (a pretrained model's `best_epoch` as `null`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(schemaVersion, forKey: .schemaVersion)
    try c.encode(provenance, forKey: .provenance)
    try c.encode(task, forKey: .task)
    try c.encode(architecture, forKey: .architecture)
    try c.encode(parameters, forKey: .parameters)
    try c.encode(model, forKey: .model)
    try c.encode(classes, forKey: .classes)
    try c.encode(epochs, forKey: .epochs)
    try c.encode(bestEpoch, forKey: .bestEpoch)
    try c.encode(history, forKey: .history)
    try c.encode(records, forKey: .records)
    try c.encode(classCounts, forKey: .classCounts)
    try c.encode(test, forKey: .test)
    try c.encode(seconds, forKey: .seconds)
    try c.encode(pretrained, forKey: .pretrained)
  }

  /// The file's bytes: pretty-printed JSON with sorted keys.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(self)
  }
}
