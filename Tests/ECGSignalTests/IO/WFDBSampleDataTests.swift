import ECGSignal
import ECGTensor
import Foundation
import Testing

/// Real PhysioNet records from wfdb-python's sample-data (excerpts and small files verbatim,
/// written by tools/reference/wfdb_sample_check.py --fixtures) read as `wfdb.rdrecord` reads
/// them: every format, CRLF headers with comments and blank lines, skew, several samples per
/// frame, FLAC formats, fixed and variable multi-segment layouts, MATLAB 4 and 5 signal files.
@Suite struct WFDBSampleDataTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/ECGSignal/wfdb-sample")

  struct Expected: Decodable {
    var record: String
    var note: String
    var signals: Int?
    var samples: Int?
    var fs: Double?
    var lsb: [Double]?
    var lead_names: [String]?
    var same_as: String?
    var reference_beats: [Int]?
  }

  static let expected: [Expected] = {
    struct File: Decodable { var records: [Expected] }
    let url = directory.appendingPathComponent("expected.json")
    guard let data = try? Data(contentsOf: url) else { return [] }
    return (try? JSONDecoder().decode(File.self, from: data).records) ?? []
  }()

  @Test func fixturesArePresent() {
    #expect(Self.expected.count >= 14)
  }

  /// Samples equal wfdb-python's to well within one LSB (float32 rounding of large values aside:
  /// binformats' format-32 signal reaches 10⁷ mV), NaN where it has NaN.
  @Test(arguments: expected.map(\.record))
  func readsAsWfdbPythonReads(record name: String) throws {
    let entry = try #require(Self.expected.first { $0.record == name })
    let reference = try #require(Self.expected.first { $0.record == (entry.same_as ?? name) })
    let record = try WFDB.read(Self.directory.appendingPathComponent(name))
    let want = try NumPy.read(
      Self.directory.appendingPathComponent("\(reference.record).expected.npy"))
    #expect([record.leadCount, record.sampleCount] == want.shape, "\(entry.note)")
    #expect(record.samplingRateHz == reference.fs)
    guard [record.leadCount, record.sampleCount] == want.shape, let lsb = reference.lsb else {
      return
    }
    if let names = entry.lead_names { #expect(record.leadNames == names) }
    let n = record.sampleCount
    for lead in 0..<record.leadCount {
      var worst = 0.0
      var nanMismatch = 0
      for t in 0..<n {
        let (a, b) = (record.samples[lead * n + t], want.scalars[lead * n + t])
        if a.isNaN || b.isNaN {
          if a.isNaN != b.isNaN { nanMismatch += 1 }
          continue
        }
        let tolerance = 1e-3 * lsb[lead] + 1.2e-7 * Double(abs(b))
        worst = max(worst, Double(abs(a - b)) / tolerance)
      }
      #expect(nanMismatch == 0, "\(name) lead \(lead): NaN at other places")
      #expect(worst <= 1, "\(name) lead \(lead): off by \(worst) × the tolerance")
    }
  }

  @Test func mitBIH100HeaderAsShippedParses() throws {
    let text =
      "# unnecessary comment\n100 2 360 650000\r\n100.dat 212 200 11 1024 995 -22131 0 MLII\n"
      + "\r\n100.dat 212 200 11 1024 1011 20052 0 V5\r\n# 69 M 1085 1629 x1\r\n# Aldomet, Inderal\r\n"
    let header = try WFDBHeader(text: text, path: "100.hea")
    #expect(header.signals.map(\.description) == ["MLII", "V5"])
    #expect(header.sampleCount == 650000 && header.samplingFrequency == 360)
    #expect(header.signals.map(\.checksum) == [-22131, 20052] && header.signals[0].adcZero == 1024)
    #expect(header.comments == ["unnecessary comment", "69 M 1085 1629 x1", "Aldomet, Inderal"])
  }

  @Test func recordLineFieldsAndSignalFieldsAreKept() throws {
    let text =
      "03700181 3 125/1000(3) 75000 17:27:45 15/08/1994\r"
      + "03700181.dat 212x4 2963.77/mV 12 0 67 -11266 0 MCL1 \r"
      + "03700181.dat 212 12.84(-1605)/mmHg 12 0 -943 -23651 0 ABP \r"
      + "03700181.dat 212:4+6 2000 12 0 -304 6310 0 sig 2,  resp\r"
    let header = try WFDBHeader(text: text, path: "03700181.hea")
    #expect(
      header.counterFrequency == 1000 && header.baseTime == "17:27:45"
        && header.baseDate == "15/08/1994")
    #expect(header.signals.map(\.samplesPerFrame) == [4, 1, 1])
    #expect(header.signals[2].skew == 4 && header.signals[2].byteOffset == 6)
    #expect(header.signals[1].baseline == -1605 && header.signals[1].units == "mmHg")
    #expect(header.signals[2].description == "sig 2,  resp")
  }

  /// The first 10 s of MIT-BIH 100 (2 leads): every annotated beat is found within 150 ms, and
  /// nothing else.
  @Test func detectsTheAnnotatedBeatsOfMITBIH100() throws {
    let entry = try #require(Self.expected.first { $0.record == "100_excerpt" })
    let reference = try #require(entry.reference_beats)
    let record = try WFDB.read(Self.directory.appendingPathComponent("100_excerpt"))
    let peaks = try RPeakDetector().detect(record).samples
    let window = Int(0.150 * record.samplingRateHz)
    let matched = reference.filter { r in peaks.contains { abs($0 - r) <= window } }
    #expect(matched.count == reference.count, "found \(peaks), annotated \(reference)")
    #expect(peaks.count == reference.count)
  }

  /// A copy of fixture files into a fresh folder, with `header` as `NAME.hea` when given.
  func scratch(_ files: [String], header: (String, String)? = nil) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wfdb-sample-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for f in files {
      try FileManager.default.copyItem(
        at: Self.directory.appendingPathComponent(f), to: url.appendingPathComponent(f))
    }
    if let (name, text) = header {
      try text.write(
        to: url.appendingPathComponent("\(name).hea"), atomically: true, encoding: .utf8)
    }
    return url
  }

  func message(_ url: URL) -> String? {
    do {
      _ = try WFDB.read(url)
      return nil
    } catch { return "\(error)" }
  }

  @Test func truncatedSignalFileOfARealHeaderIsAnError() throws {
    let dir = try scratch(["100_excerpt.hea", "100_excerpt.dat"])
    let dat = dir.appendingPathComponent("100_excerpt.dat")
    try Data(contentsOf: dat).prefix(1000).write(to: dat)
    let text = message(dir.appendingPathComponent("100_excerpt"))
    #expect(
      text?.contains("100_excerpt.dat: signal file is truncated (1000 of 10800 bytes)") == true,
      "\(text ?? "read")")
  }

  @Test func damagedFLACStreamsAreErrorsNamingTheFile() throws {
    let files = ["flacformats.hea", "flacformats.d0", "flacformats.d1", "flacformats.d2"]
    let cut = try scratch(files)
    let d1 = cut.appendingPathComponent("flacformats.d1")
    try Data(contentsOf: d1).prefix(300).write(to: d1)
    let text = message(cut.appendingPathComponent("flacformats"))
    #expect(
      text?.contains("flacformats.d1: unsupported WFDB record: corrupt FLAC stream") == true,
      "\(text ?? "read")")
    let notFLAC = try scratch(files)
    try Data(repeating: 7, count: 100).write(to: notFLAC.appendingPathComponent("flacformats.d2"))
    #expect(
      message(notFLAC.appendingPathComponent("flacformats"))?.contains("no 'fLaC' marker") == true)
    // Two signals in a file holding one FLAC channel.
    let channels = try scratch(
      ["flacformats.d0"],
      header: (
        "c", "c 2 200 10\nflacformats.d0 508 200 8 0 0 0 0 A\nflacformats.d0 508 200 8 0 0 0 0 B\n"
      ))
    #expect(
      message(channels.appendingPathComponent("c"))?.contains("1 channels for 2 signals") == true)
  }

  @Test func multiSegmentRecordsThatCannotBeJoinedAreErrors() throws {
    // A segment that is itself multi-segment (here: the record itself).
    let nested = try scratch([], header: ("m", "m/2 1 125 20\n~ 10\nm 10\n"))
    #expect(
      message(nested.appendingPathComponent("m"))?.contains("is itself a multi-segment record")
        == true)
    // Null segments are NaN no file backs: a huge one is refused before any memory is taken.
    let huge = try scratch(
      ["041s01.hea", "041s01.dat"], header: ("h", "h/2 7 125\n041s01 1000\n~ 999999999999\n"))
    #expect(message(huge.appendingPathComponent("h"))?.contains("exceed the") == true)
    // Segment lengths that do not add up to the record's.
    let sum = try scratch(
      ["041s01.hea", "041s01.dat"], header: ("s", "s/1 7 125 2000\n041s01 1000\n"))
    #expect(
      message(sum.appendingPathComponent("s"))?.contains(
        "add up to 1000 samples, the record line says 2000") == true)
    // A path in a segment name.
    let path = try scratch([], header: ("p", "p/1 1 125 10\n../p 10\n"))
    #expect(message(path.appendingPathComponent("p"))?.contains("p.hea:2") == true)
  }

  @Test func compressedMATLABFilesAreRefusedWithWhatToDo() throws {
    var bytes = Data("MATLAB 5.0 MAT-file, compressed".utf8)
    bytes.append(Data(repeating: 0x20, count: 126 - bytes.count))
    bytes.append(
      contentsOf: Array("IM".utf8) + [15, 0, 0, 0, 8, 0, 0, 0] + [UInt8](repeating: 0, count: 8))
    let dir = try scratch([], header: ("c", "c 1 250 2\nc.mat 16+192 200/mV 16 0 0 0 0 I\n"))
    try bytes.write(to: dir.appendingPathComponent("c.mat"))
    let text = message(dir.appendingPathComponent("c"))
    #expect(text?.contains("compressed (MATLAB 7) MAT-file") == true, "\(text ?? "read")")
  }

  @Test func leadNamesAreMatchedToTheStandardLeads() throws {
    #expect(
      ["i", "AVR", "avr", "aVR", "MLII", " V5 ", "ECG lead II", "DIII"].map(
        ECGRecord.standardLeadName)
        == ["I", "AVR", "AVR", "AVR", "II", "V5", "II", "III"])
    #expect(
      ["V", "MCL1", "vx", "ABP", "V7"].map(ECGRecord.standardLeadName).allSatisfy { $0 == nil })
    // Two signals naming the same lead keep their own names (which one is II is not clear).
    let dir = try scratch(["100_excerpt.dat"])
    let header = try String(
      contentsOf: Self.directory.appendingPathComponent("100_excerpt.hea"), encoding: .utf8)
    try header.replacingOccurrences(of: " V5", with: " ii").write(
      to: dir.appendingPathComponent("100_excerpt.hea"), atomically: true, encoding: .utf8)
    #expect(try WFDB.read(dir.appendingPathComponent("100_excerpt")).leadNames == ["MLII", "ii"])
  }

  @Test func twelveStandardLeadsInStandardOrderOrAnErrorNamingTheLeads() throws {
    let ptb = try WFDB.read(Self.directory.appendingPathComponent("s0010_excerpt"))
      .standardTwelveLeads()
    #expect(ptb.leadNames == ECGRecord.standardLeadNames && ptb.sampleCount == 500)
    let mit = try WFDB.read(Self.directory.appendingPathComponent("100_excerpt"))
    #expect { try mit.standardTwelveLeads() } throws: { error in
      "\(error)".contains("record 100_excerpt has 2 leads (II, V5), not the 12 standard leads")
        && "\(error)".contains("missing: I, III, AVR")
    }
    #expect(try mit.selectingLeads(["mlii"]).leadNames == ["II"])
    #expect { try mit.selectingLeads(["V1"]) } throws: {
      "\($0)".contains("has no lead V1; its leads: II, V5")
    }
  }
}
