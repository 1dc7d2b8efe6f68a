import ECGSignal
import ECGTensor
import Foundation
import Testing

/// WFDB records written by wfdb-python read identically; what ecgxai writes reads back exactly,
/// byte-identically for the same input; corrupt records give the right error.
@Suite struct WFDBTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/ECGSignal/wfdb")

  func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wfdb-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test(arguments: ["fmt16", "fmt212", "fmt80"])
  func readsWfdbPythonRecords(name: String) throws {
    let record = try WFDB.read(Self.directory.appendingPathComponent(name))
    let expected = try NumPy.read(Self.directory.appendingPathComponent("\(name).p_signal.npy"))
    #expect([record.leadCount, record.sampleCount] == expected.shape)
    #expect(record.samplingRateHz == 100)
    #expect(record.leadNames.first == "S0")
    let worst = zip(record.samples, expected.scalars).map { abs($0 - $1) }.max()!
    #expect(worst <= 1e-6)
  }

  @Test(arguments: [WFDBFormat.format16, .format212, .format80, .format24, .format32])
  func roundTripsAndWritesByteIdentically(format: WFDBFormat) throws {
    let gain = format == .format80 ? 100.0 : 200.0
    let n = 37  // odd: exercises the last half pair of format 212
    let samples = (0..<(3 * n)).map { Float(sin(Double($0) * 0.37)) * 0.9 }
    var values = samples
    values[5] = .nan
    let record = ECGRecord(name: "rt", leadNames: ["I", "II", "V1"], samplingRateHz: 500, samples: values)
    let a = try temporaryDirectory()
    let b = try temporaryDirectory()
    try WFDB.write(record, to: a, format: format, gain: gain, baseline: 3)
    try WFDB.write(record, to: b, format: format, gain: gain, baseline: 3)
    for ext in ["hea", "dat"] {
      #expect(try Data(contentsOf: a.appendingPathComponent("rt.\(ext)")) == Data(contentsOf: b.appendingPathComponent("rt.\(ext)")))
    }
    let back = try WFDB.read(a.appendingPathComponent("rt"))
    #expect(back.leadNames == ["I", "II", "V1"] && back.samplingRateHz == 500 && back.sampleCount == n)
    #expect(back.samples[5].isNaN)
    for i in samples.indices where i != 5 {
      #expect(abs(back.samples[i] - samples[i]) <= Float(0.5 / gain) + 1e-6)
    }
  }

  @Test func reportsTruncatedData() throws {
    let dir = try temporaryDirectory()
    for ext in ["hea", "dat"] {
      try FileManager.default.copyItem(at: Self.directory.appendingPathComponent("fmt16.\(ext)"), to: dir.appendingPathComponent("fmt16.\(ext)"))
    }
    let dat = dir.appendingPathComponent("fmt16.dat")
    try Data(contentsOf: dat).prefix(100).write(to: dat)
    #expect { try WFDB.read(dir.appendingPathComponent("fmt16")) } throws: { error in
      guard case WFDBError.truncatedSignalFile(_, 4800, 100)? = error as? WFDBError else { return false }
      return true
    }
  }

  @Test func reportsChecksumMismatch() throws {
    let dir = try temporaryDirectory()
    for ext in ["hea", "dat"] {
      try FileManager.default.copyItem(at: Self.directory.appendingPathComponent("fmt16.\(ext)"), to: dir.appendingPathComponent("fmt16.\(ext)"))
    }
    let dat = dir.appendingPathComponent("fmt16.dat")
    var bytes = try Data(contentsOf: dat)
    bytes[0] ^= 0x10
    try bytes.write(to: dat)
    #expect { try WFDB.read(dir.appendingPathComponent("fmt16")) } throws: { error in
      guard case WFDBError.checksumMismatch(_, "S0", _, _)? = error as? WFDBError else { return false }
      return true
    }
  }

  @Test func reportsMalformedHeadersUnknownFormatsAndMissingFiles() throws {
    let dir = try temporaryDirectory()
    func header(_ text: String) throws -> URL {
      try text.write(to: dir.appendingPathComponent("h.hea"), atomically: true, encoding: .utf8)
      return dir.appendingPathComponent("h")
    }
    #expect { try WFDB.read(try header("h 2 100 10\nh.dat 16 200 16 0 0 0 0 I\n")) } throws: { error in
      guard case WFDBError.malformedHeader(_, 1, _)? = error as? WFDBError else { return false }
      return true
    }
    #expect { try WFDB.read(try header("h 1 100 10\nh.dat 16 abc 16 0 0 0 0 I\n")) } throws: { error in
      guard case WFDBError.malformedHeader(_, 2, _)? = error as? WFDBError else { return false }
      return true
    }
    #expect { try WFDB.read(try header("h 1 100 10\nh.dat 999 200 16 0 0 0 0 I\n")) } throws: { error in
      (error as? WFDBError) == .unsupportedFormat(path: dir.appendingPathComponent("h.hea").path, line: 2, format: 999)
    }
    #expect { try WFDB.read(try header("h 1 100 10\nh.dat 16 200 16 0 0 0 0 I\n")) } throws: { error in
      guard case WFDBError.missingSignalFile? = error as? WFDBError else { return false }
      return true
    }
    #expect { try WFDB.read(dir.appendingPathComponent("absent")) } throws: { error in
      guard case WFDBError.missingHeader? = error as? WFDBError else { return false }
      return true
    }
  }
}
