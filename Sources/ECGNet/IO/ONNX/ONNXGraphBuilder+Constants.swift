import Foundation

extension ONNXGraphBuilder {
  /// Evaluates a node whose inputs are all constants: `Constant` and the shape arithmetic torch
  /// exports around padding and reshapes (Shape, Gather, Slice, Concat, Reshape, Transpose, …).
  func fold(_ op: String, _ inputs: [ConstantTensor?], _ attributes: NodeAttributes) throws -> ConstantTensor {
    func input(_ k: Int) throws -> ConstantTensor {
      guard k < inputs.count, let c = inputs[k] else { throw fail("input \(k) is missing") }
      return c
    }
    func limited(_ shape: [Int]) throws -> [Int] {
      var count = 1
      for d in shape {
        guard d >= 0 else { throw fail("negative extent in \(shape)") }
        let (p, o) = count.multipliedReportingOverflow(by: d)
        guard !o, p <= 1 << 22 else { throw fail("constant of shape \(shape) is too large") }
        count = p
      }
      return shape
    }
    switch op {
    case "Constant":
      if let a = attributes.values["value"] { return try decode(a.t, what: "the value") }
      if let a = attributes.values["value_float"] { return ConstantTensor(shape: [], values: [Double(a.f)], isInteger: false) }
      if let a = attributes.values["value_floats"] { return ConstantTensor(shape: [a.floats.count], values: a.floats.map(Double.init), isInteger: false) }
      if let a = attributes.values["value_int"] { return ConstantTensor(shape: [], values: [Double(a.i)], isInteger: true) }
      if let a = attributes.values["value_ints"] { return ConstantTensor(shape: [a.ints.count], values: a.ints.map(Double.init), isInteger: true) }
      throw fail("a Constant without a numeric value attribute")
    case "Identity", "Dropout": return try input(0)
    case "Cast":
      var c = try input(0)
      let to = attributes.int("to", 1)
      c.isInteger = [2, 3, 4, 5, 6, 7, 9, 12, 13].contains(to)
      if c.isInteger { c.values = c.values.map { $0.isFinite ? $0.rounded(.towardZero) : 0 } }
      return c
    case "Shape":
      let c = try input(0)
      return ConstantTensor(shape: [c.shape.count], values: c.shape.map(Double.init), isInteger: true)
    case "ConstantOfShape":
      let shape = try limited(try input(0).integers)
      var value = 0.0
      var integer = false
      if let a = attributes.values["value"] {
        let v = try decode(a.t, what: "the value")
        value = v.values.first ?? 0
        integer = v.isInteger
      }
      return ConstantTensor(shape: shape, values: Array(repeating: value, count: shape.reduce(1, *)), isInteger: integer)
    case "Concat":
      let parts = try inputs.indices.map { try input($0) }
      guard let first = parts.first, !first.shape.isEmpty else { throw fail("concatenating scalars") }
      let a = try axis(attributes.int("axis", 0), rank: first.shape.count)
      guard parts.allSatisfy({ $0.shape.count == first.shape.count }) else { throw fail("concatenating different ranks") }
      let outer = first.shape[..<a].reduce(1, *)
      let inner = first.shape[(a + 1)...].reduce(1, *)
      for p in parts {
        guard p.shape[..<a].reduce(1, *) == outer, p.shape[(a + 1)...].reduce(1, *) == inner else { throw fail("concatenating \(first.shape) and \(p.shape)") }
      }
      var values: [Double] = []
      for o in 0..<outer {
        for p in parts {
          let block = p.shape[a] * inner
          values += p.values[(o * block)..<((o + 1) * block)]
        }
      }
      var shape = first.shape
      shape[a] = parts.map { $0.shape[a] }.reduce(0, +)
      return ConstantTensor(shape: shape, values: values, isInteger: first.isInteger)
    case "Reshape", "Squeeze", "Unsqueeze", "Flatten":
      let c = try input(0)
      let rule: Reshape.Rule
      switch op {
      case "Reshape": rule = .target(try input(1).integers)
      case "Flatten": rule = .flatten(axis: attributes.int("axis", 1))
      default:
        let axes = inputs.count > 1 ? (inputs[1]?.integers ?? []) : (attributes.ints("axes") ?? [])
        rule = op == "Squeeze" ? .squeeze(axes) : .unsqueeze(axes)
      }
      // Constants have no batch axis: reshape as plain arrays.
      guard let shape = Self.constantShape(c.shape, rule), Reshape.product(shape) == c.count else { throw fail("\(op) \(rule) does not apply to a constant of shape \(c.shape)") }
      return ConstantTensor(shape: shape, values: c.values, isInteger: c.isInteger)
    case "Transpose":
      let c = try input(0)
      let rank = c.shape.count
      let perm = attributes.ints("perm") ?? Array((0..<rank).reversed())
      guard perm.count == rank, Set(perm) == Set(0..<rank) else { throw fail("perm \(perm) for rank \(rank)") }
      let shape = perm.map { c.shape[$0] }
      var strides = [Int](repeating: 1, count: rank)
      for i in stride(from: rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * c.shape[i + 1] }
      var values = [Double](repeating: 0, count: c.count)
      var index = [Int](repeating: 0, count: rank)
      for k in 0..<c.count {
        var source = 0
        for (axis, p) in perm.enumerated() { source += index[axis] * strides[p] }
        values[k] = c.values[source]
        var axis = rank - 1
        while axis >= 0 {
          index[axis] += 1
          if index[axis] < shape[axis] { break }
          index[axis] = 0
          axis -= 1
        }
      }
      return ConstantTensor(shape: shape, values: values, isInteger: c.isInteger)
    case "Gather":
      let c = try input(0)
      let indices = try input(1)
      guard !c.shape.isEmpty else { throw fail("gathering from a scalar") }
      let a = try axis(attributes.int("axis", 0), rank: c.shape.count)
      let outer = c.shape[..<a].reduce(1, *)
      let inner = c.shape[(a + 1)...].reduce(1, *)
      let extent = c.shape[a]
      _ = try limited([outer, indices.count, inner])
      var values: [Double] = []
      for o in 0..<outer {
        for i in indices.integers {
          let j = i < 0 ? i + extent : i
          guard j >= 0 && j < extent else { throw fail("index \(i) out of range \(extent)") }
          values += c.values[((o * extent + j) * inner)..<((o * extent + j + 1) * inner)]
        }
      }
      let shape = Array(c.shape[..<a]) + indices.shape + Array(c.shape[(a + 1)...])
      return ConstantTensor(shape: shape, values: values, isInteger: c.isInteger)
    case "Slice":
      let c = try input(0)
      guard !c.shape.isEmpty else { throw fail("slicing a scalar") }
      let starts = try input(1).integers
      let ends = try input(2).integers
      let axes = try inputs.count > 3 && inputs[3] != nil ? input(3).integers : Array(0..<starts.count)
      let steps = try inputs.count > 4 && inputs[4] != nil ? input(4).integers : Array(repeating: 1, count: starts.count)
      guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
        throw fail("starts, ends, axes and steps have different lengths")
      }
      // Indices along every axis, then the product.
      var ranges = c.shape.map { Array(0..<$0) }
      for (i, rawAxis) in axes.enumerated() {
        let a = try axis(rawAxis, rank: c.shape.count)
        let n = c.shape[a]
        let step = steps[i]
        guard step != 0 else { throw fail("slice step 0") }
        func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { min(max(v < 0 ? v + n : v, low), high) }
        var picked: [Int] = []
        if step > 0 {
          var j = clamp(starts[i], 0, n)
          let end = clamp(ends[i], 0, n)
          while j < end { picked.append(j); j += step }
        } else {
          var j = clamp(starts[i], -1, n - 1)
          let end = clamp(ends[i], -1, n - 1)
          while j > end { picked.append(j); j += step }
        }
        ranges[a] = picked
      }
      let shape = ranges.map(\.count)
      _ = try limited(shape)
      var strides = [Int](repeating: 1, count: c.shape.count)
      for i in stride(from: c.shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * c.shape[i + 1] }
      var offsets = [0]
      for (a, r) in ranges.enumerated() { offsets = offsets.flatMap { base in r.map { base + $0 * strides[a] } } }
      return ConstantTensor(shape: shape, values: offsets.map { c.values[$0] }, isInteger: c.isInteger)
    case "Add", "Sub", "Mul", "Div":
      let a = try input(0)
      let b = try input(1)
      guard let shape = Broadcast.shape(a.shape, b.shape) else { throw fail("shapes \(a.shape) and \(b.shape) do not broadcast") }
      _ = try limited(shape)
      let ia = Broadcast.sourceIndices(a.shape, to: shape)
      let ib = Broadcast.sourceIndices(b.shape, to: shape)
      let integer = a.isInteger && b.isInteger
      let values = zip(ia, ib).map { i, j -> Double in
        let (x, y) = (a.values[i], b.values[j])
        switch op {
        case "Add": return x + y
        case "Sub": return x - y
        case "Mul": return x * y
        default: return y == 0 ? 0 : (integer ? (x / y).rounded(.down) : x / y)
        }
      }
      return ConstantTensor(shape: shape, values: values, isInteger: integer)
    default:
      if ONNXError.supportedOperators.contains(op) {
        throw fail("\(op) on constants only is not supported; ecgxai imports it on tensors computed from the input")
      }
      throw ONNXError.unsupportedOperator(path: path, node: current.name, op: op, domain: "")
    }
  }

  /// Reshape rules on constants (no batch axis: axis 0 may be squeezed or inserted).
  static func constantShape(_ shape: [Int], _ rule: Reshape.Rule) -> [Int]? {
    switch rule {
    case .squeeze(let axes):
      let normalised = axes.map { $0 < 0 ? $0 + shape.count : $0 }
      guard normalised.allSatisfy({ $0 >= 0 && $0 < shape.count && shape[$0] == 1 }) else { return nil }
      return normalised.isEmpty ? shape.filter { $0 != 1 } : shape.enumerated().filter { !normalised.contains($0.offset) }.map(\.element)
    case .unsqueeze(let axes):
      guard axes.count <= 8 else { return nil }
      let rank = shape.count + axes.count
      let normalised = axes.map { $0 < 0 ? $0 + rank : $0 }
      guard Set(normalised).count == axes.count, normalised.allSatisfy({ $0 >= 0 && $0 < rank }) else { return nil }
      var out: [Int] = []
      var source = shape.makeIterator()
      for a in 0..<rank { out.append(normalised.contains(a) ? 1 : source.next()!) }
      return out
    case .flatten(let axis):
      let a = axis < 0 ? axis + shape.count : axis
      guard a >= 0, a <= shape.count else { return nil }
      return [shape[..<a].reduce(1, *), shape[a...].reduce(1, *)]
    default:
      return Reshape(rule).outputShape(shape)
    }
  }
}
