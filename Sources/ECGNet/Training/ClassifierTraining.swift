import ECGTensor

/// How a built-in architecture is trained on ECG tensors — the one training protocol that
/// `ecgxai train` (NumPy arrays) and the run pipeline's train step (a dataset's label task) share.
///
/// The defaults are the paper's: AdamW lr 1e-3, weight decay 1e-3, batch 128, random 250-sample
/// crops, the best-validation checkpoint (macro AUC; lowest validation loss for regression).
/// `makeModel` builds the untrained model (so a caller can report its size first), `fit` trains
/// it, `evaluate` scores it on a test set.
public struct ClassifierTraining: Codable, Sendable {
  /// The learning task of a classifier.
  public enum Task: String, Codable, Sendable, CaseIterable {
    /// 0/1 targets, binary cross-entropy with logits, macro AUC.
    case multilabel
    /// Real-valued targets, mean squared error, R².
    case regression
  }

  /// Architecture name, one of `ModelZoo.names`.
  public var architecture: String
  /// Multilabel classification or regression (sets the loss).
  public var task: Task
  /// Epochs, batch size, optimiser, schedule, crops, early stopping and seed (the seed also
  /// initialises the model). `loss` is set from `task`.
  public var configuration: TrainingConfiguration

  /// A protocol for `architecture`; `configuration.loss` follows `task`.
  public init(architecture: String, task: Task = .multilabel, configuration: TrainingConfiguration = TrainingConfiguration()) {
    self.architecture = architecture
    self.task = task
    self.configuration = configuration
    self.configuration.loss = task == .regression ? .meanSquaredError : .binaryCrossEntropyWithLogits
  }

  /// The untrained model for inputs of `inputChannels` leads and `outputs` outputs, initialised
  /// from `configuration.seed`. `samplingRateHz` is recorded in its architecture (nil: none).
  /// - Throws: `ModelZooError` for an unknown architecture.
  public func makeModel(
    inputChannels: Int = 12, outputs: Int, classNames: [String]?, samplingRateHz: Double?
  ) throws -> Model {
    let architecture = ModelArchitecture(
      name: self.architecture, inputChannels: inputChannels, classes: outputs, classNames: classNames,
      task: task.rawValue, samplingRateHz: samplingRateHz)
    return try ModelZoo.make(architecture, seed: configuration.seed)
  }

  /// Trains `model` in place on `x` [N, leads, T] (mV) and `y` [N, outputs], keeping the best
  /// epoch on `validationX`/`validationY`; `progress` sees every epoch.
  /// - Throws: `TrainingError` (invalid settings, non-finite data, divergence).
  public func fit(
    _ model: Model, x: Tensor, y: Tensor, validationX: Tensor, validationY: Tensor,
    progress: (EpochSummary) -> Void = { _ in }
  ) throws -> TrainingReport {
    try Trainer(configuration: configuration).fit(
      model, x: x, y: y, validationX: validationX, validationY: validationY, progress: progress)
  }

  /// The last `fraction` (0…1) of the records `x` [N, leads, T] and targets `y` [N, outputs]
  /// held out for validation (at least one record); nil when fewer than 2 would remain to train.
  public static func holdOut(x: Tensor, y: Tensor, fraction: Double)
    -> (x: Tensor, y: Tensor, validationX: Tensor, validationY: Tensor)?
  {
    let n = x.shape[0]
    let held = max(1, Int(Double(n) * fraction))
    guard n - held >= 2 else { return nil }
    return (x.slice(0..<(n - held)), y.slice(0..<(n - held)), x.slice((n - held)..<n), y.slice((n - held)..<n))
  }

  /// `model` scored on the test records `x` [N, leads, T] with 0/1 targets `y` [N, classes]:
  /// macro AUC, per-class AUC and (thinned) ROC curves by class name.
  public func evaluate(_ model: Model, x: Tensor, y: Tensor, classNames: [String]) -> ClassifierEvaluation {
    let evaluation = Trainer(configuration: configuration).evaluate(model, x: x, y: y)
    return ClassifierEvaluation(logits: evaluation.logits, targets: y, macroAUC: evaluation.score, classNames: classNames)
  }
}
