@testable import ECGAudit
import ECGAuditStore
import ECGTensor
import Foundation
import Testing

/// The analysis finds planted cells, and sharded partial results merge into the same bytes.
@Suite struct AnalysisTests {
  /// Records 1…80: the 40 odd ones have condition "A" (score high, relevance raised in V5 R-Peak
  /// and V6 R-Peak, where their evidence lies), the even ones are "NORM".
  static func partial(shard: String = "1/1", ids: [Int] = Array(1...80)) -> AuditStore.Partial {
    let settings = AuditSettings(conditions: ["A"], reference: "NORM", topN: 30, classes: ["A", "NORM"], model: "test", bootstrapResamples: 50)
    let planted = [AuditCell(lead: 10, segment: .rPeak).index, AuditCell(lead: 11, segment: .rPeak).index]
    var records: [AuditRecordInfo] = []
    var items: [AuditItem] = []
    for id in ids {
      var rng = SeededRNG(seed: UInt64(id))
      let isA = id % 2 == 1
      records.append(AuditRecordInfo(
        ecgID: id, sex: id % 3 == 0 ? 1 : 0, age: Double(30 + id % 50), labels: [isA ? "A" : "NORM"],
        scores: ["A": Float(isA ? 2 : -2) + Float(id) / 1000, "NORM": Float(isA ? -2 : 2) + Float(id) / 1000]))
      for target in ["A", "NORM"] {
        var absolute = (0..<AuditLeads.cellCount).map { _ in Float(1 + rng.nextUniform()) }
        if isA && target == "A" { for cell in planted { absolute[cell] *= 4 } }
        let support = [Float](repeating: 1, count: AuditLeads.cellCount)
        let evidence = (0..<AuditLeads.cellCount).map { Float(isA && target == "A" && planted.contains($0) ? 1 : 0) }
        items.append(AuditItem(
          ecgID: id, target: target,
          relevance: CellRelevance(support: support, positive: absolute, negative: support.map { _ in 0 }, absolute: absolute, beats: Array(repeating: 10, count: 12)),
          evidence: evidence))
      }
    }
    return AuditStore.Partial(settings: settings, shard: shard, records: records, items: items)
  }

  static let rules = try! ExpertRules(yaml: "A:\n  cells:\n    - leads: [V5, V6]\n      segments: [R-Peak]\n")

  @Test func plantedCellsComeOutOnTop() throws {
    let analysis = try AuditAnalysis(parts: [Self.partial()], rules: Self.rules)
    let a = try #require(analysis.conditions.first?.summary)
    #expect(a.n == 30 && a.referenceN == 30 && a.labelled == 30)
    #expect(Set(a.fine.topCells.prefix(2).map(\.cell)) == ["V5 R-Peak", "V6 R-Peak"])
    let truth = try #require(a.fine.truth), rules = try #require(a.fine.rules)
    #expect(truth.cells == 2 && truth.enrichmentAUC == 1 && truth.significantCells == 2)
    #expect(rules.enrichmentAUC == 1 && rules.topFiveInSet == 2)
    #expect(a.fine.significantCells == 2, "only the planted cells differ from the reference")
    #expect(truth.relevanceShare > 3 * truth.chanceShare)
    let coarse = try #require(a.coarse.truth)
    #expect(coarse.cells == 2 && a.coarse.cells == 72 && Set(a.coarse.topCells.prefix(2).map(\.cell)) == ["V5 QRS", "V6 QRS"])
    #expect(coarse.enrichmentAUC == 1)
  }

  @Test func recordsThatCannotBeSegmentedLeaveTheirGroups() {
    var records = Self.partial().records
    let settings = Self.partial().settings
    let top = AuditAnalysis.select(records, target: "A", settings: settings)
    #expect(top.count == 30 && top.first == 79, "highest score first")
    records[78].segmented = false  // ecg_id 79
    let next = AuditAnalysis.select(records, target: "A", settings: settings)
    #expect(!next.contains(79) && next.count == 30 && next.last == 19, "the 31st moves up")
    let keys = AuditAnalysis.candidates(records, settings: settings)
    #expect(keys.count == 30 + 30 + 30, "A group, NORM group, and the NORM group attributed to A")
  }

  /// Hidden subtypes join the groups of every class their finding belongs to: ASMI variants the
  /// subclass AMI and the superclass MI, not IMI.
  @Test func subtypesJoinTheirSubclassAndSuperclass() {
    #expect(AuditAnalysis.subtype("ASMI/old/septal-qs", belongsTo: "ASMI"))
    #expect(AuditAnalysis.subtype("ASMI/old/septal-qs", belongsTo: "AMI"))
    #expect(AuditAnalysis.subtype("ILMI/acute", belongsTo: "MI"))
    #expect(!AuditAnalysis.subtype("ASMI/old/septal-qs", belongsTo: "IMI"))
    #expect(!AuditAnalysis.subtype("ASMI/old/septal-qs", belongsTo: "ASMI/old"))
    #expect(AuditAnalysis.subtype("X/variant", belongsTo: "X"), "codes the phantom does not know: by prefix")
    let records = [1: AuditRecordInfo(ecgID: 1, sex: 1, age: 50, labels: ["AMI"], scores: [:], subtypes: ["ASMI/old/poor-r-progression"])]
    let item = Self.partial().items[0]
    let maps = AuditAnalysis.subgroups(condition: "AMI", group: [AuditItem(ecgID: 1, target: "AMI", relevance: item.relevance, evidence: nil)], records: records)
    #expect(maps.contains { $0.kind == "subtype" && $0.value == "ASMI/old/poor-r-progression" && $0.n == 1 })
  }

  @Test func shardsMergeIntoTheSameBytes() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ecgxai-audit-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let whole = folder.appendingPathComponent("whole.sqlite"), merged = folder.appendingPathComponent("merged.sqlite")
    try AuditStore.writeFinal(whole, analysis: try AuditAnalysis(parts: [Self.partial()], rules: Self.rules))
    var parts: [any AuditPart] = []
    for i in 1...4 {
      let ids = Array(stride(from: i, through: 80, by: 4))
      let url = folder.appendingPathComponent("partial-\(i)-of-4.sqlite")
      let p = Self.partial(shard: "\(i)/4", ids: ids)
      try AuditStore.writePartial(url, settings: p.settings, shard: p.shard, records: p.records, items: p.items)
      parts.append(try AuditStore.readPartial(url))
    }
    try AuditStore.writeFinal(merged, analysis: try AuditAnalysis(parts: parts.reversed(), rules: Self.rules))
    #expect(try Data(contentsOf: whole) == Data(contentsOf: merged), "4 shards merged == unsharded, byte for byte")
    #expect(throws: AuditError.self) { try AuditAnalysis(parts: Array(parts.prefix(3)), rules: Self.rules) }
    #expect(throws: AuditError.self) { try AuditAnalysis(parts: parts + [parts[0]], rules: Self.rules) }
    #expect(throws: AuditError.self) { try AuditStore.readPartial(whole) }
  }
}
