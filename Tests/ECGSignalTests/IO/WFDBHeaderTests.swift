import ECGSignal
import Foundation
import Testing

/// Hostile WFDB headers (issue 22) are thrown errors naming the file, the line and the field —
/// never a crash, a hang or heap memory read as ECG — and voltages in other units read as mV.
@Suite struct WFDBHeaderTests {
  /// The message of parsing `text` as `r.hea`, or nil when it parses.
  func message(_ text: String) -> String? {
    do {
      _ = try WFDBHeader(text: text, path: "r.hea")
      return nil
    } catch { return "\(error)" }
  }

  /// A two-lead format-16 record of 10 samples (gain 1000/mV) written into a fresh folder.
  func writeRecord() throws -> (URL, ECGRecord) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wfdb-header-\(UUID().uuidString)")
    let record = ECGRecord(
      name: "r", leadNames: ["I", "II"], samplingRateHz: 100, samples: (0..<20).map { Float($0) / 10 - 1 })
    try WFDB.write(record, to: directory)
    return (directory, record)
  }

  /// Replaces `old` by `new` in the record's header.
  func editHeader(_ directory: URL, _ old: String, _ new: String) throws {
    let url = directory.appendingPathComponent("r.hea")
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.contains(old))
    try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
  }

  @Test(arguments: ["(", "/", "/500", "(0)", "inf", "nan", "-100"])
  func samplingFrequencyThatIsNoNumberIsAnError(field: String) {
    let text = message("r 1 \(field) 10\nr.dat 16 200 16 0 0 0 0 I\n")
    #expect(text?.contains("r.hea:1") == true && text?.contains("sampling frequency") == true, "\(text ?? "parsed")")
  }

  /// Fuzz finding (Fuzz/Crashes/wfdb/crash-3840…): a `)` before the `(` of the baseline made an
  /// inverted range; a zero-signal header (crash-e447…) one too.
  @Test(arguments: ["100.0)(0/mV", "100)x(3/mV", "100(/mV"])
  func gainFieldWithParenthesesOutOfOrderIsAnError(field: String) {
    let text = message("r 1 100 10\nr.dat 16 \(field) 16 0 0 0 0 I\n")
    #expect(text?.contains("r.hea:2") == true && text?.contains("gain") == true, "\(text ?? "parsed")")
  }

  @Test func headerWithoutSignalsParses() throws {
    #expect(try WFDBHeader(text: "r 0\n", path: "r.hea").signals.isEmpty)
  }

  @Test func sampleCountWhoseByteSizeOverflowsIsAnError() {
    let text = message("r 2 100 4611686018427387904\nr.dat 16 200 16 0 0 0 0 I\nr.dat 16 200 16 0 0 0 0 II\n")
    #expect(text?.contains("r.hea:1") == true && text?.contains("sample count") == true, "\(text ?? "parsed")")
  }

  @Test(arguments: ["16+-4", "16+-9223372036854775807", "16+x"])
  func negativeOrNonNumericByteOffsetIsAnError(format: String) {
    let text = message("r 1 100 10\nr.dat \(format) 200 16 0 0 0 0 I\n")
    #expect(text?.contains("r.hea:2") == true && text?.contains("byte offset") == true, "\(text ?? "parsed")")
  }

  @Test func byteOffsetPastTheFileIsTruncation() throws {
    let (directory, _) = try writeRecord()
    for offset in ["1000", "9223372036854775807"] {
      try editHeader(directory, "r.dat 16 ", "r.dat 16+\(offset) ")
      #expect(throws: WFDBError.self) { try WFDB.read(directory.appendingPathComponent("r")) }
      try editHeader(directory, "r.dat 16+\(offset) ", "r.dat 16 ")
    }
  }

  @Test func emptySignalFileWithNoSamplesReads() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wfdb-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try "r 1 100 0\nr.dat 16 200 16 0 0 0 0 I\n".write(to: directory.appendingPathComponent("r.hea"), atomically: true, encoding: .utf8)
    try Data().write(to: directory.appendingPathComponent("r.dat"))
    let record = try WFDB.read(directory.appendingPathComponent("r"))
    #expect(record.sampleCount == 0 && record.leadCount == 1)
  }

  @Test(arguments: [("uV", Float(0.001)), ("µV", 0.001), ("nV", 0.000001), ("V", 1000), ("mV", 1)])
  func voltagesAreReadInMillivolts(units: String, scale: Float) throws {
    let (directory, record) = try writeRecord()
    try editHeader(directory, "/mV", "/\(units)")
    let read = try WFDB.read(directory.appendingPathComponent("r"))
    #expect(read.units == ["mV", "mV"])
    let worst = zip(read.samples, record.samples).map { abs($0 - $1 * scale) }.max()!
    #expect(worst <= 1e-6 * max(1, scale))
  }

  @Test func otherUnitsAreCarriedUnchanged() throws {
    let (directory, _) = try writeRecord()
    let millivolts = try WFDB.read(directory.appendingPathComponent("r"))
    try editHeader(directory, "1000.0(0)/mV 16 0 -1000", "1000.0(0)/mmHg 16 0 -1000")
    let read = try WFDB.read(directory.appendingPathComponent("r"))
    #expect(read.units == ["mmHg", "mV"])
    #expect(read.samples == millivolts.samples)
  }
}
