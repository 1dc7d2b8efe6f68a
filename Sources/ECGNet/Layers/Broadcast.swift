import ECGTensor

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
