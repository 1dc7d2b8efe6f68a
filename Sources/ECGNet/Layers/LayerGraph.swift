import ECGTensor

/// A network that is not a chain: a directed acyclic graph of ECGNet layers joined by additions,
/// products and concatenations (an imported ONNX model, a residual or inception network).
///
/// Values are numbered: value 0 is the graph's input, value i + 1 the output of node i; every
/// node reads values of lower number, so the node order is a topological order. Layer nodes are
/// ordinary ECGNet layers (`Conv1d`, `BatchNorm1d`, `ReLU`, …), children of the graph under
/// their node names, so hooks, LRP rules, the BatchNorm canonizer and every attribution method
/// see them as in a built-in model. Additions offer their summands to `PassHooks.residualRule`
/// like `ResidualBlock`.
public final class LayerGraph: Layer, @unchecked Sendable {
  /// What a node computes.
  public enum Operation: @unchecked Sendable {
    /// A one-input layer.
    case layer(any Layer)
    /// The sum of the inputs (broadcast).
    case add
    /// The element-wise product of the inputs (broadcast).
    case multiply
    /// The inputs joined along `axis` (non-negative).
    case concat(axis: Int)
  }

  /// One node: a name (unique in the graph), an operation and the values it reads.
  public struct Node: @unchecked Sendable {
    /// The node's name, its layer's child name.
    public var name: String
    /// What it computes.
    public var operation: Operation
    /// The values it reads (0 = graph input, i + 1 = node i's output).
    public var inputs: [Int]

    /// Creates a node.
    public init(name: String, operation: Operation, inputs: [Int]) {
      self.name = name
      self.operation = operation
      self.inputs = inputs
    }
  }

  public let kind = "Graph"
  public var path = ""
  public var record = LayerRecord()
  /// The nodes in topological order.
  public let nodes: [Node]
  /// The value that is the graph's output.
  public let output: Int
  private var values: [Tensor] = []
  /// ReLU nodes the last forward pass computed together with the node before them.
  private var fusedReLUs: Set<Int> = []
  /// Conv1d or addition node → the ReLU node that is its only reader (fusable without hooks).
  private lazy var reluFusions: [Int: Int] = {
    var readers = [[Int]](repeating: [], count: nodes.count + 1)
    for (i, node) in nodes.enumerated() { for v in node.inputs { readers[v].append(i) } }
    var fusions: [Int: Int] = [:]
    for (j, node) in nodes.enumerated() {
      guard case .layer(let layer) = node.operation, layer is ReLU, let v = node.inputs.first, v >= 1, v != output,
        readers[v] == [j]
      else { continue }
      switch nodes[v - 1].operation {
      case .layer(let producer) where producer is Conv1d: fusions[v - 1] = j
      case .add where nodes[v - 1].inputs.count == 2: fusions[v - 1] = j
      default: break
      }
    }
    return fusions
  }()

  /// Creates a graph.
  /// - Throws: `GraphError` if a node reads a value that is not computed before it, a
  ///   multi-input node has fewer than two inputs, or names repeat.
  public init(nodes: [Node], output: Int) throws {
    var names = Set<String>()
    for (i, node) in nodes.enumerated() {
      guard names.insert(node.name).inserted else { throw GraphError("node name '\(node.name)' is used twice") }
      guard node.inputs.allSatisfy({ $0 >= 0 && $0 <= i }) else {
        throw GraphError("node '\(node.name)' reads a value computed after it")
      }
      switch node.operation {
      case .layer: guard node.inputs.count == 1 else { throw GraphError("layer node '\(node.name)' needs one input") }
      case .add, .multiply, .concat: guard node.inputs.count >= 2 else { throw GraphError("node '\(node.name)' needs two or more inputs") }
      }
    }
    guard output >= 0 && output <= nodes.count else { throw GraphError("output value \(output) does not exist") }
    self.nodes = nodes
    self.output = output
  }

  public var children: [(name: String, layer: any Layer)] {
    nodes.compactMap { node in
      if case .layer(let layer) = node.operation { return (node.name, layer) }
      return nil
    }
  }

  /// The dotted path of node `index` (what hooks receive for additions).
  func nodePath(_ index: Int) -> String { path.isEmpty ? nodes[index].name : path + "." + nodes[index].name }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    var values = [Tensor](repeating: Tensor(zeros: [0]), count: nodes.count + 1)
    values[0] = input
    // Release each value after its last reader (unless a backward pass needs it).
    var lastUse = [Int](repeating: -1, count: nodes.count + 1)
    for (i, node) in nodes.enumerated() { for v in node.inputs { lastUse[v] = i } }
    lastUse[output] = nodes.count
    // Without hooks, in evaluation: Conv1d + ReLU and addition + ReLU in one pass each (as
    // `Sequential` and `ResidualBlock` do); the backward pass masks with the fused output.
    let fuse = !options.training && !options.parameterGradients && hooks.isEmpty
    fusedReLUs = []
    for (i, node) in nodes.enumerated() {
      let inputs = node.inputs.map { values[$0] }
      if fusedReLUs.contains(i) {
        values[i + 1] = inputs[0]
      } else if fuse, let relu = reluFusions[i], let fused = Self.fusedReLU(node.operation, inputs, options: options) {
        values[i + 1] = fused
        fusedReLUs.insert(relu)
      } else {
        values[i + 1] = Self.evaluate(node.operation, inputs, options: options, hooks: hooks)
      }
      if !options.recordForBackward {
        for v in Set(node.inputs) where lastUse[v] == i { values[v] = Tensor(zeros: [0]) }
      }
    }
    let result = values[output]
    self.values = options.recordForBackward ? values : []
    return result
  }

  /// max(node(inputs), 0) in one pass for a Conv1d or a same-shape addition, or nil.
  static func fusedReLU(_ operation: Operation, _ inputs: [Tensor], options: PassOptions) -> Tensor? {
    switch operation {
    case .layer(let layer):
      guard let conv = layer as? Conv1d else { return nil }
      let y = Convolution1D.forward(inputs[0], weight: conv.weight.value, bias: conv.bias?.value, geometry: conv.geometry, relu: true)
      if options.recordForBackward {
        conv.record.input = inputs[0]
        conv.record.output = y
      }
      return y
    case .add:
      let (a, b) = (inputs[0], inputs[1])
      guard a.shape == b.shape else { return nil }
      return a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          Tensor(shape: a.shape) { out in
            for k in 0..<out.count { out[k] = max(ap[k] + bp[k], 0) }
          }
        }
      }
    default: return nil
    }
  }

  static func evaluate(_ operation: Operation, _ inputs: [Tensor], options: PassOptions, hooks: PassHooks) -> Tensor {
    switch operation {
    case .layer(let layer): return layer.run(inputs[0], options: options, hooks: hooks)
    case .add: return inputs.dropFirst().reduce(inputs[0]) { combine($0, $1, +) }
    case .multiply: return inputs.dropFirst().reduce(inputs[0]) { combine($0, $1, *) }
    case .concat(let axis): return concatenate(inputs, axis: axis)
    }
  }

  /// a ∘ b element-wise with broadcasting (shapes were checked when the graph was built).
  static func combine(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
    if a.shape == b.shape { return Tensor(shape: a.shape, scalars: zip(a.scalars, b.scalars).map(op)) }
    guard let shape = Broadcast.shape(a.shape, b.shape) else {
      preconditionFailure("LayerGraph: operands \(a.shape) and \(b.shape) do not broadcast (checked at import)")
    }
    let x = Broadcast.expand(a, to: shape)
    let y = Broadcast.expand(b, to: shape)
    return Tensor(shape: shape, scalars: zip(x, y).map(op))
  }

  static func concatenate(_ inputs: [Tensor], axis: Int) -> Tensor {
    let shape0 = inputs[0].shape
    let outer = shape0[..<axis].reduce(1, *)
    let inner = shape0[(axis + 1)...].reduce(1, *)
    var shape = shape0
    shape[axis] = inputs.map { $0.shape[axis] }.reduce(0, +)
    var scalars = [Float]()
    scalars.reserveCapacity(shape.reduce(1, *))
    for o in 0..<outer {
      for t in inputs {
        let block = t.shape[axis] * inner
        scalars += t.scalars[(o * block)..<((o + 1) * block)]
      }
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    guard values.count == nodes.count + 1 else {
      preconditionFailure("Graph '\(path)': backward without a recorded forward pass")
    }
    var gradients = [Tensor?](repeating: nil, count: nodes.count + 1)
    gradients[output] = upstream
    func accumulate(_ value: Int, _ g: Tensor) {
      if let existing = gradients[value] { gradients[value] = existing + g } else { gradients[value] = g }
    }
    for i in stride(from: nodes.count - 1, through: 0, by: -1) {
      guard let g = gradients[i + 1] else { continue }
      gradients[i + 1] = nil
      let node = nodes[i]
      if fusedReLUs.contains(i) {
        accumulate(node.inputs[0], g.masked(where: values[i + 1]))
        continue
      }
      let inputs = node.inputs.map { values[$0] }
      switch node.operation {
      case .layer(let layer):
        accumulate(node.inputs[0], layer.runBackward(g, options: options, hooks: hooks))
      case .add:
        var shares = inputs.map { Broadcast.reduce(g, to: $0.shape) }
        if let rule = hooks.residualRule, inputs.allSatisfy({ $0.shape == g.shape }),
          let split = rule(nodePath(i), inputs, g), split.count == inputs.count,
          split.allSatisfy({ $0.shape == g.shape })
        {
          shares = split
        }
        for (v, share) in zip(node.inputs, shares) { accumulate(v, share) }
      case .multiply:
        for k in inputs.indices {
          let others = inputs.indices.filter { $0 != k }.map { inputs[$0] }
          let factor = others.dropFirst().reduce(others[0]) { Self.combine($0, $1, *) }
          accumulate(node.inputs[k], Broadcast.reduce(Self.combine(g, factor, *), to: inputs[k].shape))
        }
      case .concat(let axis):
        let outer = g.shape[..<axis].reduce(1, *)
        let inner = g.shape[(axis + 1)...].reduce(1, *)
        let total = g.shape[axis] * inner
        var offset = 0
        for (v, t) in zip(node.inputs, inputs) {
          let block = t.shape[axis] * inner
          var part = [Float]()
          part.reserveCapacity(t.count)
          for o in 0..<outer { part += g.scalars[(o * total + offset)..<(o * total + offset + block)] }
          accumulate(v, Tensor(shape: t.shape, scalars: part))
          offset += block
        }
      }
    }
    return gradients[0] ?? Tensor(zeros: values[0].shape)
  }

  /// Layer nodes whose only reader is a `BatchNorm1d` node, with that BatchNorm — the pairs
  /// `BatchNormMerge` folds (Zennit's canonizer; what a `Sequential` offers as neighbours).
  public var batchNormPairs: [(layer: any Layer, batchNorm: BatchNorm1d)] {
    var readers = [[Int]](repeating: [], count: nodes.count + 1)
    for (i, node) in nodes.enumerated() { for v in node.inputs { readers[v].append(i) } }
    var pairs: [(any Layer, BatchNorm1d)] = []
    for (i, node) in nodes.enumerated() {
      guard case .layer(let layer) = node.operation, i + 1 != output, readers[i + 1].count == 1 else { continue }
      if case .layer(let next) = nodes[readers[i + 1][0]].operation, let bn = next as? BatchNorm1d {
        pairs.append((layer, bn))
      }
    }
    return pairs
  }
}

/// A graph that cannot be built: the message says which node is wrong.
public struct GraphError: Error, CustomStringConvertible {
  /// What is wrong.
  public let description: String
  /// Creates an error.
  public init(_ description: String) { self.description = description }
}
