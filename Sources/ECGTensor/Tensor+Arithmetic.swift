import _ECGKernels

/// Element-wise arithmetic and reductions. Binary operators require equal shapes.
extension Tensor {
  /// Element-wise sum of two tensors of the same shape.
  public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
    precondition(lhs.shape == rhs.shape, "Tensor +: \(lhs.shape) vs \(rhs.shape)")
    return withPointers(lhs, rhs) { a, b in
      chunked(shape: lhs.shape) { n, out, i in ecg_add(n, a.pointer + i, b.pointer + i, out) }
    }
  }

  /// Element-wise difference of two tensors of the same shape.
  public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
    precondition(lhs.shape == rhs.shape, "Tensor -: \(lhs.shape) vs \(rhs.shape)")
    return withPointers(lhs, rhs) { a, b in
      chunked(shape: lhs.shape) { n, out, i in ecg_subtract(n, a.pointer + i, b.pointer + i, out) }
    }
  }

  /// Element-wise (Hadamard) product of two tensors of the same shape.
  public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
    precondition(lhs.shape == rhs.shape, "Tensor *: \(lhs.shape) vs \(rhs.shape)")
    return withPointers(lhs, rhs) { a, b in
      chunked(shape: lhs.shape) { n, out, i in ecg_multiply(n, a.pointer + i, b.pointer + i, out) }
    }
  }

  /// Every element multiplied by a scalar.
  public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }

  /// Adds `rhs` element-wise in place.
  public static func += (lhs: inout Tensor, rhs: Tensor) {
    precondition(lhs.shape == rhs.shape, "Tensor +=: \(lhs.shape) vs \(rhs.shape)")
    let count = lhs.count
    rhs.scalars.withUnsafeBufferPointer { r in
      lhs.scalars.withUnsafeMutableBufferPointer { l in
        guard let rb = r.baseAddress, let lb = l.baseAddress else { return }
        let (rs, ls) = (SendablePointer(UnsafeMutablePointer(mutating: rb)), SendablePointer(lb))
        parallelChunks(count) { range in
          ecg_accumulate(range.count, rs.pointer + range.lowerBound, ls.pointer + range.lowerBound)
        }
      }
    }
  }

  /// A tensor of the same shape with `transform` applied to every element.
  public func map(_ transform: (Float) -> Float) -> Tensor {
    Tensor(shape: shape, scalars: scalars.map(transform))
  }

  /// The sum of all elements (accumulated in Double).
  public func sum() -> Float {
    var total = 0.0
    for value in scalars { total += Double(value) }
    return Float(total)
  }

  /// The mean of all elements (0 for an empty tensor).
  public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }

  /// The largest element (−∞ for an empty tensor).
  public func max() -> Float { scalars.max() ?? -.infinity }

  /// The sum of squared elements, Σ xᵢ² (accumulated in Double).
  public var squaredNorm: Float {
    var total = 0.0
    for value in scalars { total += Double(value) * Double(value) }
    return Float(total)
  }

  /// Slices the outermost dimension: rows [start, end) of a tensor [N, …] → [end − start, …].
  public func slice(_ range: Range<Int>) -> Tensor {
    precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "slice: \(range) of \(shape)")
    let inner = shape.dropFirst().reduce(1, *)
    var newShape = shape
    newShape[0] = range.count
    return Tensor(
      shape: newShape,
      scalars: Array(scalars[(range.lowerBound * inner)..<(range.upperBound * inner)]))
  }

  /// Stacks tensors of equal shape [d…] into [count, d…].
  public static func stack(_ tensors: [Tensor]) -> Tensor {
    precondition(!tensors.isEmpty, "stack: no tensors")
    let shape = tensors[0].shape
    var values: [Float] = []
    values.reserveCapacity(tensors.count * tensors[0].count)
    for t in tensors {
      precondition(t.shape == shape, "stack: \(t.shape) vs \(shape)")
      values += t.scalars
    }
    return Tensor(shape: [tensors.count] + shape, scalars: values)
  }
}
