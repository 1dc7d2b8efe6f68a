import ECGAudit
import ECGAuditStore
import ECGDiscovery
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// The README's library example, as it is printed there: a phantom cohort, a classifier trained
/// with the paper's protocol, subtype discovery and a glocal audit — library calls only, no CLI,
/// no run directory. Kept small (150 records, 2 epochs) so it runs in seconds; the checks are the
/// ones a user would make of the results.
@Suite struct LibraryExampleTests {
  @Test func discoveryAndAuditWithoutTheCommandLine() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("library-example-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }

    // README: "Use the libraries" — begin
    // A phantom cohort in PTB-XL layout, with its ground truth (truth/).
    _ = try PhantomWriter.write(try PhantomCohort(PhantomConfig(recordCount: 150, seed: 1, rates: [100])), to: root)
    let dataset = try PTBXLDataset.open(root)

    // A classifier of the superdiagnostic classes: folds 1–8 train, 9 validation, 10 test.
    var configuration = TrainingConfiguration()
    configuration.epochs = 2
    configuration.seed = 1
    let training = TaskTraining(
      task: .superdiagnostic, training: ClassifierTraining(architecture: "lenet1d", configuration: configuration))
    let (model, evaluation) = try training.run(dataset: dataset, split: try training.split(dataset))

    // Subtypes of MI from beat-aligned |saliency| (the paper's discovery protocol).
    let discovery = try DiscoveryAnalysis(
      settings: DiscoverySettings(className: "MI", subtypes: ["AMI", "IMI"], inits: 2, seed: 1, stabilityResamples: 2)
    ).run(dataset: dataset, model: model, truth: try PhantomTruth(root: root))

    // A glocal audit of MI and HYP against the built-in expert rules, with ε-LRP.
    let settings = AuditSettings(
      conditions: ["MI", "HYP"], topN: 10, attribution: AttributionSpec(method: "lrp-epsilon", epsilon: 1e-3),
      classes: model.architecture.classNames ?? [], model: model.architecture.name,
      modelSHA256: model.weightsSHA256, datasetSHA256: dataset.indexSHA256, bootstrapResamples: 50, seed: 1)
    let audit = try AuditRun(settings: settings, rules: .builtIn).run(
      model: model, dataset: dataset, records: Array(dataset.entries.indices),
      truth: { try PhantomTruth(root: root, ecgIDs: $0) })
    for condition in audit.result.conditions {
      print(condition.condition, condition.fine.topCells.map(\.cell), condition.fine.rules?.enrichmentAUC ?? .nan)
    }
    // README: "Use the libraries" — end

    #expect(evaluation.classes == ["CD", "HYP", "MI", "NORM", "STTC"])
    #expect(evaluation.provenance.modelSHA256 == model.weightsSHA256)
    #expect(discovery.records > 0 && discovery.results.count == 18)
    #expect(discovery.provenance.modelSHA256 == model.weightsSHA256)
    #expect(audit.result.conditions.map(\.condition) == ["MI", "HYP"])
    #expect(audit.result.provenance.attribution?.method == "lrp-epsilon")
    #expect(audit.result.conditions.allSatisfy { $0.n == 10 && $0.fine.cells == 288 && $0.fine.topCells.count == 5 })
    // Both results say which model and which data made them, so they can be told apart later.
    #expect(discovery.provenance.datasetSHA256 == audit.result.provenance.datasetSHA256)
  }
}
