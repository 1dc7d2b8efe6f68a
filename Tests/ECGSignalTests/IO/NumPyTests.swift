import ECGSignal
import ECGTensor
import Foundation
import Testing

/// The .npy reader agrees with NumPy on every supported dtype and byte order, refuses what it
/// cannot read with a clear error, and what it writes NumPy-compatible readers read back.
@Suite struct NumPyTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/ECGSignal/npy")
  static let expected = (0..<24).map { Float($0) / 8 - 1 }

  @Test(arguments: ["f4.npy", "f8.npy", "f4_big_endian.npy", "f4_v2.npy"])
  func readsFloatArrays(file: String) throws {
    let tensor = try NumPy.read(Self.directory.appendingPathComponent(file))
    #expect(tensor.shape == [2, 3, 4])
    #expect(tensor.scalars == Self.expected)
  }

  @Test(arguments: ["i8.npy", "i2.npy"])
  func readsIntegerArrays(file: String) throws {
    let tensor = try NumPy.read(Self.directory.appendingPathComponent(file))
    #expect(tensor.scalars == Self.expected.map { $0 * 8 })
  }

  @Test func refusesFortranOrderAndStrings() {
    #expect(throws: NumPyError.self) { try NumPy.read(Self.directory.appendingPathComponent("fortran.npy")) }
    #expect(throws: NumPyError.self) { try NumPy.read(Self.directory.appendingPathComponent("strings.npy")) }
  }

  @Test func writeThenReadRoundTripsAndAlignsData() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).npy")
    defer { try? FileManager.default.removeItem(at: url) }
    let tensor = Tensor(shape: [2, 3, 4], scalars: Self.expected)
    try NumPy.write(tensor, to: url)
    #expect(try NumPy.read(url) == tensor)
    let bytes = try Data(contentsOf: url)
    #expect((bytes.count - 24 * 4) % 64 == 0, "data must start at a 64-byte boundary")
    // Same bytes as the NumPy-written float32 fixture.
    #expect(bytes == (try Data(contentsOf: Self.directory.appendingPathComponent("f4.npy"))))
  }

  @Test func truncatedFileIsAClearError() throws {
    let data = try Data(contentsOf: Self.directory.appendingPathComponent("f4.npy"))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tr-\(UUID().uuidString).npy")
    defer { try? FileManager.default.removeItem(at: url) }
    try data.prefix(data.count - 10).write(to: url)
    #expect(throws: NumPyError.self) { try NumPy.read(url) }
  }

  /// A version-1.0 file with header `{'descr': '<f4', 'fortran_order': False, 'shape': SHAPE, }`
  /// followed by `floats` float32 zeros.
  func file(shape: String, floats: Int) throws -> URL {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
    data.append(contentsOf: Array(header.utf8))
    data.append(Data(count: 4 * floats))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("shape-\(UUID().uuidString).npy")
    try data.write(to: url)
    return url
  }

  /// Negative extents, extents whose product overflows (it would wrap to a small count that
  /// passes the size check) and tokens that are no integer are errors naming the shape.
  @Test(arguments: [
    "(-1, 4)", "(4, -1)", "(4611686018427387904, 4)", "(4294967296, 4294967296, 2)", "(3, x)", "(3, 4.5)", "(3,, 4)",
  ])
  func malformedShapeIsAnError(shape: String) throws {
    let url = try file(shape: shape, floats: 12)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect { try NumPy.read(url) } throws: { error in
      guard let error = error as? NumPyError, case .notNumPy(_, let reason) = error else { return false }
      return reason.contains("shape")
    }
  }

  @Test(arguments: [("(12,)", [12]), ("(3, 4)", [3, 4]), ("()", []), ("(3, 4, )", [3, 4]), ("(0, 4)", [0, 4])])
  func wellFormedShapesRead(shape: String, expected: [Int]) throws {
    let url = try file(shape: shape, floats: 12)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(try NumPy.read(url).shape == expected)
    #expect(try NumPy.validate(url) == expected)
  }
}
