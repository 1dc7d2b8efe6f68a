import ECGTensor

/// A serialisable description of a built-in model (written as `architecture.json` next to the
/// weights).
public struct ModelArchitecture: Codable, Sendable, Equatable {
  /// `lenet1d`, `xresnet1d18`, `xresnet1d34`, `xresnet1d50` or `xresnet1d101`.
  public var name: String
  /// Input leads (12 for standard ECGs).
  public var inputChannels: Int
  /// Output logits.
  public var classes: Int
  /// Convolution kernel size of the residual blocks and stem (xresnet; default 5).
  public var kernelSize: Int
  /// Whether the xresnet ConvLayers have a bias (the paper's code: yes, PyTorch default).
  public var convolutionBias: Bool
  /// Dropout probability before the final linear layer (xresnet head; paper 0.5).
  public var headDropout: Float
  /// Class names, if known (e.g. PTB-XL codes), one per output.
  public var classNames: [String]?
  /// `multilabel` (sigmoid / BCE) or `regression` (MSE).
  public var task: String
  /// The sampling rate of the records the model was trained on, Hz; nil when unknown (models
  /// saved before it was recorded, imported models). Commands refuse data at another rate.
  public var samplingRateHz: Double?

  /// Creates a description; defaults follow the paper (hhi-aml/xai4ecg).
  public init(
    name: String, inputChannels: Int = 12, classes: Int, kernelSize: Int = 5,
    convolutionBias: Bool = true, headDropout: Float = 0.5, classNames: [String]? = nil,
    task: String = "multilabel", samplingRateHz: Double? = nil
  ) {
    self.name = name
    self.inputChannels = inputChannels
    self.classes = classes
    self.kernelSize = kernelSize
    self.convolutionBias = convolutionBias
    self.headDropout = headDropout
    self.classNames = classNames
    self.task = task
    self.samplingRateHz = samplingRateHz
  }

  /// The largest `classes` and `inputChannels` a description may ask for (the layers are
  /// allocated from them).
  public static let maximumClasses = 100_000, maximumInputChannels = 4096

  /// What makes this description unbuildable (a count out of range, class names that do not
  /// match the outputs, …), or nil.
  public var problem: String? {
    if !(1...Self.maximumInputChannels).contains(inputChannels) {
      return "inputChannels is \(inputChannels); it must be in 1…\(Self.maximumInputChannels)"
    }
    if !(1...Self.maximumClasses).contains(classes) {
      return "classes is \(classes); it must be in 1…\(Self.maximumClasses)"
    }
    if !(1...255).contains(kernelSize) { return "kernelSize is \(kernelSize); it must be in 1…255" }
    if !(headDropout >= 0 && headDropout < 1) { return "headDropout is \(headDropout); it must be in [0, 1)" }
    if let names = classNames {
      if names.count != classes {
        return "classNames has \(names.count) names for \(classes) classes; give one name per class or none"
      }
      if let duplicate = names.indices.first(where: { names[..<$0].contains(names[$0]) }) {
        return "classNames lists '\(names[duplicate])' twice; class names must differ"
      }
    }
    if !["multilabel", "regression"].contains(task) { return "task is '\(task)'; use multilabel or regression" }
    if let rate = samplingRateHz, !(rate > 0 && rate.isFinite) {
      return "samplingRateHz is \(rate); it must be a positive number"
    }
    return nil
  }

  /// Why records sampled at `rateHz` do not fit a model trained at `samplingRateHz`, or nil
  /// (also when the training rate is unknown).
  public func samplingRateProblem(_ rateHz: Double) -> String? {
    guard let trained = samplingRateHz, trained != rateHz else { return nil }
    return "the model was trained on \(String(format: "%g", trained)) Hz records but the data are \(String(format: "%g", rateHz)) Hz; "
      + "read the data at \(String(format: "%g", trained)) Hz (e.g. --rate \(String(format: "%g", trained))) or retrain the model"
  }
}

/// Errors building a model by name.
public enum ModelZooError: Error, CustomStringConvertible {
  /// The architecture name is not built in.
  case unknownArchitecture(String)
  /// A description cannot be built (see `ModelArchitecture.problem`).
  case invalidArchitecture(String)
  /// A description of the error for users.
  public var description: String {
    switch self {
    case .unknownArchitecture(let name):
      "unknown architecture '\(name)'; built in: \(ModelZoo.names.joined(separator: ", "))"
    case .invalidArchitecture(let reason): "invalid model architecture: \(reason)"
    }
  }
}

/// Builders of the paper's models.
public enum ModelZoo {
  /// Names accepted by `make`.
  public static let names = ["lenet1d", "xresnet1d18", "xresnet1d34", "xresnet1d50", "xresnet1d101"]

  /// Builds a model with freshly initialised (seeded) weights.
  public static func make(
    _ name: String, inputChannels: Int = 12, classes: Int, seed: UInt64 = 0
  ) throws -> Model {
    try make(ModelArchitecture(name: name, inputChannels: inputChannels, classes: classes), seed: seed)
  }

  /// Builds a model from a description with freshly initialised (seeded) weights.
  public static func make(_ architecture: ModelArchitecture, seed: UInt64 = 0) throws -> Model {
    if let problem = architecture.problem { throw ModelZooError.invalidArchitecture(problem) }
    var rng = SeededRNG(seed: seed)
    switch architecture.name {
    case "lenet1d":
      return Model(architecture: architecture, root: lenet1d(architecture, rng: &rng))
    case "xresnet1d18":
      return Model(architecture: architecture, root: xresnet1d(architecture, expansion: 1, blocks: [2, 2, 2, 2], rng: &rng))
    case "xresnet1d34":
      return Model(architecture: architecture, root: xresnet1d(architecture, expansion: 1, blocks: [3, 4, 6, 3], rng: &rng))
    case "xresnet1d50":
      return Model(architecture: architecture, root: xresnet1d(architecture, expansion: 4, blocks: [3, 4, 6, 3], rng: &rng))
    case "xresnet1d101":
      return Model(architecture: architecture, root: xresnet1d(architecture, expansion: 4, blocks: [3, 4, 23, 3], rng: &rng))
    default:
      throw ModelZooError.unknownArchitecture(architecture.name)
    }
  }

  /// The paper's lenet (hhi-aml/xai4ecg `code/ecg_model.py`), state-dict keys `sequential.N.*`:
  /// Conv1d(12→32, k5, s2) BN ReLU MaxPool(2) · Conv1d(32→64, k5, s2) BN ReLU MaxPool(2) ·
  /// Conv1d(64→128, k5, s2) BN ReLU · AdaptiveAvgPool1d(1) · Flatten · Linear(128→128) ReLU ·
  /// Linear(128→classes).
  static func lenet1d(_ a: ModelArchitecture, rng: inout SeededRNG) -> any Layer {
    func conv(_ i: Int, _ o: Int) -> Conv1d {
      Conv1d(Conv1DGeometry(inChannels: i, outChannels: o, kernelSize: 5, stride: 2), bias: true, rng: &rng)
    }
    let layers: [any Layer] = [
      conv(a.inputChannels, 32), BatchNorm1d(channels: 32), ReLU(), MaxPool1d(kernelSize: 2),
      conv(32, 64), BatchNorm1d(channels: 64), ReLU(), MaxPool1d(kernelSize: 2),
      conv(64, 128), BatchNorm1d(channels: 128), ReLU(),
      GlobalPool1d(.average), Flatten(),
      Linear(inFeatures: 128, outFeatures: 128, rng: &rng), ReLU(),
      Linear(inFeatures: 128, outFeatures: a.classes, rng: &rng),
    ]
    return Sequential(named: [("sequential", Sequential(layers))])
  }
}
