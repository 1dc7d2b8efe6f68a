import ECGAudit
import ECGAuditStore
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// `AuditRun` as a library: a tiny phantom cohort, an untrained LeNet, no CLI.
@Suite struct AuditRunTests {
  static let classes = ["CD", "MI", "NORM"]

  /// A 60-record phantom at 100 Hz in a temporary folder, and a seeded (untrained) LeNet.
  static func cohort() throws -> (URL, PTBXLDataset, Model) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("auditrun-\(UUID().uuidString)")
    _ = try PhantomWriter.write(try PhantomCohort(PhantomConfig(recordCount: 60, seed: 11, rates: [100])), to: root)
    let model = try ModelZoo.make(
      ModelArchitecture(name: "lenet1d", classes: classes.count, classNames: classes, samplingRateHz: 100), seed: 3)
    return (root, try PTBXLDataset.open(root), model)
  }

  static func settings(_ model: Model, _ dataset: PTBXLDataset) -> AuditSettings {
    AuditSettings(
      conditions: ["MI"], topN: 6, attribution: AttributionSpec(method: "saliency", absolute: true, epsilon: 0.25),
      classes: classes, model: "lenet1d", modelSHA256: model.weightsSHA256, datasetSHA256: dataset.indexSHA256,
      bootstrapResamples: 20, seed: 7)
  }

  @Test func runSelectsTheTopScoredRecordsAndShardsGiveTheSameResult() throws {
    let (root, dataset, model) = try Self.cohort()
    defer { try? FileManager.default.removeItem(at: root) }
    let settings = Self.settings(model, dataset)
    let records = Array(dataset.entries.indices)
    let truth: AuditRun.TruthLoader = { try PhantomTruth(root: root, ecgIDs: $0) }
    let outcome = try AuditRun(settings: settings, rules: .builtIn, batchSize: 16)
      .run(model: model, dataset: dataset, records: records, truth: truth)

    // The typed result and its provenance.
    let result = outcome.result
    #expect(result.schemaVersion == AuditResult.currentSchemaVersion)
    #expect(result.provenance.modelSHA256 == model.weightsSHA256)
    #expect(result.provenance.datasetSHA256 == dataset.indexSHA256)
    #expect(result.provenance.attribution?.epsilon == 0.25)
    #expect(result.records == dataset.entries.count)
    let json = try JSONSerialization.jsonObject(with: result.jsonData()) as? [String: Any]
    #expect(json?["schema_version"] as? Int == 1)
    #expect((json?["settings"] as? [String: Any])?["modelSHA256"] as? String == model.weightsSHA256)

    // The MI group is the 6 records with the highest MI logit, computed here independently.
    let mi = Self.classes.firstIndex(of: "MI")!
    var scored: [(Int, Float)] = []
    for start in stride(from: 0, to: records.count, by: 16) {
      let chunk = Array(records[start..<min(start + 16, records.count)])
      let logits = model.forward(try dataset.batch(chunk, rate: 100))
      for (row, index) in chunk.enumerated() { scored.append((dataset.entries[index].ecgID, logits.scalars[row * Self.classes.count + mi])) }
    }
    let unsegmented = Set(outcome.attribution.unsegmented)
    let ranked = scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map(\.0).filter { !unsegmented.contains($0) }
    let group = outcome.analysis.groups["MI"] ?? []
    #expect(group.count == 6)
    #expect(group == Array(ranked.prefix(6)))
    let condition = try #require(result.conditions.first)
    #expect(condition.condition == "MI" && condition.n == 6)
    #expect(condition.fine.truth != nil, "the phantom's truth is scored")

    // Two shards merged give the same result as the whole run.
    var parts: [any AuditPart] = []
    for i in 1...2 {
      let shard = AuditShard(index: i, count: 2)!
      let writer = AuditStore.MemoryWriter(settings: settings, shard: shard.description)
      parts.append(try AuditRun(settings: settings, rules: .builtIn, batchSize: 16, shard: shard)
        .attribute(model: model, dataset: dataset, records: records, truth: truth, into: writer).part)
    }
    #expect(try AuditAnalysis(parts: parts, rules: .builtIn).summary == result)
  }

  @Test func mergeRefusesShardsOfModelsWithDifferentWeights() throws {
    let a = try ModelZoo.make(ModelArchitecture(name: "lenet1d", classes: 3, classNames: Self.classes), seed: 1)
    let b = try ModelZoo.make(ModelArchitecture(name: "lenet1d", classes: 3, classNames: Self.classes), seed: 2)
    #expect(a.weightsSHA256 != b.weightsSHA256)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auditmerge-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var parts: [any AuditPart] = []
    for (i, model) in [a, b].enumerated() {
      let settings = AuditSettings(conditions: ["MI"], classes: Self.classes, model: "lenet1d", modelSHA256: model.weightsSHA256)
      let url = folder.appendingPathComponent("partial-\(i + 1)-of-2.sqlite")
      try AuditStore.writePartial(url, settings: settings, shard: "\(i + 1)/2", records: [], items: [])
      parts.append(try AuditStore.readPartial(url))
    }
    do {
      _ = try AuditAnalysis(parts: parts, rules: .builtIn)
      Issue.record("shards of different models were merged")
    } catch let error as AuditError {
      let message = error.description
      #expect(message.contains(a.weightsSHA256) && message.contains(b.weightsSHA256), "\(message)")
      #expect(message.contains("partial-1-of-2.sqlite") && message.contains("partial-2-of-2.sqlite"), "\(message)")
      #expect(message.contains("shard 1/2") && message.contains("shard 2/2"), "\(message)")
    }
  }
}
