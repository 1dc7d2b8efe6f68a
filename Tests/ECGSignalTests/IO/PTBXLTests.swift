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
}
