import ECGDiscovery
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// The discovery protocol as a library call: a small phantom cohort, a freshly initialised lenet,
/// no command line.
@Suite struct DiscoveryAnalysisTests {
  @Test func clustersAPhantomCohortAndRecordsItsProvenance() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    _ = try PhantomWriter.write(try PhantomCohort(PhantomConfig(recordCount: 160, seed: 7, rates: [100])), to: root)
    let dataset = try PTBXLDataset.open(root)
    let architecture = ModelArchitecture(name: "lenet1d", classes: 5, classNames: ["NORM", "MI", "STTC", "CD", "HYP"])
    let model = try ModelZoo.make(architecture, seed: 3)
    let settings = DiscoverySettings(
      className: "MI", subtypes: ["AMI", "IMI"], attribution: AttributionSpec(method: "saliency", absolute: true), clusters: 0,
      inits: 1, seed: 5, stabilityResamples: 2)
    var lines: [String] = []
    let result = try DiscoveryAnalysis(settings: settings).run(dataset: dataset, model: model, truth: try PhantomTruth(root: root)) {
      if case .line(let line) = $0 { lines.append(line) }
    }

    #expect(result.records == result.ecgIDs.count && result.records > 6)
    #expect(result.target == "MI" && result.leftOut >= 0)
    #expect(result.results.count == 18, "6 representations × gmm, k-means, ward")
    for clustering in result.results {
      #expect((2...6).contains(clustering.clusters), "k chosen in 2…6: \(clustering.clusters)")
      #expect(clustering.labels.count == result.records && clustering.clusterSizes.reduce(0, +) == result.records)
      #expect(clustering.labels.allSatisfy { (0..<clustering.clusters).contains($0) })
      #expect(Set(clustering.scores.keys) == Set(result.groupings.map(\.name)))
    }
    #expect(result.groupings.map(\.name).prefix(3) == ["subtypes", "planted subtype", "planted territory"])
    // Every record clustered is MI with exactly one of the subtypes.
    let byID = Dictionary(uniqueKeysWithValues: dataset.entries.map { ($0.ecgID, $0) })
    for id in result.ecgIDs {
      let labels = dataset.labelsAtEveryLevel(try #require(byID[id]))
      #expect(labels.contains("MI") && labels.intersection(["AMI", "IMI"]).count == 1)
    }
    #expect(result.provenance.modelSHA256 == model.weightsSHA256)
    #expect(result.provenance.datasetSHA256 == dataset.indexSHA256)
    #expect(result.provenance.attribution == settings.attribution && result.provenance.seed == 5)
    let rows = lines.filter { DiscoverySettings.representationNames.contains(String($0.prefix { $0 != " " })) }
    #expect(rows.count == 18 && lines.contains { $0.hasPrefix("representation ") }, "the table: heading and one row per clustering")

    // discovery.json: today's keys plus schema_version and provenance, and it reads back.
    let json = try JSONEncoder().encode(result)
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    #expect(Set(object.keys) == [
      "schema_version", "provenance", "class", "subtypes", "records", "left_out", "method", "target", "hidden_layer", "clusters",
      "whiten", "inits", "seed", "cut_samples", "results", "ecg_ids", "lead_names", "tsne_attribution", "figure_representation",
      "model", "seconds",
    ])
    let back = try JSONDecoder().decode(DiscoveryResult.self, from: json)
    #expect(back.schemaVersion == DiscoveryResult.currentSchemaVersion && back.ecgIDs == result.ecgIDs)
    #expect(back.results.map(\.labels) == result.results.map(\.labels))
  }

  @Test func tooSmallACohortIsATypedError() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    _ = try PhantomWriter.write(try PhantomCohort(PhantomConfig(recordCount: 12, seed: 2, rates: [100])), to: root)
    let dataset = try PTBXLDataset.open(root)
    let analysis = DiscoveryAnalysis(settings: DiscoverySettings(className: "MI", subtypes: ["AMI", "IMI"], split: .test))
    #expect(throws: DiscoveryError.self) { try analysis.cohort(in: dataset) }
    #expect(DiscoveryAnalysis.cohortProblem(in: dataset, settings: DiscoverySettings(className: "NOPE")) != nil)
  }
}
