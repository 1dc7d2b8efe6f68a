import ECGTensor
import Foundation

/// A constant known at import time (initializers, `Constant` nodes and what is computed from
/// them): a shape and its values (floats and integers alike, as Double).
struct ConstantTensor {
  var shape: [Int]
  var values: [Double]
  var isInteger: Bool

  var count: Int { values.count }
  var floatTensor: Tensor { Tensor(shape: shape, scalars: values.map { Float($0) }) }
  /// The values as integers; huge ones (torch's ±2⁶³ "to the end" sentinels) clamp to ±2⁵⁰.
  var integers: [Int] { values.map { $0.isNaN ? 0 : Int(min(max($0, -0x1p50), 0x1p50)) } }
}

/// What an ONNX tensor name stands for while the graph is built.
enum Symbol {
  /// A constant.
  case constant(ConstantTensor)
  /// A value computed from the input: its number in the `LayerGraph`.
  case value(Int)
}

/// Walks an ONNX graph node by node, building the `LayerGraph`.
struct ONNXGraphBuilder {
  let path: String
  let graphProto: Onnx_GraphProto
  let opset: Int
  var symbols: [String: Symbol] = [:]
  var nodes: [LayerGraph.Node] = []
  /// Shapes of every value for the nominal input (batch 1).
  var shapes: [[Int]] = []
  /// The module scope (dotted prefixes, outermost first) of every node in `nodes`.
  var scopes: [[String]] = []
  /// The ONNX node (name, operator) and suffix each node of `nodes` comes from.
  var origins: [(name: String, op: String, suffix: String?, isLayer: Bool)] = []
  /// How many graph nodes read each ONNX tensor name (for fusions).
  var readers: [String: Int] = [:]
  /// The fixed batch extent of the declared input, if it has one.
  var declaredBatch: Int?
  /// The ONNX node being imported (for errors).
  var current: (name: String, op: String) = ("", "")

  init(model: Onnx_ModelProto, path: String) throws {
    self.path = path
    guard model.hasGraph else { throw ONNXError.invalidModel(path: path, reason: "the file has no graph") }
    graphProto = model.graph
    guard let version = model.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" })?.version else {
      throw ONNXError.invalidModel(path: path, reason: "no opset of the default ONNX domain is declared")
    }
    guard (11...21).contains(version) else {
      throw ONNXError.invalidModel(
        path: path, reason: "opset \(version) is outside the supported 11–21; re-export with torch.onnx.export(..., opset_version=17)")
    }
    opset = Int(version)
  }

  func fail(_ reason: String) -> ONNXError {
    .invalidNode(path: path, node: current.name, op: current.op, reason: reason)
  }

  /// Builds the graph; returns it with the input's lead count and the number of outputs.
  mutating func build() throws -> (LayerGraph, leads: Int, classes: Int) {
    for tensor in graphProto.initializer {
      guard !tensor.name.isEmpty else { throw ONNXError.invalidModel(path: path, reason: "an initializer has no name") }
      symbols[tensor.name] = .constant(try decode(tensor, what: "initializer '\(tensor.name)'"))
    }
    let inputs = graphProto.input.filter { symbols[$0.name] == nil }
    guard inputs.count == 1, let input = inputs.first else {
      throw ONNXError.invalidModel(
        path: path, reason: "the graph has \(inputs.count) inputs; ecgxai imports models with one input [batch, leads, samples]")
    }
    let dims = input.type.tensorType.shape.dim
    guard input.type.tensorType.hasShape, dims.count == 3 else {
      throw ONNXError.invalidModel(
        path: path, reason: "input '\(input.name)' has rank \(dims.count); expected [batch, leads, samples]")
    }
    let fixed = dims.map { dim -> Int? in
      if case .dimValue(let v)? = dim.value, v > 0 { return Int(clamping: v) }
      return nil
    }
    guard let leads = fixed[1], leads <= 4096 else {
      throw ONNXError.invalidModel(path: path, reason: "input '\(input.name)' has no fixed lead count (axis 1)")
    }
    declaredBatch = fixed[0]
    let length = min(fixed[2] ?? 1000, 1 << 20)
    symbols[input.name] = .value(0)
    shapes = [[1, leads, length]]

    for node in graphProto.node {
      for name in node.input where !name.isEmpty { readers[name, default: 0] += 1 }
    }
    for name in graphProto.output.map(\.name) { readers[name, default: 0] += 1 }
    for node in try sortedNodes() { try importNode(node) }

    guard let outputName = graphProto.output.first?.name, graphProto.output.count == 1 else {
      throw ONNXError.invalidModel(
        path: path, reason: "the graph has \(graphProto.output.count) outputs; ecgxai explains models with one output [batch, classes]")
    }
    guard case .value(let output)? = symbols[outputName] else {
      throw ONNXError.invalidModel(path: path, reason: "the output '\(outputName)' is not computed from the input")
    }
    let outputShape = shapes[output]
    guard outputShape.count == 2, outputShape[1] >= 1 else {
      throw ONNXError.invalidModel(path: path, reason: "the output has shape \(outputShape) for one record; expected [batch, classes]")
    }
    let graph: LayerGraph
    do { graph = try aliasedGraph(output: output) } catch let error as GraphError {
      throw ONNXError.invalidModel(path: path, reason: error.description)
    }
    // Every shape must follow the batch: the model then runs any batch size.
    do {
      let second = try graph.outputShape(forInput: [2, leads, length])
      guard second == [2, outputShape[1]] else {
        throw ONNXError.invalidModel(
          path: path, reason: "the output does not follow the batch size (\(second) for 2 records): a reshape fixes the batch; export with a dynamic batch axis")
      }
    } catch let error as GraphError {
      throw ONNXError.invalidModel(path: path, reason: "with 2 records: \(error.description); export with a dynamic batch axis")
    }
    return (graph, leads, outputShape[1])
  }

  /// The nodes in a topological order (ONNX requires one; files that break the rule are
  /// reordered). A cycle or a tensor nobody produces is an error naming the node.
  func sortedNodes() throws -> [Onnx_NodeProto] {
    var available = Set(symbols.keys)
    var remaining = graphProto.node
    var order: [Onnx_NodeProto] = []
    order.reserveCapacity(remaining.count)
    while !remaining.isEmpty {
      var next: [Onnx_NodeProto] = []
      for node in remaining {
        if node.input.allSatisfy({ $0.isEmpty || available.contains($0) }) {
          order.append(node)
          for output in node.output where !output.isEmpty { available.insert(output) }
        } else {
          next.append(node)
        }
      }
      if next.count == remaining.count {
        let node = next[0]
        let missing = node.input.first { !$0.isEmpty && !available.contains($0) } ?? "?"
        throw ONNXError.invalidNode(
          path: path, node: node.name, op: node.opType,
          reason: "its input '\(missing)' is not produced by any node, initializer or graph input (or the graph has a cycle)")
      }
      remaining = next
    }
    return order
  }

  /// The module scopes of a torch-style node name, outermost first:
  /// `/features/features.7/features.7.2/act/Relu` → [features, features.7, features.7.2,
  /// features.7.2.act] (a component that extends the previous one by `.name` replaces it).
  static func scope(of nodeName: String) -> [String] {
    guard nodeName.hasPrefix("/") else { return [] }
    let parts = nodeName.split(separator: "/").dropLast().map(String.init)
    var chain: [String] = []
    var prefixes: [String] = []
    for part in parts {
      if let last = chain.last, part.hasPrefix(last + ".") { chain[chain.count - 1] = part } else { chain.append(part) }
      prefixes.append(chain.joined(separator: "."))
    }
    var unique: [String] = []
    for p in prefixes where unique.last != p { unique.append(p) }
    return unique
  }

  /// The node names: a module's path if it is the only layer imported from that module (a
  /// `Conv` in `features.0.0` is `features.0.0`), else the path and the operator
  /// (`features.4.0.Add`); extra nodes an ONNX node needs carry a suffix (`.pad`). Names without
  /// torch scopes are kept (cleaned); repeats get `_1`, `_2`, ….
  func nodeNames() -> [String] {
    var perScope: [String: Int] = [:]
    for origin in origins where origin.suffix == nil && origin.isLayer {
      if let inner = Self.scope(of: origin.name).last { perScope[inner, default: 0] += 1 }
    }
    var used = Set<String>()
    return origins.map { origin in
      var base: String
      if let inner = Self.scope(of: origin.name).last {
        // Additions and concatenations are no layers: the module's path goes to its identity node.
        base = perScope[inner, default: 0] == 1 && origin.isLayer ? inner : inner + "." + origin.op
      } else {
        let trimmed = origin.name.drop { $0 == "/" }.replacingOccurrences(of: "/", with: ".")
        let cleaned = String(trimmed.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." ? $0 : "_" })
        base = cleaned.isEmpty ? origin.op : cleaned
      }
      if let suffix = origin.suffix { base += "." + suffix }
      var name = base
      var k = 1
      while used.contains(name) {
        name = "\(base)_\(k)"
        k += 1
      }
      used.insert(name)
      return name
    }
  }

  /// Appends a node, checking its shapes; returns the number of its output value.
  mutating func append(_ operation: LayerGraph.Operation, inputs: [Int], suffix: String? = nil) throws -> Int {
    let shape: [Int]
    do { shape = try LayerGraph.outputShape(of: operation, inputs: inputs.map { shapes[$0] }) } catch let error as GraphError {
      throw fail(error.description)
    }
    guard let count = Reshape.product(shape), count < (1 << 31) else { throw fail("output shape \(shape) is too large") }
    nodes.append(LayerGraph.Node(name: "", operation: operation, inputs: inputs))
    let isLayer: Bool
    if case .layer = operation { isLayer = true } else { isLayer = false }
    origins.append((current.name, current.op, suffix, isLayer))
    scopes.append(Self.scope(of: current.name))
    shapes.append(shape)
    return nodes.count
  }

  /// Appends a one-input layer node.
  mutating func append(_ layer: any Layer, input: Int, suffix: String? = nil) throws -> Int {
    try append(.layer(layer), inputs: [input], suffix: suffix)
  }

  /// The graph with an identity node after the last node of every module scope that no node is
  /// named after, so the module's output has its PyTorch path (`features.7`).
  func aliasedGraph(output: Int) throws -> LayerGraph {
    let nodeNames = nodeNames()
    let names = Set(nodeNames)
    var lastNode: [String: Int] = [:]
    for (i, scope) in scopes.enumerated() { for prefix in scope { lastNode[prefix] = i } }
    var aliasesAfter: [Int: [String]] = [:]
    for (prefix, i) in lastNode where !names.contains(prefix) { aliasesAfter[i, default: []].append(prefix) }
    var result: [LayerGraph.Node] = []
    var remap = [Int](repeating: 0, count: nodes.count + 1)
    var used = names
    for (i, node) in nodes.enumerated() {
      var copy = node
      copy.name = nodeNames[i]
      copy.inputs = node.inputs.map { remap[$0] }
      result.append(copy)
      var value = result.count
      // Innermost scope first (longer paths are deeper).
      for alias in (aliasesAfter[i] ?? []).sorted(by: { $0.count > $1.count }) where used.insert(alias).inserted {
        result.append(LayerGraph.Node(name: alias, operation: .layer(Identity()), inputs: [value]))
        value = result.count
      }
      remap[i + 1] = value
    }
    return try LayerGraph(nodes: result, output: remap[output])
  }
}
