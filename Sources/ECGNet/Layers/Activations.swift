import ECGTensor

/// Rectified linear unit, max(0, x), element-wise on any shape.
public final class ReLU: Layer, @unchecked Sendable {
  public let kind = "ReLU"
  public var path = ""
  public var record = LayerRecord()
  /// Creates the layer.
  public init() {}

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    // One pass from input to a new buffer (a copy-then-clamp would copy first: the input is
    // usually still recorded by the layer before).
    input.relu()
  }

  /// The gradient passes where the input was positive (PyTorch: where the output is > 0).
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    upstream.masked(where: recordedInput())
  }
}

/// The identity map (PyTorch `nn.Identity`).
public final class Identity: Layer, @unchecked Sendable {
  public let kind = "Identity"
  public var path = ""
  public var record = LayerRecord()
  /// Creates the layer.
  public init() {}
  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor { input }
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    upstream
  }
}

/// Inverted dropout (PyTorch `nn.Dropout`): in training, zeroes each element with probability
/// `p` and scales the rest by 1/(1 − p); the identity in evaluation. Masks come from a seeded
/// generator, so training is reproducible.
public final class Dropout: Layer, @unchecked Sendable {
  public let kind = "Dropout"
  public var path = ""
  public var record = LayerRecord()
  /// Drop probability in [0, 1).
  public let probability: Float
  private var rng: SeededRNG
  private var mask: [Float] = []

  /// Creates the layer.
  public init(probability: Float, seed: UInt64 = 0) {
    precondition(probability >= 0 && probability < 1, "Dropout: p must be in [0, 1)")
    self.probability = probability
    rng = SeededRNG(seed: seed)
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    guard options.training, probability > 0 else {
      mask = []
      return input
    }
    let keep = 1 - probability
    mask = (0..<input.count).map { _ in rng.nextUniform() < Double(keep) ? 1 / keep : 0 }
    var output = input
    for i in 0..<output.count { output.scalars[i] *= mask[i] }
    return output
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    guard !mask.isEmpty else { return upstream }
    var grad = upstream
    for i in 0..<grad.count { grad.scalars[i] *= mask[i] }
    return grad
  }
}

/// Flattens [N, d1, d2, …] to [N, d1·d2·…] (PyTorch `nn.Flatten`), also PyTorch's
/// `squeeze()` of a [N, C, 1] pooled tensor.
public final class Flatten: Layer, @unchecked Sendable {
  public let kind = "Flatten"
  public var path = ""
  public var record = LayerRecord()
  /// Creates the layer.
  public init() {}
  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    input.reshaped([input.shape[0], -1])
  }
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    upstream.reshaped(recordedInput().shape)
  }
}
