import ECGTensor
import Foundation
import SwiftProtobuf

/// Imports ONNX models (opset 11–21, e.g. from `torch.onnx.export`) as ECGNet models.
///
/// The graph is mapped onto ECGNet's own layers — `Conv1d`, `BatchNorm1d`, `ReLU`, pools,
/// `Linear`, … — joined by a `LayerGraph` with additions, products and concatenations, so the
/// forward, backward and relevance passes, hooks, the BatchNorm canonizer and every attribution
/// method work on an imported model as on a built-in one. Initializers become the layers'
/// parameters; constant sub-graphs (shape arithmetic torch emits for padding, reshapes) are
/// evaluated at import. Layers are named after the PyTorch module paths torch puts in node
/// names (`/features/features.7/features.7.2/act/Relu` → `features.7.2.act`), and every module
/// with more than one node gets an identity node under its own path (`features.7`) so GradCAM and
/// TCAV can read its output.
///
/// Nothing in a file can stop the process: every problem is an `ONNXError` naming the file, and
/// the node and operator at fault. See docs/onnx.md for the operators and their mapping.
public enum ONNXImporter {
  /// Imports the model in `url`.
  ///
  /// Class names come from the model's `metadata_props` entry `class_names` (comma separated)
  /// or, if absent, from a text file next to it with the extension `.classes.txt` (one name per
  /// line, as `ecgxai export` writes).
  /// - Throws: `ONNXError`.
  public static func load(_ url: URL) throws -> Model {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw ONNXError.unreadable(path: url.path, reason: error.localizedDescription)
    }
    var classNames: [String]? = nil
    let sidecar = url.deletingPathExtension().appendingPathExtension("classes.txt")
    if let text = try? String(contentsOf: sidecar, encoding: .utf8) {
      classNames = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    return try load(data: data, path: url.path, classNames: classNames)
  }

  /// Imports a model from the bytes of an ONNX file; `path` names it in errors and becomes the
  /// model's architecture name (its last path component). `classNames`, if given, are used when
  /// the model has no `class_names` metadata.
  /// - Throws: `ONNXError`.
  public static func load(data: Data, path: String, classNames: [String]? = nil) throws -> Model {
    let proto: Onnx_ModelProto
    do { proto = try Onnx_ModelProto(serializedBytes: data) } catch {
      throw ONNXError.corrupt(path: path, reason: "\(error)")
    }
    var builder = try ONNXGraphBuilder(model: proto, path: path)
    let (graph, leads, classes) = try builder.build()
    let name = URL(fileURLWithPath: path).lastPathComponent
    var names = classNames
    if let entry = proto.metadataProps.first(where: { $0.key == "class_names" }) {
      names = entry.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    if let given = names, given.count != classes {
      throw ONNXError.invalidModel(path: path, reason: "\(given.count) class names for \(classes) outputs")
    }
    let architecture = ModelArchitecture(name: name, inputChannels: leads, classes: classes, classNames: names)
    return Model(architecture: architecture, root: graph)
  }
}
