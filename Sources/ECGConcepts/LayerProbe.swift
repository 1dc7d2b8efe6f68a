import ECGNet
import ECGTensor

/// Reads what a model computes at named layers: their outputs (activations) and the gradient of
/// one output with respect to them, each flattened per record to [N, features] (features =
/// channels × time for a convolutional layer, in PyTorch's row-major order, as Captum's TCAV
/// flattens them).
public enum LayerProbe {
  /// The layers TCAV probes by default, "every layer" as in the paper: the model's top-level
  /// sequence, with single-child containers opened and a `features` container expanded one level.
  /// lenet1d: its 16 modules `sequential.0…15`; xresnet1d: `features.0…8` (stem convolutions,
  /// max-pool, the four stages, pooling) and the head's `squeeze`, `bn`, `drop`, `l1`.
  public static func defaultLayers(of model: Model) -> [String] {
    var layers = model.root.children.map(\.layer)
    while layers.count == 1, !layers[0].children.isEmpty { layers = layers[0].children.map(\.layer) }
    return layers.flatMap { layer -> [String] in
      let name = layer.path.split(separator: ".").last.map(String.init) ?? layer.path
      return name == "features" && !layer.children.isEmpty ? layer.children.map(\.layer.path) : [layer.path]
    }
  }

  /// Checks that every name is a layer of the model.
  /// - Throws: `ConceptError.unknownLayer` listing the available names.
  public static func validate(_ layers: [String], in model: Model) throws {
    for name in layers where model.layer(named: name) == nil {
      throw ConceptError.unknownLayer(name: name, available: model.layerNames)
    }
  }

  /// The flattened outputs of `layers` for `input` [N, leads, time]: one [N, features] tensor per
  /// layer, in the order given.
  public static func activations(_ model: Model, input: Tensor, layers: [String]) -> [Tensor] {
    capture(layers, records: input.shape[0]) { keep in
      var hooks = PassHooks()
      hooks.forwardOutput = { path, _, output in keep(path, output); return nil }
      _ = model.forward(input, options: .inference, hooks: hooks)
    }
  }

  /// The gradient of output `target` (a one-hot seed on its logit, as Captum's layer gradients)
  /// with respect to the outputs of `layers`, for every record of `input`: one [N, features]
  /// tensor per layer.
  public static func gradients(_ model: Model, input: Tensor, target: Int, layers: [String]) -> [Tensor] {
    capture(layers, records: input.shape[0]) { keep in
      var hooks = PassHooks()
      hooks.backwardOutput = { path, _, upstream in keep(path, upstream); return nil }
      _ = model.inputGradient(input, target: target, hooks: hooks)
    }
  }

  /// Runs `pass` with a `keep(path, tensor)` callback for its hooks and returns, flattened, the
  /// last tensor kept for each of `layers`.
  private static func capture(_ layers: [String], records: Int, _ pass: (@escaping (String, Tensor) -> Void) -> Void) -> [Tensor] {
    let wanted = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($1, $0) })
    nonisolated(unsafe) var captured = [Tensor?](repeating: nil, count: layers.count)
    pass { path, tensor in if let slot = wanted[path] { captured[slot] = tensor } }
    return captured.map { flattened($0!, records: records) }
  }

  /// The number of features per record each layer outputs for inputs of `length` samples.
  public static func featureCounts(_ model: Model, layers: [String], length: Int) -> [Int] {
    activations(model, input: Tensor(zeros: [1, model.architecture.inputChannels, length]), layers: layers)
      .map { $0.shape[1] }
  }

  private static func flattened(_ t: Tensor, records: Int) -> Tensor {
    Tensor(shape: [records, t.count / max(records, 1)], scalars: t.scalars)
  }
}

/// Errors of concept analyses, with messages for users.
public enum ConceptError: Error, CustomStringConvertible, Equatable {
  /// A layer name that the model does not have.
  case unknownLayer(name: String, available: [String])
  /// A concept or target that cannot be analysed (too few records, unknown name, …).
  case invalidConcept(String)
  /// Invalid settings.
  case invalidSettings(String)

  /// A description of the error for users.
  public var description: String {
    switch self {
    case .unknownLayer(let name, let available):
      return "unknown layer '\(name)'; the model's layers are: \(available.joined(separator: ", "))"
    case .invalidConcept(let message), .invalidSettings(let message):
      return message
    }
  }
}
