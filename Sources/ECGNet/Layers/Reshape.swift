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
