import ECGTensor

/// A trainable tensor (or a buffer such as BatchNorm's running statistics) with its gradient.
///
/// Parameters are shared references: an optimizer updates them in place, and LRP canonizers
/// may temporarily replace `value` and restore it afterwards.
public final class Parameter: @unchecked Sendable {
  /// The current value.
  public var value: Tensor
  /// The accumulated gradient of the loss with respect to `value` (same shape).
  public var gradient: Tensor
  /// True for non-trainable state (running mean/variance); optimizers skip buffers.
  public let isBuffer: Bool

  /// Creates a parameter with a zero gradient.
  public init(_ value: Tensor, isBuffer: Bool = false) {
    self.value = value
    self.gradient = Tensor(zeros: value.shape)
    self.isBuffer = isBuffer
  }

  /// Sets the gradient to zero.
  public func zeroGradient() { gradient = Tensor(zeros: value.shape) }
}

/// How a forward pass runs.
public struct PassOptions: Sendable {
  /// Training mode: BatchNorm uses batch statistics and updates running ones; Dropout drops.
  public var training: Bool
  /// Keep each layer's input and output so a backward (or relevance) pass can follow.
  public var recordForBackward: Bool
  /// In the backward pass, also accumulate parameter gradients (training); input gradients
  /// alone are cheaper (attribution).
  public var parameterGradients: Bool

  /// Creates options.
  public init(training: Bool, recordForBackward: Bool, parameterGradients: Bool) {
    self.training = training
    self.recordForBackward = recordForBackward
    self.parameterGradients = parameterGradients
  }

  /// Evaluation forward, nothing recorded.
  public static let inference = PassOptions(
    training: false, recordForBackward: false, parameterGradients: false)
  /// Evaluation forward recorded for an input-gradient / relevance pass.
  public static let attribution = PassOptions(
    training: false, recordForBackward: true, parameterGradients: false)
  /// Training forward and backward with parameter gradients.
  public static let training = PassOptions(
    training: true, recordForBackward: true, parameterGradients: true)
}

/// Hooks that read or replace what flows through named layers; the mechanism behind TCAV
/// (activations and their gradients at a layer), GradCAM, and LRP rules (ECGExplain swaps the
/// backward rule of a layer without touching layer code).
///
/// Paths are PyTorch-style module names (`features.4.0.convs.1.0`, `sequential.3`).
public struct PassHooks: @unchecked Sendable {
  /// Called with every layer's output in the forward pass; a non-nil result replaces it.
  public var forwardOutput: ((_ path: String, _ layer: any Layer, _ output: Tensor) -> Tensor?)?
  /// Called with the gradient (or relevance) arriving at every layer's output in the backward
  /// pass; a non-nil result replaces it.
  public var backwardOutput: ((_ path: String, _ layer: any Layer, _ upstream: Tensor) -> Tensor?)?
  /// A per-layer rule: given the layer, its recorded input and output and the upstream
  /// gradient/relevance, return what flows to its input, or nil for the ordinary gradient.
  /// Returning non-nil for a container skips its children.
  public var backwardRule:
    ((_ path: String, _ layer: any Layer, _ input: Tensor, _ output: Tensor, _ upstream: Tensor) -> Tensor?)?
  /// A rule for residual additions `out = Σ summands`: return one tensor per summand, or nil
  /// for the gradient (the upstream copied to every summand).
  public var residualRule: ((_ path: String, _ summands: [Tensor], _ upstream: Tensor) -> [Tensor]?)?

  /// No hooks.
  public init() {}

  /// True when no hook is set (the fused inference path may then be used).
  public var isEmpty: Bool {
    forwardOutput == nil && backwardOutput == nil && backwardRule == nil && residualRule == nil
  }
}

/// The state every layer carries for a pass: its path in the model and what it recorded.
public struct LayerRecord: Sendable {
  /// Input of the last recorded forward pass.
  public var input: Tensor?
  /// Output of the last recorded forward pass.
  public var output: Tensor?
  /// Steps a container took in the fused inference path (see `Sequential`).
  var fusedSteps: [FusedStep] = []
  /// Creates an empty record.
  public init() {}
}

/// A network layer with forward, backward and hookable relevance passes.
///
/// Implementations provide `forward`/`backward`; callers use `run(_:options:hooks:)` and
/// `runBackward(_:options:hooks:)`, which apply hooks and record inputs/outputs.
public protocol Layer: AnyObject, Sendable {
  /// The layer kind as in PyTorch (`Conv1d`, `BatchNorm1d`, `ReLU`, …), for rule maps.
  var kind: String { get }
  /// The PyTorch-style dotted path of this layer in its model (set by `Model`).
  var path: String { get set }
  /// Recorded input/output of the last recorded forward pass.
  var record: LayerRecord { get set }
  /// Named sub-layers (empty for leaves), in PyTorch registration order.
  var children: [(name: String, layer: any Layer)] { get }
  /// This layer's own named parameters and buffers (not its children's), PyTorch names.
  var parameters: [(name: String, parameter: Parameter)] { get }
  /// Computes the output; containers call `run` on their children.
  func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor
  /// Maps the gradient at the output to the gradient at the input, accumulating parameter
  /// gradients if `options.parameterGradients`. Uses what `forward` recorded.
  func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor
}

extension Layer {
  /// Leaves have no children.
  public var children: [(name: String, layer: any Layer)] { [] }
  /// Layers without parameters.
  public var parameters: [(name: String, parameter: Parameter)] { [] }

  /// Forward with hooks applied and, if requested, the input/output recorded.
  public func run(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    var output = forward(input, options: options, hooks: hooks)
    if let replaced = hooks.forwardOutput?(path, self, output) { output = replaced }
    if options.recordForBackward {
      record.input = input
      record.output = output
    }
    return output
  }

  /// Backward with hooks applied (upstream replacement, per-layer rule, default gradient).
  public func runBackward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    var upstream = upstream
    if let replaced = hooks.backwardOutput?(path, self, upstream) { upstream = replaced }
    if let rule = hooks.backwardRule, let input = record.input, let output = record.output,
      let result = rule(path, self, input, output, upstream)
    {
      return result
    }
    return backward(upstream, options: options, hooks: hooks)
  }

  /// Every layer below (and including) this one, depth first, in registration order.
  public var allLayers: [any Layer] {
    [self] + children.flatMap { $0.layer.allLayers }
  }

  /// Sets `path` on this layer and its descendants.
  func assignPaths(prefix: String) {
    path = prefix
    for child in children {
      child.layer.assignPaths(prefix: prefix.isEmpty ? child.name : prefix + "." + child.name)
    }
  }

  /// Drops recorded tensors below this layer (frees memory after a backward pass).
  public func clearRecords() {
    record = LayerRecord()
    for child in children { child.layer.clearRecords() }
  }

  /// The recorded input, or a precondition failure naming the layer.
  func recordedInput() -> Tensor {
    guard let input = record.input else {
      preconditionFailure("\(kind) '\(path)': backward without a recorded forward pass")
    }
    return input
  }
}
