import ECGTensor

/// y = x · scale + shift with constant `scale` and `shift` broadcast against x (ONNX `Mul` or
/// `Add` with a constant operand, e.g. a per-channel [C, 1] scale).
public final class ConstantAffine: Layer, @unchecked Sendable {
  public let kind = "ConstantAffine"
  public var path = ""
  public var record = LayerRecord()
  /// The factor (broadcast; a rank-0 tensor for a scalar).
  public let scale: Tensor
  /// The summand (broadcast; a rank-0 tensor for a scalar).
  public let shift: Tensor

  /// Creates the layer.
  public init(scale: Tensor = Tensor(scalar: 1), shift: Tensor = Tensor(scalar: 0)) {
    self.scale = scale
    self.shift = shift
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let s = Broadcast.expand(scale, to: input.shape)
    let b = Broadcast.expand(shift, to: input.shape)
    return Tensor(shape: input.shape, scalars: (0..<input.count).map { input.scalars[$0] * s[$0] + b[$0] })
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let s = Broadcast.expand(scale, to: upstream.shape)
    return Tensor(shape: upstream.shape, scalars: (0..<upstream.count).map { upstream.scalars[$0] * s[$0] })
  }
}
