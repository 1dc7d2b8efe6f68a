import ECGTensor
import Foundation

/// Errors reading or writing NumPy `.npy` files.
public enum NumPyError: Error, CustomStringConvertible {
  /// The file does not start with the `.npy` magic string or its header is malformed.
  case notNumPy(path: String, reason: String)
  /// The array's dtype cannot be read as numbers (e.g. strings, complex, objects).
  case unsupportedDType(path: String, dtype: String)
  /// The array is stored in Fortran (column-major) order.
  case fortranOrder(path: String)
  /// The data section is shorter than the header's shape says.
  case truncated(path: String, expectedBytes: Int, actualBytes: Int)
  /// A file could not be written.
  case unwritable(path: String, reason: String)

  public var description: String {
    switch self {
    case .notNumPy(let path, let reason): "\(path): not a NumPy .npy file (\(reason))"
    case .unsupportedDType(let path, let dtype):
      "\(path): dtype '\(dtype)' is not supported; save float32/float64/int32/int64 (np.save(path, x.astype(np.float32)))"
    case .fortranOrder(let path):
      "\(path): array is in Fortran order; save np.ascontiguousarray(x)"
    case .truncated(let path, let expected, let actual):
      "\(path): data is truncated (\(actual) of \(expected) bytes)"
    case .unwritable(let path, let reason): "\(path): cannot write (\(reason))"
    }
  }
}

/// NumPy `.npy` files (format versions 1.0–3.0), C order, little- or big-endian float32, float64,
/// int32, int64, int16, uint8 and bool, read as Float32 tensors; written as little-endian
/// float32 (`<f4`), version 1.0, atomically.
public enum NumPy {
  /// Reads an array as a Float32 tensor of the stored shape.
  public static func read(_ url: URL) throws -> Tensor {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw NumPyError.notNumPy(path: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    let layout = try layout(of: data, url: url)
    let (shape, kind, bigEndian, width, count) = (layout.shape, layout.kind, layout.bigEndian, layout.width, layout.count)
    let body = data.subdata(in: layout.bodyStart..<data.count)
    var values = [Float](repeating: 0, count: count)
    body.withUnsafeBytes { raw in
      func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
        let v = raw.loadUnaligned(fromByteOffset: i * width, as: T.self)
        return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
      }
      for i in 0..<count {
        switch kind {
        case "f4": values[i] = Float(bitPattern: load(UInt32.self, i))
        case "f8": values[i] = Float(Double(bitPattern: load(UInt64.self, i)))
        case "i4": values[i] = Float(load(Int32.self, i))
        case "u4": values[i] = Float(load(UInt32.self, i))
        case "i8": values[i] = Float(load(Int64.self, i))
        case "u8": values[i] = Float(load(UInt64.self, i))
        case "i2": values[i] = Float(load(Int16.self, i))
        case "u2": values[i] = Float(load(UInt16.self, i))
        case "i1": values[i] = Float(load(Int8.self, i))
        default: values[i] = Float(load(UInt8.self, i))
        }
      }
    }
    return Tensor(shape: shape, scalars: values)
  }

  /// Where a file's elements are and how they are stored.
  struct Layout {
    var shape: [Int], kind: String, bigEndian: Bool, width: Int, count: Int, bodyStart: Int
  }

  /// The layout a file's header announces, checked against the file's size.
  static func layout(of data: Data, url: URL) throws -> Layout {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard data.count >= 10, Array(data.prefix(6)) == magic else {
      throw NumPyError.notNumPy(path: url.path, reason: "missing \\x93NUMPY magic")
    }
    let major = data[data.startIndex + 6]
    let headerLength: Int
    let headerStart: Int
    if major == 1 {
      headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
      headerStart = 10
    } else if major == 2 || major == 3, data.count >= 12 {
      headerLength = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
      headerStart = 12
    } else {
      throw NumPyError.notNumPy(path: url.path, reason: "unknown format version \(major)")
    }
    guard headerStart + headerLength <= data.count,
      let header = String(data: data.subdata(in: headerStart..<(headerStart + headerLength)), encoding: major == 3 ? .utf8 : .isoLatin1)
    else { throw NumPyError.notNumPy(path: url.path, reason: "header is truncated") }
    guard let descr = field("descr", in: header), let order = field("fortran_order", in: header),
      let shapeText = field("shape", in: header)
    else { throw NumPyError.notNumPy(path: url.path, reason: "header lacks descr/fortran_order/shape: \(header)") }
    let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
    if order.trimmingCharacters(in: .whitespaces) == "True" { throw NumPyError.fortranOrder(path: url.path) }
    let shape = try Self.shape(shapeText, path: url.path)
    let bodyCount = data.count - (headerStart + headerLength)
    let bigEndian = dtype.hasPrefix(">")
    let kind = dtype.trimmingCharacters(in: CharacterSet(charactersIn: "<>=|"))
    let width: Int
    switch kind {
    case "f4", "i4", "u4": width = 4
    case "f8", "i8", "u8": width = 8
    case "i2", "u2": width = 2
    case "u1", "i1", "b1": width = 1
    default: throw NumPyError.unsupportedDType(path: url.path, dtype: dtype)
    }
    // Bounded by the file: a header whose size overflows or exceeds the data is refused before
    // anything is allocated.
    guard let count = elementCount(shape), !count.multipliedReportingOverflow(by: width).overflow else {
      throw NumPyError.notNumPy(path: url.path, reason: "shape \(shape) holds more elements than any file can")
    }
    guard bodyCount >= count * width else {
      throw NumPyError.truncated(path: url.path, expectedBytes: count * width, actualBytes: bodyCount)
    }
    return Layout(
      shape: shape, kind: kind, bigEndian: bigEndian, width: width, count: count, bodyStart: headerStart + headerLength)
  }

  /// Checks that `url` is a readable `.npy` file whose data are as long as its header says,
  /// without reading the data (the file is mapped); returns its shape.
  /// - Throws: `NumPyError` as `read`.
  public static func validate(_ url: URL) throws -> [Int] {
    let data: Data
    do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
      throw NumPyError.notNumPy(path: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    return try layout(of: data, url: url).shape
  }

  /// Writes a tensor as a little-endian float32 `.npy` (version 1.0) atomically.
  public static func write(_ tensor: Tensor, to url: URL) throws {
    var data = header(shape: tensor.shape)
    tensor.scalars.withUnsafeBytes { data.append(contentsOf: $0) }
    try data.writeAtomically(to: url)
  }

  /// The magic, version and header of a little-endian float32 C-order array of `shape`.
  static func header(shape: [Int]) -> Data {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    // Pad so that the data starts at a multiple of 64 bytes, ending with a newline.
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let length = UInt16(header.utf8.count)
    data.append(UInt8(length & 0xFF))
    data.append(UInt8(length >> 8))
    data.append(contentsOf: Array(header.utf8))
    return data
  }

  /// Writes a float32 `.npy` of a known shape piece by piece (e.g. attributions of a whole
  /// dataset, batch after batch) into a temporary file that `finish()` renames into place, so the
  /// array never has to fit in memory and an interrupted run leaves no half-written file.
  public final class StreamWriter {
    let url: URL
    let temporary: URL
    let handle: FileHandle
    let expected: Int
    var written = 0

    /// Starts a file of `shape` at `url`.
    public init(url: URL, shape: [Int]) throws {
      self.url = url
      temporary = AtomicFile.begin(url)
      guard FileManager.default.createFile(atPath: temporary.path, contents: NumPy.header(shape: shape)) else {
        AtomicFile.abandon(temporary)
        throw NumPyError.unwritable(path: temporary.path, reason: "cannot create the file")
      }
      handle = try FileHandle(forWritingTo: temporary)
      try handle.seekToEnd()
      expected = shape.reduce(1, *)
    }

    /// Appends values in C order.
    public func append(_ values: [Float]) throws {
      precondition(written + values.count <= expected, "NumPy.StreamWriter: more values than the shape holds")
      try values.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
      written += values.count
    }

    /// Closes the file and moves it into place; throws if fewer values than the shape holds were written.
    public func finish() throws {
      try handle.close()
      guard written == expected else {
        AtomicFile.abandon(temporary)
        throw NumPyError.unwritable(path: url.path, reason: "\(written) of \(expected) values written")
      }
      try AtomicFile.commit(temporary, to: url)
    }

    /// Removes the temporary file (after an error).
    public func abandon() {
      try? handle.close()
      AtomicFile.abandon(temporary)
    }
  }

  /// The extents of a header's shape tuple (`(12, 1000)`, `(5,)`, `()`), each a whole number ≥ 0.
  /// - Throws: `NumPyError.notNumPy` naming the token that is not.
  static func shape(_ text: String, path: String) throws -> [Int] {
    let tokens = text.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
      .split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    var shape: [Int] = []
    for (i, token) in tokens.enumerated() {
      // One trailing comma is Python's one-tuple `(5,)`.
      if token.isEmpty, i == tokens.count - 1, tokens.count > 1 || !text.contains(",") { continue }
      guard let extent = Int(token), extent >= 0 else {
        throw NumPyError.notNumPy(path: path, reason: "shape \(text): '\(token)' is not an extent ≥ 0")
      }
      shape.append(extent)
    }
    return shape
  }

  /// The product of `shape`, or nil when it overflows Int.
  static func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for extent in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// The text of a key's value in a NumPy header dict literal.
  private static func field(_ key: String, in header: String) -> String? {
    guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
    let rest = header[keyRange.upperBound...].drop { $0 == ":" || $0 == " " }
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { return nil }
      return String(rest[rest.startIndex...close])
    }
    let end = rest.firstIndex(of: ",") ?? rest.firstIndex(of: "}") ?? rest.endIndex
    return String(rest[..<end])
  }
}
