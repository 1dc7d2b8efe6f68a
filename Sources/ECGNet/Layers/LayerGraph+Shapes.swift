import ECGTensor

extension LayerGraph {
  /// The shape of every value (index as in `nodes`: 0 the input, i + 1 node i's output) for an
  /// input of shape `input`, checked node by node.
  ///
  /// Running a graph on an input its shapes do not fit would stop the process at a layer's
  /// precondition; callers with user data check the shapes first with this.
  /// - Throws: `GraphError` naming the first node whose inputs do not fit.
  public func valueShapes(forInput input: [Int]) throws -> [[Int]] {
    var shapes: [[Int]] = [input]
    for node in nodes {
      let inputs = node.inputs.map { shapes[$0] }
      do { shapes.append(try Self.outputShape(of: node.operation, inputs: inputs)) } catch let error as GraphError {
        throw GraphError("node '\(node.name)': \(error.description)")
      }
    }
    return shapes
  }

  /// The output shape for an input of shape `input`.
  /// - Throws: `GraphError` as `valueShapes(forInput:)`.
  public func outputShape(forInput input: [Int]) throws -> [Int] {
    try valueShapes(forInput: input)[output]
  }

  /// The output shape of one operation, or a `GraphError` saying why its inputs do not fit.
  static func outputShape(of operation: Operation, inputs: [[Int]]) throws -> [Int] {
    switch operation {
    case .layer(let layer): return try layerOutputShape(layer, inputs[0])
    case .add, .multiply:
      var shape = inputs[0]
      for other in inputs.dropFirst() {
        guard let joint = Broadcast.shape(shape, other) else {
          throw GraphError("operands \(shape) and \(other) do not broadcast")
        }
        shape = joint
      }
      return shape
    case .concat(let axis):
      let first = inputs[0]
      guard axis < first.count else { throw GraphError("concatenation axis \(axis) of rank-\(first.count) inputs") }
      var shape = first
      shape[axis] = 0
      for t in inputs {
        var other = t
        guard other.count == first.count else { throw GraphError("concatenating ranks \(first.count) and \(other.count)") }
        shape[axis] += other[axis]
        other[axis] = first[axis]
        guard other == first else { throw GraphError("concatenating \(first) and \(t) along axis \(axis)") }
      }
      return shape
    }
  }

  /// The output shape of an ECGNet layer for an input of shape `x`.
  static func layerOutputShape(_ layer: any Layer, _ x: [Int]) throws -> [Int] {
    func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
      if !condition {
        throw GraphError((layer.path.isEmpty ? layer.kind : "\(layer.kind) '\(layer.path)'") + ": \(message())")
      }
    }
    switch layer {
    case let conv as Conv1d:
      let g = conv.geometry
      try require(x.count == 3 && x[1] == g.inChannels, "input \(x), expected [batch, \(g.inChannels), time]")
      let length = g.outputLength(inputLength: x[2])
      try require(length >= 1, "input of \(x[2]) samples is shorter than the kernel (\(g.kernelSize), dilation \(g.dilation))")
      return [x[0], g.outChannels, length]
    case let linear as Linear:
      try require(x.count == 2 && x[1] == linear.inFeatures, "input \(x), expected [batch, \(linear.inFeatures)]")
      return [x[0], linear.outFeatures]
    case let bn as BatchNorm1d:
      try require((x.count == 2 || x.count == 3) && x[1] == bn.channels, "input \(x), expected [batch, \(bn.channels)(, time)]")
      return x
    case let pool as MaxPool1d:
      try require(x.count == 3, "input \(x), expected [batch, channels, time]")
      let length = pool.outputLength(x[2])
      try require(length >= 1 && x[2] + pool.padding > 0, "input of \(x[2]) samples is shorter than the window \(pool.kernelSize)")
      return [x[0], x[1], length]
    case let pool as AvgPool1d:
      try require(x.count == 3, "input \(x), expected [batch, channels, time]")
      let length = pool.outputLength(x[2])
      try require(length >= 1 && x[2] >= 1, "input of \(x[2]) samples is shorter than the window \(pool.kernelSize)")
      return [x[0], x[1], length]
    case let pool as GlobalPool1d:
      try require(x.count == 3 && x[2] > 0, "input \(x), expected [batch, channels, time > 0]")
      return [x[0], pool.mode == .concat ? 2 * x[1] : x[1], 1]
    case is Flatten:
      try require(x.count >= 2, "input \(x) has no axis to flatten")
      return [x[0], x.dropFirst().reduce(1, *)]
    case let reshape as Reshape:
      guard let shape = reshape.outputShape(x) else { throw GraphError("Reshape \(reshape.rule) does not apply to \(x)") }
      return shape
    case let pad as Pad1d:
      try require(x.count >= 1 && pad.before >= 0 && pad.after >= 0, "input \(x)")
      return Array(x.dropLast()) + [x[x.count - 1] + pad.before + pad.after]
    case let affine as ConstantAffine:
      try require(
        Broadcast.shape(x, affine.scale.shape) == x && Broadcast.shape(x, affine.shift.shape) == x,
        "constants \(affine.scale.shape), \(affine.shift.shape) do not broadcast to the input \(x)")
      return x
    case is Softmax:
      try require(x.count >= 1, "rank-0 input")
      return x
    case is ReLU, is LeakyReLU, is ELU, is Sigmoid, is Tanh, is Identity, is Dropout:
      return x
    case let graph as LayerGraph:
      return try graph.outputShape(forInput: x)
    case let sequence as Sequential:
      var shape = x
      for child in sequence.layers { shape = try layerOutputShape(child.layer, shape) }
      return shape
    case let block as ResidualBlock:
      let main = try layerOutputShape(block.convs, x)
      let shortcut = try layerOutputShape(block.idpath, x)
      try require(main == shortcut, "convolution path \(main) and shortcut \(shortcut) differ for input \(x)")
      return main
    default:
      throw GraphError("no shape rule for \(layer.kind)")
    }
  }

  /// The last layer node whose output is [batch, channels, time] with more than one time step —
  /// the default GradCAM layer of an imported model (the last feature block), or nil.
  public func lastFeatureLayer(forInput input: [Int]) -> String? {
    guard let shapes = try? valueShapes(forInput: input) else { return nil }
    for (i, node) in nodes.enumerated().reversed() {
      if case .layer = node.operation, shapes[i + 1].count == 3, shapes[i + 1][2] > 1 { return nodePath(i) }
    }
    return nil
  }
}
