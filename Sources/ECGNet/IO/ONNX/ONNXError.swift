/// Errors importing an ONNX model: each names the file and, where one is to blame, the node and
/// its operator.
public enum ONNXError: Error, CustomStringConvertible, Equatable {
  /// The file cannot be read.
  case unreadable(path: String, reason: String)
  /// The bytes are not an ONNX protobuf (truncated, corrupt, not ONNX).
  case corrupt(path: String, reason: String)
  /// The model is well-formed protobuf but not a model ecgxai can import (no graph, no input,
  /// an opset outside 11–21, …).
  case invalidModel(path: String, reason: String)
  /// A node uses an operator ecgxai does not import.
  case unsupportedOperator(path: String, node: String, op: String, domain: String)
  /// A node of a supported operator with attributes, inputs or shapes ecgxai cannot import.
  case invalidNode(path: String, node: String, op: String, reason: String)

  /// The operators (default ONNX domain) the importer maps onto ECGNet layers.
  public static let supportedOperators = [
    "Add", "AveragePool", "BatchNormalization", "Cast", "Concat", "Constant", "ConstantOfShape", "Conv",
    "Div", "Dropout", "Elu", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity",
    "LeakyRelu", "MatMul", "MaxPool", "Mul", "Pad", "ReduceMax", "ReduceMean", "Relu", "Reshape", "Shape",
    "Sigmoid", "Slice", "Softmax", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
  ]

  /// The case's name (`corrupt`, `unsupportedOperator`, …), for tallies.
  public var kind: String {
    switch self {
    case .unreadable: "unreadable"
    case .corrupt: "corrupt"
    case .invalidModel: "invalidModel"
    case .unsupportedOperator: "unsupportedOperator"
    case .invalidNode: "invalidNode"
    }
  }

  /// A description for users: what is wrong, where, and what to do.
  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "\(path): cannot read the ONNX file (\(reason))"
    case .corrupt(let path, let reason):
      "\(path): not a valid ONNX model — the file is truncated or corrupt (\(reason)); re-export it with torch.onnx.export"
    case .invalidModel(let path, let reason): "\(path): \(reason)"
    case .unsupportedOperator(let path, let node, let op, let domain):
      "\(path): node '\(node)' uses the operator \(domain.isEmpty ? "" : domain + ".")\(op), which ecgxai does not import; "
        + "supported (opset 11–21): \(Self.supportedOperators.joined(separator: ", ")) — see docs/onnx.md"
    case .invalidNode(let path, let node, let op, let reason): "\(path): node '\(node)' (\(op)): \(reason)"
    }
  }
}
