import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation
import Testing

/// `SplitAttribution` on a tiny phantom cohort: its attributions equal the method's own on the
/// same records and targets, it attributes each record to its planted finding when there is one,
/// and its relevance mass is the share of |attribution| inside the truth's evidence mask.
@Suite struct SplitAttributionTests {
  static let root: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ecgxai-split-attribution-\(getpid())")
    let cohort = try! PhantomCohort(PhantomConfig(recordCount: 24, seed: 3, rates: [100]))
    _ = try! PhantomWriter.write(cohort, to: url, overwrite: true)
    return url
  }()
  static let classes = ["CD", "HYP", "MI", "NORM", "STTC"]

  @Test func equalsTheMethodOnTheSameRecordsAndScoresEvidence() throws {
    let dataset = try PTBXLDataset(root: Self.root)
    let truth = try PhantomTruth(root: Self.root)
    let model = try ModelZoo.make(ModelArchitecture(name: "lenet1d", classes: 5, classNames: Self.classes), seed: 1)
    let indices = Array(dataset.entries.indices)
    let spec = AttributionSpec(method: "saliency", absolute: true)
    let settings = SplitAttribution(spec: spec, targets: [.findingOrPredicted, .index(2)], batchSize: 7)
    let (attributions, result) = try settings.attribute(model: model, records: .dataset(dataset, indices: indices), truth: truth)

    // The same records and targets through the method directly, in one batch.
    let x = try dataset.batch(indices, rate: 100)
    let ids = indices.map { dataset.entries[$0].ecgID }
    let classIndex = Dictionary(uniqueKeysWithValues: Self.classes.enumerated().map { ($1, $0) })
    let planted = ids.map { truth.plantedClass(ecgID: $0, classIndex: classIndex) }
    let predicted = predictedTargets(model.forward(x))
    let expectedTargets = planted.enumerated().map { $0.element?.target ?? predicted[$0.offset] }
    #expect(planted.contains { $0 != nil }, "the cohort has planted findings")
    #expect(result.targets[0] == expectedTargets)
    #expect(result.targets[1] == Array(repeating: 2, count: ids.count))
    #expect(result.ecgIDs == ids)
    let method = spec.makeMethod(for: model)
    for (stream, targets) in [expectedTargets, Array(repeating: 2, count: ids.count)].enumerated() {
      let direct = try method.attribute(model, input: x, targets: targets).values
      #expect(attributions[stream].shape == direct.shape)
      let worst = zip(attributions[stream].scalars, direct.scalars).map { abs($0 - $1) }.max() ?? .infinity
      #expect(worst <= 1e-5 * (direct.scalars.map(abs).max() ?? 1))
    }

    // The relevance mass: per finding, the mean share inside its evidence mask.
    var pairs: [String: [(inside: Double, chance: Double)]] = [:]
    let size = 12 * x.shape[2]
    for (r, found) in planted.enumerated() {
      guard let (code, _) = found else { continue }
      let mask = truth.evidenceMask(ecgID: ids[r], finding: code, rate: 100, samples: x.shape[2])
      let area = mask.reduce(0, +)
      guard area > 0 else { continue }
      let values = attributions[0].scalars[(r * size)..<((r + 1) * size)]
      var inside = 0.0, total = 0.0
      for (a, m) in zip(values, mask) { total += Double(abs(a)); if m > 0 { inside += Double(abs(a)) } }
      pairs[code, default: []].append((inside / total, Double(area) / Double(size)))
    }
    #expect(!pairs.isEmpty)
    #expect(Set(result.relevanceMass.keys) == Set(pairs.keys))
    for (code, list) in pairs {
      let mass = try #require(result.relevanceMass[code])
      #expect(mass.n == list.count)
      #expect(abs(mass.shareInside - list.map(\.inside).reduce(0, +) / Double(list.count)) < 1e-9)
      #expect(abs(mass.overChance - mass.shareInside / mass.chance) < 1e-9)
    }
    #expect(result.provenance.attribution == spec && result.provenance.modelSHA256 == model.weightsSHA256)
    #expect(result.schemaVersion == SplitAttributionResult.currentSchemaVersion)
  }
}
