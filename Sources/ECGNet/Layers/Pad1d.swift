import ECGTensor

/// Constant padding of the time axis of [N, C, L] (ONNX `Pad` in `constant` mode, PyTorch
/// `F.pad` / `nn.ConstantPad1d`): `before` and `after` samples of `value`.
public final class Pad1d: Layer, @unchecked Sendable {
  public let kind = "Pad1d"
  public var path = ""
  public var record = LayerRecord()
  /// Samples added before and after the time axis (non-negative).
  public let before: Int, after: Int
  /// The padding value.
  public let value: Float

  /// Creates the layer.
  public init(before: Int, after: Int, value: Float = 0) {
    self.before = before
    self.after = after
    self.value = value
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let (rows, l) = (input.shape.dropLast().reduce(1, *), input.shape.last ?? 0)
    let lo = l + before + after
    var output = Tensor(zeros: Array(input.shape.dropLast()) + [lo], value: value)
    for r in 0..<rows {
      for t in 0..<l { output.scalars[r * lo + before + t] = input.scalars[r * l + t] }
    }
    return output
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    let (rows, l) = (input.shape.dropLast().reduce(1, *), input.shape.last ?? 0)
    let lo = l + before + after
    var grad = Tensor(zeros: input.shape)
    for r in 0..<rows {
      for t in 0..<l { grad.scalars[r * l + t] = upstream.scalars[r * lo + before + t] }
    }
    return grad
  }
}
