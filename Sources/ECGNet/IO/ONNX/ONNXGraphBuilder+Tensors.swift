import Foundation

extension ONNXGraphBuilder {
  /// The values of an ONNX tensor (float, double, int32, int64 or bool), checked against its dims.
  func decode(_ tensor: Onnx_TensorProto, what: String) throws -> ConstantTensor {
    func bad(_ reason: String) -> ONNXError {
      current.name.isEmpty
        ? .invalidModel(path: path, reason: "\(what): \(reason)")
        : fail("\(what): \(reason)")
    }
    guard tensor.dataLocation != .external else {
      throw bad("its data is stored in an external file; export with all weights inside the .onnx file")
    }
    var count = 1
    for d in tensor.dims {
      guard d >= 0, d < (1 << 31) else { throw bad("invalid extent \(d) in dims \(tensor.dims)") }
      let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
      guard !overflow, product < (1 << 31) else { throw bad("dims \(tensor.dims) are too large") }
      count = product
    }
    let shape = tensor.dims.map { Int($0) }
    let raw = tensor.rawData
    func fromRaw<T>(_ width: Int, _ type: T.Type, _ convert: (T) -> Double) throws -> [Double]? {
      guard !raw.isEmpty else { return nil }
      guard raw.count == count * width else {
        throw bad("raw data has \(raw.count) bytes for \(count) values of \(width) bytes (dims \(tensor.dims))")
      }
      var values = [Double](repeating: 0, count: count)
      raw.withUnsafeBytes { bytes in
        for i in 0..<count { values[i] = convert(bytes.loadUnaligned(fromByteOffset: i * width, as: T.self)) }
      }
      return values
    }
    var values: [Double]
    var integer = false
    switch tensor.dataType {
    case 1:  // FLOAT
      values = try fromRaw(4, UInt32.self) { Double(Float(bitPattern: UInt32(littleEndian: $0))) } ?? tensor.floatData.map(Double.init)
    case 11:  // DOUBLE
      values = try fromRaw(8, UInt64.self) { Double(bitPattern: UInt64(littleEndian: $0)) } ?? tensor.doubleData
    case 7:  // INT64
      integer = true
      values = try fromRaw(8, Int64.self) { Double(Int64(littleEndian: $0)) } ?? tensor.int64Data.map(Double.init)
    case 6, 9:  // INT32, BOOL
      integer = true
      let width = tensor.dataType == 6 ? 4 : 1
      if width == 4 {
        values = try fromRaw(4, Int32.self) { Double(Int32(littleEndian: $0)) } ?? tensor.int32Data.map(Double.init)
      } else {
        values = try fromRaw(1, UInt8.self) { $0 == 0 ? 0 : 1 } ?? tensor.int32Data.map { $0 == 0 ? 0 : 1 }
      }
    default:
      throw bad("data type \(tensor.dataType) is not supported (float32, float64, int32, int64, bool)")
    }
    guard values.count == count else {
      throw bad("\(values.count) values for dims \(tensor.dims) (\(count) values)")
    }
    if !integer, values.contains(where: { !$0.isFinite || abs($0) > Double(Float.greatestFiniteMagnitude) }) {
      throw bad("contains NaN or infinite values")
    }
    return ConstantTensor(shape: shape, values: values, isInteger: integer)
  }
}
