import ECGTensor
import Foundation

/// A network with a root layer, its architecture description, and PyTorch-style named
/// parameters (the keys of a PyTorch `state_dict`).
///
/// Inputs are [batch, leads, time] (Float32; leads = `architecture.inputChannels`); outputs are
/// logits [batch, classes]. Models accept any input length at inference (global pooling).
/// A model is not safe for concurrent use; its kernels are parallel internally.
public final class Model: @unchecked Sendable {
  /// What the model is (used to rebuild it when loading weights).
  public let architecture: ModelArchitecture
  /// The root layer; children carry PyTorch module paths.
  public let root: any Layer

  /// Wraps a root layer; assigns every layer its dotted path.
  public init(architecture: ModelArchitecture, root: any Layer) {
    self.architecture = architecture
    self.root = root
    root.assignPaths(prefix: "")
  }

  /// Runs the model: [N, Cin, T] → [N, classes].
  public func forward(
    _ input: Tensor, options: PassOptions = .inference, hooks: PassHooks = PassHooks()
  ) -> Tensor {
    precondition(
      input.rank == 3 && input.shape[1] == architecture.inputChannels,
      "Model: input \(input.shape), expected [batch, \(architecture.inputChannels), time]")
    return root.run(input, options: options, hooks: hooks)
  }

  /// Why an input of shape `shape` cannot be run, or nil if it can: it must be
  /// [batch ≥ 1, `architecture.inputChannels`, time ≥ 1], and every layer must fit it (an input
  /// shorter than the model's receptive field, e.g. 64 samples for `lenet1d`, whose last
  /// convolution would have no output; an imported graph exported with a fixed length).
  public func inputShapeProblem(_ shape: [Int]) -> String? {
    let leads = architecture.inputChannels
    guard shape.count == 3, shape[0] > 0, shape[1] == leads, shape[2] > 0 else {
      return "input has shape \(shape); expected [records, \(leads), samples]"
    }
    do { _ = try LayerGraph.layerOutputShape(root, shape) } catch let error as GraphError {
      return "input of shape \(shape) does not fit \(architecture.name): \(error.description)"
    } catch { return "\(error)" }
    return nil
  }

  /// Propagates `upstream` [N, classes] back to the input after a recorded forward pass.
  public func backward(
    _ upstream: Tensor, options: PassOptions = .attribution, hooks: PassHooks = PassHooks()
  ) -> Tensor {
    root.runBackward(upstream, options: options, hooks: hooks)
  }

  /// The gradient of output `target` with respect to the input, per record (a one-hot seed on
  /// the target logit): [N, Cin, T]. This is saliency before taking absolute values.
  public func inputGradient(_ input: Tensor, target: Int, hooks: PassHooks = PassHooks()) -> Tensor {
    let output = forward(input, options: .attribution, hooks: hooks)
    precondition(target >= 0 && target < output.shape[1], "Model: target \(target) out of range")
    var seed = Tensor(zeros: output.shape)
    for i in 0..<output.shape[0] { seed.scalars[i * output.shape[1] + target] = 1 }
    let gradient = backward(seed, options: .attribution, hooks: hooks)
    root.clearRecords()
    return gradient
  }

  /// Every named parameter and buffer, in PyTorch `state_dict` order (without aliases).
  public var namedParameters: [(name: String, parameter: Parameter)] {
    var result: [(String, Parameter)] = []
    func visit(_ layer: any Layer) {
      for p in layer.parameters {
        result.append((layer.path.isEmpty ? p.name : layer.path + "." + p.name, p.parameter))
      }
      for child in layer.children { visit(child.layer) }
    }
    visit(root)
    return result
  }

  /// BatchNorm layers by path (their `num_batches_tracked` counters belong to the state dict).
  public var batchNormLayers: [BatchNorm1d] { root.allLayers.compactMap { $0 as? BatchNorm1d } }

  /// Number of trainable scalars (PyTorch `sum(p.numel() for p in model.parameters())`).
  public var parameterCount: Int {
    namedParameters.filter { !$0.parameter.isBuffer }.reduce(0) { $0 + $1.parameter.value.count }
  }

  /// Trainable parameters (no buffers), for optimizers.
  public var trainableParameters: [Parameter] {
    namedParameters.filter { !$0.parameter.isBuffer }.map(\.parameter)
  }

  /// Dotted paths of every layer (the names `layer(named:)` and hooks use).
  public var layerNames: [String] { root.allLayers.map(\.path).filter { !$0.isEmpty } }

  /// The layer at a dotted path, or nil.
  public func layer(named name: String) -> (any Layer)? {
    root.allLayers.first { $0.path == name }
  }

  /// Additional state-dict keys under which PyTorch registers the same tensors (xresnet's
  /// `convpath.0.` duplicates `convs.`): alias key → canonical key.
  public var stateDictAliases: [(alias: String, canonical: String)] {
    var result: [(String, String)] = []
    for (name, _) in namedParameters {
      if let range = name.range(of: ".convs.") {
        let alias = name.replacingCharacters(in: range, with: ".convpath.0.")
        result.append((alias, name))
      }
    }
    for bn in batchNormLayers where name(ofBatchNorm: bn).contains(".convs.") {
      let canonical = name(ofBatchNorm: bn)
      result.append((canonical.replacingOccurrences(of: ".convs.", with: ".convpath.0."), canonical))
    }
    return result
  }

  func name(ofBatchNorm bn: BatchNorm1d) -> String { bn.path + ".num_batches_tracked" }

  /// Zeroes every parameter gradient.
  public func zeroGradients() { for p in trainableParameters { p.zeroGradient() } }
}
