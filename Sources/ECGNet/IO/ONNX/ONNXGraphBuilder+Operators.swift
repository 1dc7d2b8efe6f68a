import ECGTensor
import Foundation

/// The attributes of one ONNX node, read with defaults and checked types.
struct NodeAttributes {
  let values: [String: Onnx_AttributeProto]

  init(_ node: Onnx_NodeProto) {
    var values: [String: Onnx_AttributeProto] = [:]
    for a in node.attribute { values[a.name] = a }
    self.values = values
  }

  func int(_ name: String, _ fallback: Int) -> Int {
    guard let a = values[name] else { return fallback }
    return Int(clamping: a.i)
  }
  func float(_ name: String, _ fallback: Float) -> Float { values[name].map(\.f) ?? fallback }
  func ints(_ name: String) -> [Int]? { values[name].map { $0.ints.map { Int(clamping: $0) } } }
  func string(_ name: String, _ fallback: String) -> String {
    values[name].map { String(decoding: $0.s, as: UTF8.self) } ?? fallback
  }
}

extension ONNXGraphBuilder {
  /// Imports one ONNX node: constants are folded, everything else becomes graph nodes.
  mutating func importNode(_ node: Onnx_NodeProto) throws {
    current = (node.name.isEmpty ? node.opType : node.name, node.opType)
    guard node.domain.isEmpty || node.domain == "ai.onnx" else {
      throw ONNXError.unsupportedOperator(path: path, node: current.name, op: node.opType, domain: node.domain)
    }
    guard !node.output.isEmpty, !node.output[0].isEmpty else { throw fail("the node has no output") }
    let inputs = try node.input.map { name -> Symbol? in
      if name.isEmpty { return nil }
      guard let symbol = symbols[name] else { throw fail("input '\(name)' is not defined") }
      return symbol
    }
    let attributes = NodeAttributes(node)
    // Every input constant: evaluate now (shape arithmetic, Constant nodes).
    if node.opType == "Constant" || (!inputs.isEmpty && inputs.allSatisfy({ if case .constant? = $0 { return true }; return $0 == nil })) {
      let constants = inputs.map { symbol -> ConstantTensor? in
        if case .constant(let c)? = symbol { return c }
        return nil
      }
      let result = try fold(node.opType, constants, attributes)
      symbols[node.output[0]] = .constant(result)
      return
    }
    if let extra = node.output.dropFirst().first(where: { !$0.isEmpty && readers[$0, default: 0] > 0 }) {
      throw fail("its second output '\(extra)' is used; ecgxai imports only the first output of \(node.opType)")
    }
    let output = try importOperation(node.opType, inputs, attributes)
    symbols[node.output[0]] = output
  }

  /// The graph value of input `k` (it must be computed from the model's input).
  func dynamic(_ inputs: [Symbol?], _ k: Int, _ what: String = "the data input") throws -> Int {
    guard k < inputs.count, let symbol = inputs[k] else { throw fail("\(what) (input \(k)) is missing") }
    guard case .value(let v) = symbol else { throw fail("\(what) (input \(k)) is a constant; expected a tensor computed from the model input") }
    return v
  }

  /// Input `k` as a constant (weights, shapes, axes), nil if absent.
  func constant(_ inputs: [Symbol?], _ k: Int, _ what: String) throws -> ConstantTensor? {
    guard k < inputs.count, let symbol = inputs[k] else { return nil }
    guard case .constant(let c) = symbol else {
      throw fail("\(what) (input \(k)) is computed at run time; ecgxai needs it as a constant (initializer) — static shapes only")
    }
    return c
  }

  /// Input `k` as a required constant.
  func required(_ inputs: [Symbol?], _ k: Int, _ what: String) throws -> ConstantTensor {
    guard let c = try constant(inputs, k, what) else { throw fail("\(what) (input \(k)) is missing") }
    return c
  }

  /// Normalises an axis against a rank (negative axes count from the end).
  func axis(_ axis: Int, rank: Int) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else { throw fail("axis \(axis) is out of range for rank \(rank)") }
    return a
  }

  /// Runs `body` on a [N, C, T] view of a [N, C, 1, T] value (2-D operators on ECGs with a
  /// singleton axis, as some PyTorch versions export 1-D models) and restores the axis.
  mutating func onTimeAxis(_ x: Int, _ body: (inout ONNXGraphBuilder, Int) throws -> Int) throws -> Int {
    let shape = shapes[x]
    if shape.count == 3 { return try body(&self, x) }
    guard shape.count == 4, shape[2] == 1 else {
      throw fail("input shape \(shape): ecgxai imports 1-D operators on [batch, channels, time] (or [batch, channels, 1, time])")
    }
    let squeezed = try append(Reshape(.squeeze([2])), input: x, suffix: "squeeze")
    let y = try body(&self, squeezed)
    return try append(Reshape(.unsqueeze([2])), input: y, suffix: "unsqueeze")
  }

  /// The 1-D extent of a kernel/stride/pads attribute of a 1-D or (singleton-height) 2-D operator.
  func timeAxisValues(_ values: [Int]?, count: Int, fallback: Int, name: String, rank: Int) throws -> [Int] {
    guard let values else { return Array(repeating: fallback, count: count) }
    let spatial = rank - 2
    if spatial == 1 && values.count == count { return values }
    if spatial == 2 && values.count == 2 * count {
      // [h, w] or pads [h_begin, w_begin, h_end, w_end]: the height entries must be trivial.
      let heights = count == 1 ? [values[0]] : [values[0], values[2]]
      guard heights.allSatisfy({ $0 == (name == "pads" ? 0 : 1) }) else { throw fail("\(name) \(values) acts on the singleton axis") }
      return count == 1 ? [values[1]] : [values[1], values[3]]
    }
    throw fail("\(name) \(values) does not fit a 1-D operator on rank \(rank)")
  }

  /// Checks `auto_pad` (only NOTSET and VALID have fixed pads).
  func checkAutoPad(_ attributes: NodeAttributes) throws {
    let mode = attributes.string("auto_pad", "NOTSET")
    guard mode == "NOTSET" || mode == "VALID" else {
      throw fail("auto_pad \(mode) is not supported; export with explicit padding")
    }
  }

  /// Imports one operator on computed inputs.
  mutating func importOperation(_ op: String, _ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Symbol {
    switch op {
    case "Identity", "Dropout":
      return .value(try dynamic(inputs, 0))
    case "Cast":
      guard attributes.int("to", 1) == 1 else { throw fail("casts a tensor from the input to type \(attributes.int("to", 1)); only float32 is supported") }
      return .value(try dynamic(inputs, 0))
    case "Relu": return .value(try append(ReLU(), input: try dynamic(inputs, 0)))
    case "LeakyRelu": return .value(try append(LeakyReLU(slope: attributes.float("alpha", 0.01)), input: try dynamic(inputs, 0)))
    case "Elu": return .value(try append(ELU(alpha: attributes.float("alpha", 1)), input: try dynamic(inputs, 0)))
    case "Sigmoid": return .value(try append(Sigmoid(), input: try dynamic(inputs, 0)))
    case "Tanh": return .value(try append(Tanh(), input: try dynamic(inputs, 0)))
    case "Softmax":
      let x = try dynamic(inputs, 0)
      let rank = shapes[x].count
      let a = try axis(attributes.int("axis", opset >= 13 ? -1 : 1), rank: rank)
      guard a == rank - 1 else { throw fail("softmax over axis \(a) of rank \(rank); ecgxai supports softmax over the last axis") }
      return .value(try append(Softmax(), input: x))
    case "Conv": return .value(try importConv(inputs, attributes))
    case "BatchNormalization": return .value(try importBatchNorm(inputs, attributes))
    case "MaxPool", "AveragePool": return .value(try importPool(op, inputs, attributes))
    case "GlobalAveragePool", "GlobalMaxPool":
      let mode: GlobalPool1d.Mode = op == "GlobalMaxPool" ? .maximum : .average
      return .value(try onTimeAxis(try dynamic(inputs, 0)) { b, x in try b.append(GlobalPool1d(mode), input: x) })
    case "ReduceMean", "ReduceMax": return .value(try importReduce(op, inputs, attributes))
    case "Concat":
      let values = try inputs.indices.map { try dynamic(inputs, $0, "concatenated input") }
      guard let first = values.first else { throw fail("Concat without inputs") }
      let a = try axis(attributes.int("axis", 1), rank: shapes[first].count)
      guard a >= 1 else { throw fail("concatenation along the batch axis is not supported") }
      return .value(values.count == 1 ? values[0] : try append(.concat(axis: a), inputs: values))
    case "Add", "Sub", "Mul", "Div": return .value(try importArithmetic(op, inputs))
    case "Gemm": return .value(try importGemm(inputs, attributes))
    case "MatMul":
      let x = try dynamic(inputs, 0)
      let w = try required(inputs, 1, "the weight matrix")
      guard shapes[x].count == 2, w.shape.count == 2 else {
        throw fail("MatMul of \(shapes[x]) by a constant \(w.shape); ecgxai imports [batch, in] × [in, out]")
      }
      return .value(try appendLinear(input: x, weight: transposed(w), bias: nil))
    case "Flatten":
      let x = try dynamic(inputs, 0)
      let a = try axis(attributes.int("axis", 1), rank: shapes[x].count + 1)
      guard a >= 1 else { throw fail("Flatten with axis 0 merges the batch axis") }
      return .value(try append(a == 1 ? Flatten() : Reshape(.flatten(axis: a)), input: x))
    case "Reshape":
      let x = try dynamic(inputs, 0)
      var target = try required(inputs, 1, "the target shape").integers
      // A batch extent frozen at export (e.g. [1, -1]) follows the batch instead.
      if let batch = declaredBatch, target.first == batch, batch == shapes[x].first { target[0] = 0 }
      return .value(try append(Reshape(.target(target)), input: x))
    case "Squeeze", "Unsqueeze":
      let x = try dynamic(inputs, 0)
      let axes = try constant(inputs, 1, "the axes")?.integers ?? attributes.ints("axes") ?? []
      guard op == "Squeeze" || !axes.isEmpty else { throw fail("Unsqueeze without axes") }
      return .value(try append(Reshape(op == "Squeeze" ? .squeeze(axes) : .unsqueeze(axes)), input: x))
    case "Transpose":
      let x = try dynamic(inputs, 0)
      let rank = shapes[x].count
      let perm = attributes.ints("perm") ?? Array((0..<rank).reversed())
      let layer = Reshape(.permute(perm))
      guard layer.outputShape(shapes[x]) != nil else {
        throw fail("Transpose \(perm) of \(shapes[x]) reorders elements; ecgxai supports transposes that only move axes of extent 1 (and keep the batch axis)")
      }
      return .value(try append(layer, input: x))
    case "Pad": return .value(try importPad(inputs, attributes))
    default:
      if ONNXError.supportedOperators.contains(op) {
        throw fail("\(op) is imported on constants only (shape arithmetic); here it acts on a tensor computed from the input — export with static shapes (do_constant_folding=True)")
      }
      throw ONNXError.unsupportedOperator(path: path, node: current.name, op: op, domain: "")
    }
  }

  mutating func importReduce(_ op: String, _ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Int {
    let x = try dynamic(inputs, 0)
    let rank = shapes[x].count
    let axes = try constant(inputs, 1, "the axes")?.integers ?? attributes.ints("axes") ?? []
    let normalised = try axes.map { try axis($0, rank: rank) }
    guard rank == 3, normalised == [2] else {
      throw fail("\(op) over axes \(axes) of \(shapes[x]); ecgxai supports reductions over the time axis of [batch, channels, time]")
    }
    let pooled = try append(GlobalPool1d(op == "ReduceMax" ? .maximum : .average), input: x)
    if attributes.int("keepdims", 1) != 0 { return pooled }
    return try append(Reshape(.squeeze([2])), input: pooled, suffix: "squeeze")
  }

  mutating func importArithmetic(_ op: String, _ inputs: [Symbol?]) throws -> Int {
    guard inputs.count == 2, let first = inputs[0], let second = inputs[1] else { throw fail("expected two inputs") }
    switch (first, second) {
    case (.value(let a), .value(let b)):
      switch op {
      case "Add": return try append(.add, inputs: [a, b])
      case "Mul": return try append(.multiply, inputs: [a, b])
      default: throw fail("\(op) of two tensors computed from the input is not supported (only with a constant)")
      }
    case (.value(let x), .constant(let c)), (.constant(let c), .value(let x)):
      let constantFirst = { if case .constant = first { return true }; return false }()
      var t = c.floatTensor
      if t.count == 1 { t = Tensor(scalar: t.scalars[0]) }
      switch op {
      case "Add":
        // MatMul + Add is a linear layer with a bias.
        if let fused = try fuseBias(into: x, t) { return fused }
        return try append(ConstantAffine(shift: t), input: x)
      case "Mul": return try append(ConstantAffine(scale: t), input: x)
      case "Sub":
        return try append(constantFirst ? ConstantAffine(scale: Tensor(scalar: -1), shift: t) : ConstantAffine(shift: t.map { -$0 }), input: x)
      default:
        guard !constantFirst else { throw fail("dividing a constant by a tensor is not supported") }
        guard t.scalars.allSatisfy({ $0 != 0 }) else { throw fail("division by zero") }
        return try append(ConstantAffine(scale: t.map { 1 / $0 }), input: x)
      }
    default:
      throw fail("no input is computed from the model input")
    }
  }

  /// If `x` is the output of a bias-free `Linear` node read only here, gives it `bias` (shape
  /// [out] or [1, out]) and returns `x`; nil otherwise.
  mutating func fuseBias(into x: Int, _ bias: Tensor) throws -> Int? {
    guard x >= 1, x == nodes.count, case .layer(let layer) = nodes[x - 1].operation, let linear = layer as? Linear,
      linear.bias == nil, bias.count == linear.outFeatures, bias.shape.last == linear.outFeatures, bias.rank <= 2
    else { return nil }
    // The MatMul's output must have no other reader.
    guard let name = symbols.first(where: { if case .value(x) = $0.value { return true }; return false })?.key,
      readers[name, default: 0] == 1
    else { return nil }
    linear.bias = Parameter(Tensor(shape: [bias.count], scalars: bias.scalars))
    return x
  }

  mutating func importPad(_ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Int {
    let x = try dynamic(inputs, 0)
    let rank = shapes[x].count
    guard attributes.string("mode", "constant") == "constant" else {
      throw fail("pad mode '\(attributes.string("mode", "constant"))' is not supported (constant only)")
    }
    let pads = try constant(inputs, 1, "the pads")?.integers ?? attributes.ints("pads") ?? []
    let value = try constant(inputs, 2, "the padding value")?.values.first ?? Double(attributes.float("value", 0))
    var full = pads
    if let axes = try constant(inputs, 3, "the axes")?.integers {
      let normalised = try axes.map { try axis($0, rank: rank) }
      guard pads.count == 2 * axes.count else { throw fail("pads \(pads) for axes \(axes)") }
      full = Array(repeating: 0, count: 2 * rank)
      for (i, a) in normalised.enumerated() {
        full[a] = pads[i]
        full[rank + a] = pads[axes.count + i]
      }
    }
    guard full.count == 2 * rank else { throw fail("pads \(pads) for rank \(rank)") }
    let (before, after) = (full[rank - 1], full[2 * rank - 1])
    let others = full.enumerated().filter { $0.offset != rank - 1 && $0.offset != 2 * rank - 1 }
    guard others.allSatisfy({ $0.element == 0 }), before >= 0, after >= 0, before <= 1 << 16, after <= 1 << 16 else {
      throw fail("pads \(pads): ecgxai supports non-negative padding of the time (last) axis")
    }
    return try append(Pad1d(before: before, after: after, value: Float(value)), input: x)
  }
}
