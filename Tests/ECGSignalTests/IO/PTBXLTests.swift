import ECGSignal
import ECGTensor
import Foundation
import Testing

/// The PTB-XL loader derives the six benchmark tasks' labels exactly as the PTB-XL benchmark code
/// does (fixture labels.json computed by tools/reference/wfdb_fixtures.py), and reads signals lazily.
@Suite struct PTBXLTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/ECGSignal/ptbxl")

  struct Expected: Decodable {
    var classes: [String]
    var ecg_ids: [Int]
    var matrix: [[Int]]
  }

  @Test(arguments: PTBXLDataset.Task.allCases)
  func labelsEqualTheBenchmarkCode(task: PTBXLDataset.Task) throws {
    let dataset = try PTBXLDataset(root: Self.root)
    let all = try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: Self.root.appendingPathComponent("labels.json")))
    let expected = try #require(all[task.rawValue])
    let labels = dataset.labels(task: task)
    #expect(labels.classes == expected.classes)
    #expect(labels.entryIndices.map { dataset.entries[$0].ecgID } == expected.ecg_ids)
    #expect(labels.matrix.scalars == expected.matrix.flatMap { $0.map(Float.init) })
  }

  @Test func likelihoodAndCountFilters() throws {
    let dataset = try PTBXLDataset(root: Self.root)
    // IMI is listed with likelihood 35 and NDT with 0: both count by default, not at ≥ 50.
    #expect(dataset.labels(task: .diagnostic).classes.contains("IMI"))
    let strict = dataset.labels(task: .diagnostic, minimumLikelihood: 50)
    #expect(!strict.classes.contains("IMI") && !strict.classes.contains("NDT"))
    // Every rhythm label but SR (4 records) occurs once.
    #expect(dataset.labels(task: .rhythm, minimumCount: 1).classes == ["SR"])
  }

  @Test func readsRecordsAndBatches() throws {
    let dataset = try PTBXLDataset(root: Self.root)
    #expect(dataset.entries.map(\.fold) == [10, 9, 10, 9, 10, 9])
    #expect(dataset.entries[1].scpCodes == ["IMI": 35, "ASMI": 100, "SR": 0])
    #expect(dataset.entries[0].height == nil && dataset.entries[0].weight == 70)
    let x = try dataset.batch([0, 2, 5])
    #expect(x.shape == [3, 12, 50])
    let single = try dataset.record(at: 2)
    #expect(Array(x.scalars[600..<1200]) == single.samples)
    #expect(throws: PTBXLError.self) { try dataset.batch([0], rate: 500) }
  }

  @Test func missingFilesAreNamed() {
    #expect { try PTBXLDataset(root: Self.root.appendingPathComponent("nope")) } throws: { error in
      (error as? PTBXLError)?.description.contains("ptbxl_database.csv") ?? false
    }
  }

  /// A copy of the fixture dataset whose `ptbxl_database.csv` line `line` (1 = header) has
  /// column `column` set to `value`.
  func copy(line: Int? = nil, column: Int = 0, value: String = "") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptbxl-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: Self.root, to: url)
    guard let line else { return url }
    let csv = url.appendingPathComponent("ptbxl_database.csv")
    var lines = try String(contentsOf: csv, encoding: .utf8).components(separatedBy: "\n")
    var fields = lines[line - 1].components(separatedBy: ",")
    fields[column] = value
    lines[line - 1] = fields.joined(separator: ",")
    try lines.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
    return url
  }

  /// The message of opening the dataset at `url`, or nil when it opens.
  func message(_ url: URL) -> String? {
    do {
      _ = try PTBXLDataset(root: url)
      return nil
    } catch { return "\(error)" }
  }

  @Test func duplicateECGIDIsRefusedWithBothLines() throws {
    let url = try copy(line: 4, column: 0, value: "2")
    defer { try? FileManager.default.removeItem(at: url) }
    let text = message(url)
    #expect(text?.contains("line 4: ecg_id 2 already appears on line 3") == true, "\(text ?? "opened")")
  }

  /// On line 3, ecg_id is field 0 and strat_fold field 9 (after the quoted scp_codes' two commas).
  @Test(arguments: [(0, "inf"), (0, "nan"), (0, "1e300"), (0, "2.5"), (9, "10.7"), (9, "inf"), (9, "")])
  func idAndFoldMustBeWholeNumbers(column: Int, value: String) throws {
    let url = try copy(line: 3, column: column, value: value)
    defer { try? FileManager.default.removeItem(at: url) }
    let text = message(url)
    #expect(text?.contains("line 3:") == true, "\(text ?? "opened")")
  }

  @Test func recordAtAnotherRateDoesNotJoinABatch() throws {
    let url = try copy()
    defer { try? FileManager.default.removeItem(at: url) }
    let header = url.appendingPathComponent("records100/00000/00003_lr.hea")
    let text = try String(contentsOf: header, encoding: .utf8)
    try text.replacingOccurrences(of: "00003_lr 12 100 50", with: "00003_lr 12 500 50").write(to: header, atomically: true, encoding: .utf8)
    let dataset = try PTBXLDataset(root: url)
    #expect { try dataset.batch([0, 1, 2]) } throws: { error in
      "\(error)".contains("ecg_id 3 (records100/00000/00003_lr) is sampled at 500 Hz, not 100 Hz")
    }
  }

  @Test func signalsThatAreNoVoltageDoNotJoinABatch() throws {
    let url = try copy()
    defer { try? FileManager.default.removeItem(at: url) }
    let header = url.appendingPathComponent("records100/00000/00002_lr.hea")
    let text = try String(contentsOf: header, encoding: .utf8)
    try text.replacingOccurrences(of: "/mV", with: "/mmHg").write(to: header, atomically: true, encoding: .utf8)
    let dataset = try PTBXLDataset(root: url)
    #expect { try dataset.batch([0, 1]) } throws: { error in "\(error)".contains("'mmHg', not a voltage") }
  }
}
