import ECGEvaluate
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// The sanity studies as a library: a tiny phantom cohort, one epoch, a few records.
@Suite struct SanityStudyTests {
  /// A 60-record phantom at 100 Hz in a fresh temporary folder.
  static func phantom() throws -> (root: URL, dataset: PTBXLDataset, truth: PhantomTruth) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ecgxai-sanity-\(UUID().uuidString)")
    _ = try PhantomWriter.write(try PhantomCohort(PhantomConfig(recordCount: 60, seed: 3, rates: [100])), to: root)
    return (root, try PTBXLDataset(root: root), try PhantomTruth(root: root))
  }

  @Test func regressionStudyFindsTheTrueQRSWindowAndRoundTrips() throws {
    let (root, dataset, truth) = try Self.phantom()
    defer { try? FileManager.default.removeItem(at: root) }
    var settings = SanitySettings()
    settings.task = .rPeak
    (settings.epochs, settings.records, settings.randomisationRecords, settings.bootstrap) = (1, 4, 2, 20)
    (settings.correlationRuns, settings.subsetSize, settings.perturbationSteps) = (4, 50, 3)
    settings.attributions = [AttributionSpec(method: "saliency")]
    var lines: [String] = []
    let outcome = try SanityStudy(settings: settings).run(
      dataset: dataset, amplitudeTable: root.appendingPathComponent("truth/unig_features.csv"), truth: truth) { event in
      if case .line(let line) = event { lines.append(line) }
    }
    let result = outcome.result
    // The QRS window of the truth's fiducials holds the R peak (0 ms) and is a few tens of ms wide.
    #expect(result.waveWindowMs[0] < 0 && result.waveWindowMs[1] > 0 && result.waveWindowMs[1] - result.waveWindowMs[0] <= 200,
            "QRS window \(result.waveWindowMs)")
    // The signal's own profile peaks at the R peak (±20 ms) on the −300…+500 ms cut.
    let peak = result.signalProfile.indices.max { result.signalProfile[$0] < result.signalProfile[$1] }!
    #expect(abs((peak - 30) * 10) <= 20, "signal profile peaks at \((peak - 30) * 10) ms")
    #expect(result.records.attributed == 4 && result.records.randomisation == 2)
    #expect(result.methods.map(\.method) == ["gradient"] && result.methods[0].provenance.attribution?.method == "saliency")
    #expect(result.methods[0].randomisation?.cascading.isEmpty == false && result.methods[0].dataRandomisation != nil)
    #expect(result.provenance.modelSHA256 == outcome.model.weightsSHA256 && result.schemaVersion == 1)
    #expect(lines.first?.hasPrefix("sanity R_Peak_Amplitude: lenet1d with 12 outputs") == true)
    // The file's keys are those `ecgxai sanity` always wrote, plus schema_version and provenance.
    let data = try result.jsonData()
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(Set(json.keys) == [
      "arch", "chance_share", "epochs", "feature_table", "methods", "profile_ms", "ranking", "ranking_checks", "records", "seconds",
      "seed", "settings", "signal_profile", "target_standardisation", "task", "test_mae_mV", "test_r2", "wave_window_ms",
      "schema_version", "provenance",
    ])
    let method = try #require((json["methods"] as? [[String: Any]])?.first)
    #expect(Set(method.keys) == [
      "data_randomisation", "data_randomisation_spearman", "deletion", "faithfulness", "faithfulness_correlation", "insertion", "method",
      "profile", "profile_peak_ms", "random_logit", "randomisation", "randomisation_independent", "share_in_wave_window",
      "share_in_wave_window_ci", "share_over_chance", "share_over_chance_ci", "spatial_specificity", "spatial_specificity_ci",
      "provenance",
    ])
    #expect(Set((method["deletion"] as? [String: Any])?.keys.map { $0 } ?? []) == ["zero", "lead-mean"])
    #expect(try JSONDecoder().decode(SanityResult.self, from: data) == result)
  }

  @Test func localisationStudyScoresEveryChosenRecord() throws {
    let (root, dataset, truth) = try Self.phantom()
    defer { try? FileManager.default.removeItem(at: root) }
    let classes = ["NORM", "MI", "STTC", "CD", "HYP"]
    let classifier = try ModelZoo.make(ModelArchitecture(name: "lenet1d", inputChannels: 12, classes: 5, classNames: classes), seed: 1)
    var settings = LocalisationSettings()
    (settings.records, settings.bootstrap) = (6, 20)
    settings.attributions = [AttributionSpec(method: "saliency")]
    let result = try LocalisationStudy(settings: settings).run(dataset: dataset, classifier: classifier, truth: truth)
    #expect(result.records > 0 && result.records <= 6)
    #expect(result.recordsPerCondition.values.reduce(0, +) == result.records)
    #expect(result.recordsPerClass.keys.allSatisfy(classes.contains))
    let all = result.methods[0].all
    #expect(all.n + all.unscored == result.records)
    #expect(all.chanceMass > 0 && all.chanceMass < 1, "an evidence mask covers part of the record")
    let mass = try #require(all.relevanceMassAccuracy)
    #expect(mass.estimate >= 0 && mass.estimate <= 1)
    let data = try result.jsonData()
    #expect(try JSONDecoder().decode(LocalisationResult.self, from: data) == result)
    // A classifier without class names cannot be asked about a finding.
    let unnamed = try ModelZoo.make("lenet1d", classes: 5)
    #expect(throws: SanityError.self) { try LocalisationStudy(settings: settings).run(dataset: dataset, classifier: unnamed, truth: truth) }
  }

  @Test func nonFiniteNumbersAreWrittenAsNull() throws {
    let interval: EmptyObjectIfNil<BootstrapCI.Interval> = EmptyObjectIfNil(wrappedValue: nil)
    #expect(String(data: try JSONEncoder().encode(interval), encoding: .utf8) == "{}")
    let numbers = NullIfNonFinite(wrappedValue: [1.5, .nan, .infinity])
    #expect(String(data: try JSONEncoder().encode(numbers), encoding: .utf8) == "[1.5,null,null]")
    let back = try JSONDecoder().decode(NullIfNonFinite<[Double]>.self, from: Data("[1.5,null]".utf8)).wrappedValue
    #expect(back.count == 2 && back[0] == 1.5 && back[1].isNaN)
  }
}
