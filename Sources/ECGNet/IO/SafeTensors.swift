import ECGTensor
import Foundation

/// Errors reading or writing safetensors files and model directories.
public enum WeightsError: Error, CustomStringConvertible {
  /// The file is shorter than its header says, or its header is not valid JSON.
  case corrupt(path: String, reason: String)
  /// A tensor the model needs is not in the file.
  case missingKey(path: String, key: String)
  /// The file has a tensor the model does not have.
  case unexpectedKey(path: String, key: String)
  /// A tensor has another shape than the model's parameter.
  case shapeMismatch(path: String, key: String, file: [Int], model: [Int])
  /// A dtype other than F32 (or I64 for counters) was found.
  case unsupportedDType(path: String, key: String, dtype: String)
  /// The architecture JSON could not be read.
  case architecture(path: String, reason: String)
  /// A weight is NaN or infinite (element `index` of tensor `key`).
  case nonFinite(path: String, key: String, index: Int, value: Float)

  public var description: String {
    switch self {
    case .corrupt(let path, let reason): "\(path): not a valid safetensors file (\(reason))"
    case .missingKey(let path, let key):
      "\(path): tensor '\(key)' is missing — the weights do not match this architecture"
    case .unexpectedKey(let path, let key):
      "\(path): unexpected tensor '\(key)' — the weights were saved from another architecture"
    case .shapeMismatch(let path, let key, let file, let model):
      "\(path): tensor '\(key)' has shape \(file) but the model expects \(model) — check --arch / classes"
    case .unsupportedDType(let path, let key, let dtype):
      "\(path): tensor '\(key)' has dtype \(dtype); save weights as float32"
    case .architecture(let path, let reason): "\(path): \(reason)"
    case .nonFinite(let path, let key, let index, let value):
      "\(path): tensor '\(key)' holds \(value.isNaN ? "NaN" : "\(value)") at element \(index); the weights are corrupt or come from a diverged training — retrain or re-export them"
    }
  }
}

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`,
/// then the raw little-endian tensor bytes. ecgxai reads F32, F64 (converted) and I64 and writes
/// F32 (and I64 for BatchNorm's `num_batches_tracked`), so `safetensors.torch.load_file`
/// returns a state dict PyTorch loads strictly.
public enum SafeTensors {
  /// A tensor as stored: Float values, or an Int64 array for integer tensors.
  public enum Entry: Equatable, Sendable {
    /// A float tensor (F32, or F64 converted to Float).
    case float(Tensor)
    /// An integer tensor (I64), shape and values.
    case int64(shape: [Int], values: [Int64])
  }

  /// Reads every tensor of a file.
  public static func read(_ url: URL) throws -> [String: Entry] {
    try readWithMetadata(url).entries
  }

  /// Reads every tensor and the header's `__metadata__` (string → string; empty if absent).
  /// - Throws: `WeightsError.corrupt` as `read`.
  public static func readWithMetadata(_ url: URL) throws -> (entries: [String: Entry], metadata: [String: String]) {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw WeightsError.corrupt(path: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    guard data.count >= 8 else { throw WeightsError.corrupt(path: url.path, reason: "file shorter than 8 bytes") }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard headerLength <= UInt64(data.count - 8) else {
      throw WeightsError.corrupt(path: url.path, reason: "header length \(headerLength) exceeds file size \(data.count)")
    }
    let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
    guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
      throw WeightsError.corrupt(path: url.path, reason: "header is not a JSON object")
    }
    let bodyStart = 8 + Int(headerLength)
    var result: [String: Entry] = [:]
    for (key, value) in header where key != "__metadata__" {
      guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
        let shape = (info["shape"] as? [NSNumber])?.map(\.intValue),
        let offsets = (info["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2,
        offsets[0] >= 0, offsets[1] >= offsets[0], shape.allSatisfy({ $0 >= 0 })
      else { throw WeightsError.corrupt(path: url.path, reason: "bad entry for '\(key)'") }
      var count = 1
      for extent in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: extent)
        guard !overflow else { throw WeightsError.corrupt(path: url.path, reason: "tensor '\(key)': shape \(shape) is too large") }
        count = product
      }
      let width: Int
      switch dtype {
      case "F32": width = 4
      case "F64", "I64": width = 8
      default: throw WeightsError.unsupportedDType(path: url.path, key: key, dtype: dtype)
      }
      // Offsets come from the file: compare them with the body's size, never add to them.
      guard offsets[1] <= data.count - bodyStart, count <= Int.max / width,
        offsets[1] - offsets[0] == count * width
      else {
        throw WeightsError.corrupt(path: url.path, reason: "tensor '\(key)' is truncated or its offsets are wrong")
      }
      let bytes = data.subdata(in: (bodyStart + offsets[0])..<(bodyStart + offsets[1]))
      switch dtype {
      case "F32":
        var values = [Float](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
        result[key] = .float(Tensor(shape: shape, scalars: values.map { Float(bitPattern: $0.bitPattern.littleEndian) }))
      case "F64":
        var values = [Double](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
        result[key] = .float(Tensor(shape: shape, scalars: values.map { Float($0) }))
      default:
        var values = [Int64](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
        result[key] = .int64(shape: shape, values: values.map { Int64(littleEndian: $0) })
      }
    }
    return (result, header["__metadata__"] as? [String: String] ?? [:])
  }

  /// Writes tensors (keys sorted, as the reference implementation does) atomically.
  public static func write(_ entries: [(String, Entry)], metadata: [String: String] = [:], to url: URL) throws {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var body = Data()
    for (key, entry) in entries.sorted(by: { $0.0 < $1.0 }) {
      let begin = body.count
      switch entry {
      case .float(let tensor):
        tensor.scalars.withUnsafeBytes { body.append(contentsOf: $0) }
        header[key] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [begin, body.count]]
      case .int64(let shape, let values):
        values.withUnsafeBytes { body.append(contentsOf: $0) }
        header[key] = ["dtype": "I64", "shape": shape, "data_offsets": [begin, body.count]]
      }
    }
    var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while headerData.count % 8 != 0 { headerData.append(0x20) }  // pad with spaces
    var file = Data()
    var length = UInt64(headerData.count).littleEndian
    withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
    file.append(headerData)
    file.append(body)
    try file.writeAtomically(to: url)
  }
}
