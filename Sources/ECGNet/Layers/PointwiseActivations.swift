import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Leaky rectifier, x for x > 0 and `slope`·x otherwise (PyTorch `nn.LeakyReLU`, ONNX
/// `LeakyRelu`), element-wise on any shape.
public final class LeakyReLU: Layer, @unchecked Sendable {
  public let kind = "LeakyReLU"
  public var path = ""
  public var record = LayerRecord()
  /// The slope for negative inputs (PyTorch `negative_slope`, ONNX `alpha`; default 0.01).
  public let slope: Float

  /// Creates the layer.
  public init(slope: Float = 0.01) { self.slope = slope }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let a = slope
    return input.map { $0 > 0 ? $0 : a * $0 }
  }

  /// The gradient is 1 where the input was positive and `slope` elsewhere.
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    return Tensor(shape: upstream.shape, scalars: zip(upstream.scalars, input.scalars).map { $1 > 0 ? $0 : slope * $0 })
  }
}

/// Exponential linear unit, x for x > 0 and α(eˣ − 1) otherwise (PyTorch `nn.ELU`, ONNX `Elu`).
public final class ELU: Layer, @unchecked Sendable {
  public let kind = "ELU"
  public var path = ""
  public var record = LayerRecord()
  /// α (default 1).
  public let alpha: Float

  /// Creates the layer.
  public init(alpha: Float = 1) { self.alpha = alpha }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let a = alpha
    return input.map { $0 > 0 ? $0 : a * expm1f($0) }
  }

  /// The gradient is 1 where the input was positive and αeˣ elsewhere.
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    return Tensor(shape: upstream.shape, scalars: zip(upstream.scalars, input.scalars).map { $1 > 0 ? $0 : alpha * expf($1) * $0 })
  }
}

/// The logistic function 1 / (1 + e⁻ˣ) (PyTorch `nn.Sigmoid`, ONNX `Sigmoid`).
public final class Sigmoid: Layer, @unchecked Sendable {
  public let kind = "Sigmoid"
  public var path = ""
  public var record = LayerRecord()
  /// Creates the layer.
  public init() {}

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    input.map { 1 / (1 + expf(-$0)) }
  }

  /// The gradient is y(1 − y) with y the recorded output.
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let y = record.output ?? forward(recordedInput(), options: options, hooks: hooks)
    return Tensor(shape: upstream.shape, scalars: zip(upstream.scalars, y.scalars).map { $0 * $1 * (1 - $1) })
  }
}

/// The hyperbolic tangent (PyTorch `nn.Tanh`, ONNX `Tanh`).
public final class Tanh: Layer, @unchecked Sendable {
  public let kind = "Tanh"
  public var path = ""
  public var record = LayerRecord()
  /// Creates the layer.
  public init() {}

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    input.map { tanhf($0) }
  }

  /// The gradient is 1 − y² with y the recorded output.
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let y = record.output ?? forward(recordedInput(), options: options, hooks: hooks)
    return Tensor(shape: upstream.shape, scalars: zip(upstream.scalars, y.scalars).map { $0 * (1 - $1 * $1) })
  }
}

/// Softmax over the last axis (PyTorch `nn.Softmax(dim=-1)`, ONNX `Softmax` with the default
/// axis −1 of opset 13+): y = eˣ / Σ eˣ, computed with the row maximum subtracted.
public final class Softmax: Layer, @unchecked Sendable {
  public let kind = "Softmax"
  public var path = ""
  public var record = LayerRecord()
  /// Creates the layer.
  public init() {}

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    guard let width = input.shape.last, width > 0 else { return input }
    var output = input
    for start in stride(from: 0, to: input.count, by: width) {
      let row = start..<(start + width)
      let peak = input.scalars[row].max() ?? 0
      var total: Float = 0
      for i in row {
        output.scalars[i] = expf(input.scalars[i] - peak)
        total += output.scalars[i]
      }
      for i in row { output.scalars[i] /= total }
    }
    return output
  }

  /// The gradient y ⊙ (g − Σ g·y) per row, with y the recorded output.
  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let y = record.output ?? forward(recordedInput(), options: options, hooks: hooks)
    guard let width = y.shape.last, width > 0 else { return upstream }
    var grad = upstream
    for start in stride(from: 0, to: y.count, by: width) {
      let row = start..<(start + width)
      var dot: Float = 0
      for i in row { dot += upstream.scalars[i] * y.scalars[i] }
      for i in row { grad.scalars[i] = y.scalars[i] * (upstream.scalars[i] - dot) }
    }
    return grad
  }
}
