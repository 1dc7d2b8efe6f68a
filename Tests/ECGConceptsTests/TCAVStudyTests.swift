@testable import ECGConcepts
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation
import Testing

/// `TCAVStudy` on a tiny phantom cohort: the files it writes read back equal, its provenance names
/// the model and dataset, cohort errors are typed, and the one significance rule treats ties as
/// neither above nor below random.
@Suite struct TCAVStudyTests {
  /// 60 phantom records at 100 Hz in PTB-XL layout, in a temporary folder.
  static let data: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tcav-study-\(UUID().uuidString)")
    let cohort = try! PhantomCohort(PhantomConfig(recordCount: 60, seed: 4, rates: [100]))
    _ = try! PhantomWriter.write(cohort, to: root.appendingPathComponent("data"))
    return root
  }()

  static func model() throws -> Model {
    let model = try ModelZoo.make(ModelArchitecture(name: "lenet1d", inputChannels: 12, classes: 5, classNames: ["CD", "HYP", "MI", "NORM", "STTC"]))
    try model.loadWeights(from: ReferenceAgreementTests.fixtures.appendingPathComponent("ECGNet/lenet1d.safetensors"))
    return model
  }

  /// A feature table: `EVEN` on even ecg_ids, `value` = ecg_id; record 7 has no row.
  static func features(_ dataset: PTBXLDataset) -> (columns: [String], values: [Int: [String: Double]]) {
    var values: [Int: [String: Double]] = [:]
    for entry in dataset.entries where entry.ecgID != 7 {
      values[entry.ecgID] = ["EVEN": entry.ecgID % 2 == 0 ? 1 : 0, "value": Double(entry.ecgID)]
    }
    return (["ecg_id", "EVEN", "value"], values)
  }

  @Test func studyWritesFilesThatReadBackEqual() throws {
    let dataset = try PTBXLDataset.open(Self.data.appendingPathComponent("data"))
    let model = try Self.model()
    let table = Self.features(dataset)
    let settings = TCAVStudy.Settings(
      analysis: TCAVSettings(layers: ["sequential.9"], runs: 3, randomRuns: 4, maxInputs: 10, seed: 11),
      concepts: ["EVEN"], queries: "HIGH: value > 30\n", relative: [.init(concept: "EVEN", reference: "HIGH")])
    let study = try TCAVStudy(model: model, dataset: dataset, featureColumns: table.columns, featureValues: table.values, settings: settings)
    #expect(study.records.count == 59, "record 7 has no features")
    #expect(study.concepts.map(\.name) == ["EVEN", "HIGH"])
    #expect(study.concepts[0].members.allSatisfy { dataset.entries[study.records[$0]].ecgID % 2 == 0 })
    #expect(study.targets.map(\.name) == ["HYP", "CD", "MI"], "a superdiagnostic model's default targets")
    let output = try study.run()
    #expect(output.result.schemaVersion == TCAVResult.currentSchemaVersion)
    #expect(output.result.provenance.modelSHA256 == model.weightsSHA256)
    #expect(output.result.provenance.datasetSHA256 == dataset.indexSHA256)
    #expect(output.result.provenance.seed == 11)
    #expect(output.cavs["sequential.9"]?.keys.sorted() == ["EVEN", "EVEN vs HIGH", "HIGH"])

    let run = Self.data.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    try output.write(to: run)
    // tcav.json: the same result (every cell, the provenance) after a round trip.
    let read = try TCAVResult.read(from: run.appendingPathComponent("tcav.json"))
    #expect(read.cells == output.result.cells && read.accuracies == output.result.accuracies)
    #expect(read.provenance == output.result.provenance && read.schemaVersion == 1)
    // The CAV file: the CAVs as float32, the crop of the header; writing again gives the same bytes.
    let url = run.appendingPathComponent("concepts/cavs.safetensors")
    let stored = try CAVFile.read(url)
    #expect(stored.cropSamples == 250 && stored.metadata["classifier"] == "logistic" && stored.metadata["rate_hz"] == "100")
    #expect(stored.cavs == output.cavs.mapValues { $0.mapValues(CAVFile.Stored.init) })
    let bytes = try Data(contentsOf: url)
    try output.write(to: run)
    #expect(try Data(contentsOf: url) == bytes)
  }

  @Test func cohortErrorsAreTyped() throws {
    let dataset = try PTBXLDataset.open(Self.data.appendingPathComponent("data"))
    let model = try Self.model()
    let table = Self.features(dataset)
    func study(_ settings: TCAVStudy.Settings) throws {
      _ = try TCAVStudy(model: model, dataset: dataset, featureColumns: table.columns, featureValues: table.values, settings: settings)
    }
    #expect(throws: TCAVStudyError.unknownConceptColumn("ODD")) { try study(.init(concepts: ["ODD"])) }
    #expect(throws: TCAVStudyError.unknownTarget("LVH", classes: ["CD", "HYP", "MI", "NORM", "STTC"])) { try study(.init(targets: ["LVH"])) }
    #expect(throws: TCAVStudyError.invalidRelativePair("EVEN", "EVEN")) {
      try study(.init(concepts: ["EVEN"], relative: [.init(concept: "EVEN", reference: "EVEN")]))
    }
    #expect(throws: TCAVStudyError.noRecordWithFeatures) {
      _ = try TCAVStudy(model: model, dataset: dataset, featureColumns: table.columns, featureValues: [:], settings: .init())
    }
    #expect(throws: TCAVStudyError.cropTooLong(crop: 20, samples: 10)) {
      try TCAVStudy.centreCrop(Tensor(shape: [1, 12, 10], scalars: [Float](repeating: 0, count: 120)), samples: 20)
    }
  }

  @Test func theSignificanceRuleCountsTiesAsNeither() throws {
    func cell(significant: Bool, mean: Double, random: Double) -> TCAVResult.Cell {
      TCAVResult.Cell(
        concept: "C", layer: "L", target: "T", signCounts: [mean], magnitudes: [0], randomSignCounts: [random], meanSignCount: mean,
        randomMeanSignCount: random, t: nil, p: nil, pBonferroni: significant ? 0.001 : 0.5, cohensD: nil, significant: significant)
    }
    #expect(cell(significant: true, mean: 0.8, random: 0.5).significantDirection == .above)
    #expect(cell(significant: true, mean: 0.2, random: 0.5).significantDirection == .below)
    #expect(cell(significant: true, mean: 0.5, random: 0.5).significantDirection == nil, "a tie is neither ↑ nor ↓")
    #expect(cell(significant: false, mean: 0.9, random: 0.5).significantDirection == nil)
    #expect(TCAVResult.Cell.significantDirection(significant: true, meanSignCount: .nan, randomMeanSignCount: 0.5) == nil)
  }

  @Test func aFileWithoutSchemaVersionReadsAsVersionZero() throws {
    let json = """
      {"settings": {"layers": [], "runs": 2, "randomRuns": 2, "maxExamples": 100, "minExamples": 6, "maxInputs": 200,
        "classifier": "logistic", "holdOutFraction": 0.33, "alpha": 0.05, "seed": 0, "nullConcepts": 0, "equalVariances": false},
       "concepts": [], "skipped": {}, "layers": [], "targets": [], "cells": [], "accuracies": [], "bonferroniTests": 0}
      """
    let result = try JSONDecoder().decode(TCAVResult.self, from: Data(json.utf8))
    #expect(result.schemaVersion == 0 && result.provenance.ecgxaiVersion == "unknown" && result.provenance.modelSHA256 == nil)
  }
}
