import Foundation

/// The layout of the MATLAB matrix holding a WFDB record's samples: a MATLAB 4 file as the
/// PhysioNet/CinC Challenges write it (`val`, signals × samples, int16, after a 20-byte header
/// and the variable name — `NAME.mat 16+24` in the header), or an uncompressed MATLAB 5 file as
/// `wfdb2mat` writes it (`NAME.mat 16+192`).
struct MATLABMatrix: Equatable {
  /// Byte offset of the first element.
  var dataOffset: Int
  /// Rows and columns (MATLAB stores column-major).
  var rows: Int
  var columns: Int
  /// The WFDB format of the elements (16/61 for int16, 32 for int32, 80 for uint8).
  var format: WFDBFormat

  /// Reads the matrix header at the start of `data`; nil when `data` is no MATLAB file.
  /// - Throws: `WFDBError.unsupportedRecord` for a compressed MATLAB 7 file or elements that are
  ///   no WFDB format (double, single, uint16).
  static func parse(_ data: Data, path: String) throws -> MATLABMatrix? {
    if data.count >= 128, data.prefix(7).elementsEqual("MATLAB ".utf8) {
      return try parseVersion5(data, path: path)
    }
    guard data.count >= 20 else { return nil }
    func int32(_ i: Int, bigEndian: Bool) -> Int {
      let b = (0..<4).map { Int(data[data.startIndex + i + $0]) }
      let u =
        bigEndian
        ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
      return Int(Int32(truncatingIfNeeded: u))
    }
    for bigEndian in [false, true] {
      let type = int32(0, bigEndian: bigEndian)
      // type = M·1000 + O·100 + P·10 + T: M 0 little / 1 big endian, O 0, P precision, T 0 full.
      guard (0..<2000).contains(type), type / 1000 == (bigEndian ? 1 : 0), (type / 100) % 10 == 0,
        type % 10 == 0
      else { continue }
      let rows = int32(4, bigEndian: bigEndian)
      let columns = int32(8, bigEndian: bigEndian)
      let imaginary = int32(12, bigEndian: bigEndian)
      let nameLength = int32(16, bigEndian: bigEndian)
      guard rows > 0, columns > 0, imaginary == 0, (1...64).contains(nameLength),
        20 + nameLength <= data.count
      else { continue }
      let precision = (type / 10) % 10
      let format: WFDBFormat
      switch precision {
      case 2 where !bigEndian: format = .format32
      case 3: format = bigEndian ? .format61 : .format16
      case 5: format = .format80
      default:
        let names = [0: "double", 1: "single", 2: "big-endian int32", 4: "uint16"]
        throw WFDBError.unsupportedRecord(
          path: path,
          reason: "the MATLAB 4 matrix holds \(names[precision] ?? "precision \(precision)") "
            + "elements, which no WFDB format stores (int16, int32 or uint8 are read)")
      }
      return MATLABMatrix(dataOffset: 20 + nameLength, rows: rows, columns: columns, format: format)
    }
    return nil
  }

  /// A MATLAB 5 file: a 128-byte text header, then data elements; the first must be an
  /// uncompressed matrix (array flags, dimensions, name, real part) of int16, int32 or uint8.
  static func parseVersion5(_ data: Data, path: String) throws -> MATLABMatrix {
    func fail(_ reason: String) -> WFDBError { .unsupportedRecord(path: path, reason: reason) }
    let bytes = [UInt8](data.prefix(4096))
    let bigEndian: Bool
    switch (bytes[126], bytes[127]) {
    case (UInt8(ascii: "I"), UInt8(ascii: "M")): bigEndian = false
    case (UInt8(ascii: "M"), UInt8(ascii: "I")): bigEndian = true
    default: throw fail("a MAT-file header without the endian indicator IM/MI")
    }
    func uint32(_ i: Int) throws -> Int {
      guard i + 4 <= bytes.count else { throw fail("the MATLAB 5 matrix header is truncated") }
      let b = bytes[i..<(i + 4)].map(Int.init)
      return bigEndian
        ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
    }
    /// A tag at `i`: (type, byte count, where its data starts, where the next element starts).
    func tag(_ i: Int) throws -> (type: Int, size: Int, data: Int, next: Int) {
      let word = try uint32(i)
      if word >> 16 != 0 { return (word & 0xFFFF, word >> 16, i + 4, i + 8) }  // small element
      let size = try uint32(i + 4)
      return (word, size, i + 8, i + 8 + (size + 7) / 8 * 8)
    }
    let matrix = try tag(128)
    if matrix.type == 15 {
      throw fail(
        "a compressed (MATLAB 7) MAT-file; save it uncompressed (-v4 or -v6), or convert the record with wfdb2mat"
      )
    }
    guard matrix.type == 14 else { throw fail("the MAT-file's first element is not a matrix") }
    let flags = try tag(matrix.data)
    let dimensions = try tag(flags.next)
    guard dimensions.size == 8 else { throw fail("the MAT-file's matrix is not two-dimensional") }
    let rows = try uint32(dimensions.data)
    let columns = try uint32(dimensions.data + 4)
    let name = try tag(dimensions.next)
    let real = try tag(name.next)
    let format: WFDBFormat
    switch real.type {
    case 3: format = bigEndian ? .format61 : .format16
    case 5 where !bigEndian: format = .format32
    case 2: format = .format80
    default:
      throw fail(
        "the MAT-file's matrix holds elements of MATLAB type \(real.type), which no WFDB format "
          + "stores (int16, int32 or uint8 are read)")
    }
    let (elements, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard rows > 0, columns > 0, !overflow, real.size == elements * format.byteCount(samples: 1)
    else {
      throw fail("the MAT-file's matrix is \(rows) × \(columns) but holds \(real.size) bytes")
    }
    return MATLABMatrix(dataOffset: real.data, rows: rows, columns: columns, format: format)
  }
}
