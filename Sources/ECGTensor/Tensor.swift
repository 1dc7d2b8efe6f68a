/// A dense, row-major (C order) tensor of `Float` (32-bit) values.
///
/// ECG batches use the layout **[batch, leads, time]**; weights of a 1-D convolution use
/// [outChannels, inChannels, kernel], as in PyTorch. A tensor is a value: copying it is cheap
/// (copy-on-write storage) and mutation never affects other copies.
///
/// Shapes are checked with `precondition`: a shape mismatch is a programming error, not a
/// recoverable condition. Code at I/O boundaries validates input and throws before building
/// tensors.
public struct Tensor: Sendable, Equatable {
  /// The extent of each dimension, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
  public var scalars: [Float]

  /// Creates a tensor of the given shape from row-major scalars.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`, and no extent is negative.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
    precondition(
      scalars.count == shape.reduce(1, *),
      "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
    self.shape = shape
    self.scalars = scalars
  }

  /// Creates a tensor of the given shape with every element equal to `value` (default 0).
  public init(zeros shape: [Int], value: Float = 0) {
    self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// Creates a tensor whose elements are produced by `initializer`, which must write every one of
  /// the `shape.reduce(1, *)` elements (used by kernels that overwrite their whole output, to
  /// skip zero-filling).
  public init(
    shape: [Int], unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void
  ) {
    let count = shape.reduce(1, *)
    self.init(
      shape: shape,
      scalars: [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        initializer(buffer)
        initialized = count
      })
  }

  /// Creates a rank-0 tensor holding one value.
  public init(scalar: Float) {
    self.init(shape: [], scalars: [scalar])
  }

  /// The number of dimensions.
  @inlinable public var rank: Int { shape.count }

  /// The number of elements.
  @inlinable public var count: Int { scalars.count }

  /// Row-major strides in elements: `strides[i]` is the distance between consecutive indices
  /// of dimension `i`.
  public var strides: [Int] {
    var result = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      result[axis] = running
      running *= shape[axis]
    }
    return result
  }

  /// The element at a full multi-dimensional index.
  public subscript(index: Int...) -> Float {
    get { scalars[offset(of: index)] }
    set { scalars[offset(of: index)] = newValue }
  }

  /// The flat row-major offset of a full index.
  ///
  /// - Precondition: `index.count == rank` and every component is in range.
  public func offset(of index: [Int]) -> Int {
    precondition(index.count == shape.count, "Tensor: index \(index) for shape \(shape)")
    var flat = 0
    for axis in 0..<shape.count {
      precondition(
        index[axis] >= 0 && index[axis] < shape[axis],
        "Tensor: index \(index) out of range for shape \(shape)")
      flat = flat * shape[axis] + index[axis]
    }
    return flat
  }

  /// The same elements viewed under another shape with the same element count.
  ///
  /// One extent may be `-1`; it is inferred.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let unknown = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element)
        .reduce(1, *)
      precondition(known > 0 && count % known == 0, "Tensor: cannot reshape \(shape) to \(newShape)")
      resolved[unknown] = count / known
    }
    precondition(
      resolved.reduce(1, *) == count, "Tensor: cannot reshape \(shape) to \(newShape)")
    return Tensor(shape: resolved, scalars: scalars)
  }

  /// Calls `body` with a read-only pointer to the row-major elements.
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with a mutable pointer to the row-major elements.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }
}

extension Tensor: CustomStringConvertible {
  /// A short summary: shape and the first few elements.
  public var description: String {
    let head = scalars.prefix(6).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(head)\(count > 6 ? ", …" : "")])"
  }
}
