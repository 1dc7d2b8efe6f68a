import ECGTensor

/// A change of shape that keeps the elements in order: ONNX `Reshape` (static target), `Squeeze`,
/// `Unsqueeze`, `Flatten` with any axis and trivial `Transpose`s (those that only move extents of
/// 1). The batch axis is never touched, so one imported model runs any batch size.
public final class Reshape: Layer, @unchecked Sendable {
  /// How the output shape follows from the input shape.
  public enum Rule: Sendable, Equatable {
    /// ONNX `Reshape`: 0 copies the input extent at that position, −1 is inferred (one at most).
    case target([Int])
    /// Remove the given axes (each of extent 1); all extents of 1 after the batch axis if empty.
    case squeeze([Int])
    /// Insert extents of 1 at the given axes of the output.
    case unsqueeze([Int])
    /// ONNX `Flatten`: [d0 … d(axis−1)] and [d(axis) …] multiplied out into a matrix.
    case flatten(axis: Int)
    /// A permutation of the axes that only moves extents of 1 (so the elements stay in order).
    case permute([Int])
  }

  public let kind = "Reshape"
  public var path = ""
  public var record = LayerRecord()
  /// The rule.
  public let rule: Rule

  /// Creates the layer.
  public init(_ rule: Rule) { self.rule = rule }

  /// The output shape for an input of shape `input`, or nil if the rule does not apply to it
  /// (wrong element count, an axis out of range, a squeezed extent other than 1, …).
  public func outputShape(_ input: [Int]) -> [Int]? {
    guard let count = Self.product(input) else { return nil }
    switch rule {
    case .target(let target):
      guard target.filter({ $0 == -1 }).count <= 1, target.allSatisfy({ $0 >= -1 }) else { return nil }
      var shape = [Int]()
      for (i, extent) in target.enumerated() {
        if extent == 0 {
          guard i < input.count else { return nil }
          shape.append(input[i])
        } else {
          shape.append(extent)
        }
      }
      if let unknown = shape.firstIndex(of: -1) {
        guard let known = Self.product(shape.enumerated().filter { $0.offset != unknown }.map(\.element)),
          known > 0, count % known == 0
        else { return nil }
        shape[unknown] = count / known
      }
      return Self.product(shape) == count ? shape : nil
    case .squeeze(let axes):
      let normalised = axes.map { $0 < 0 ? $0 + input.count : $0 }
      guard normalised.allSatisfy({ $0 >= 1 && $0 < input.count && input[$0] == 1 }) else { return nil }
      if normalised.isEmpty { return [input[0]] + input.dropFirst().filter { $0 != 1 } }
      return input.enumerated().filter { !normalised.contains($0.offset) }.map(\.element)
    case .unsqueeze(let axes):
      guard axes.count <= 8 else { return nil }
      let rank = input.count + axes.count
      let normalised = axes.map { $0 < 0 ? $0 + rank : $0 }
      guard Set(normalised).count == axes.count, normalised.allSatisfy({ $0 >= 1 && $0 < rank }) else { return nil }
      var shape = [Int]()
      var source = input.makeIterator()
      for axis in 0..<rank { shape.append(normalised.contains(axis) ? 1 : source.next()!) }
      return shape
    case .flatten(let axis):
      let a = axis < 0 ? axis + input.count : axis
      guard a >= 1, a <= input.count else { return nil }
      return [input[..<a].reduce(1, *), input[a...].reduce(1, *)]
    case .permute(let permutation):
      guard permutation.count == input.count, Set(permutation) == Set(0..<input.count), permutation.first == 0 else { return nil }
      let moved = permutation.map { input[$0] }
      // Only a reshape if the extents other than 1 keep their order.
      let order = permutation.filter { input[$0] != 1 }
      guard order == order.sorted() else { return nil }
      return moved
    }
  }

  /// The product of non-negative extents, or nil on a negative extent or overflow.
  static func product(_ extents: [Int]) -> Int? {
    var result = 1
    for e in extents {
      guard e >= 0 else { return nil }
      let (p, overflow) = result.multipliedReportingOverflow(by: e)
      if overflow { return nil }
      result = p
    }
    return result
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    guard let shape = outputShape(input.shape) else {
      preconditionFailure("Reshape '\(path)': \(rule) does not apply to \(input.shape) (checked at import)")
    }
    return input.reshaped(shape)
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    upstream.reshaped(recordedInput().shape)
  }
}

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

/// NumPy broadcasting of element-wise operands (ONNX's multidirectional broadcasting).
public enum Broadcast {
  /// The broadcast shape of `a` and `b`, or nil if an extent pair is neither equal nor 1.
  public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let pa = Array(repeating: 1, count: rank - a.count) + a
    let pb = Array(repeating: 1, count: rank - b.count) + b
    var out = [Int]()
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { return nil }
      out.append(x == 1 ? y : x)
    }
    return out
  }

  /// `t` repeated to fill `shape` (which must be a broadcast of `t.shape`), as plain scalars.
  static func expand(_ t: Tensor, to shape: [Int]) -> [Float] {
    if t.shape == shape { return t.scalars }
    if t.count == 1 { return [Float](repeating: t.scalars[0], count: shape.reduce(1, *)) }
    return sourceIndices(t.shape, to: shape).map { t.scalars[$0] }
  }

  /// For every element of `shape`, the index of the element of a tensor of shape `source` it
  /// reads when broadcast.
  static func sourceIndices(_ source: [Int], to shape: [Int]) -> [Int] {
    let rank = shape.count
    let padded = Array(repeating: 1, count: rank - source.count) + source
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      strides[axis] = padded[axis] == 1 ? 0 : step
      step *= padded[axis]
    }
    let count = shape.reduce(1, *)
    var result = [Int](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: rank)
    var offset = 0
    for k in 0..<count {
      result[k] = offset
      var axis = rank - 1
      while axis >= 0 {
        index[axis] += 1
        offset += strides[axis]
        if index[axis] < shape[axis] { break }
        offset -= strides[axis] * index[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return result
  }

  /// The gradient of a broadcast operand: `upstream` (of the broadcast shape) summed back onto
  /// `source`.
  static func reduce(_ upstream: Tensor, to source: [Int]) -> Tensor {
    if upstream.shape == source { return upstream }
    var grad = Tensor(zeros: source)
    for (k, i) in sourceIndices(source, to: upstream.shape).enumerated() { grad.scalars[i] += upstream.scalars[k] }
    return grad
  }
}
