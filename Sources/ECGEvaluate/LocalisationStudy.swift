import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// What the localisation check does (`ecgxai sanity --localisation`'s options).
public struct LocalisationSettings: Codable, Sendable, Equatable {
  /// Test records to attribute, at most.
  public var records = 200
  /// The attribution methods compared, in order.
  public var attributions = ["saliency", "ig", "lrp-epsilon", "guided-gradcam"].map { AttributionSpec(method: $0) }
  /// Top-k size of the top-k intersection (samples of the 12 × 1000 map).
  public var topK = 120
  /// Bootstrap resamples of the 95 % confidence intervals (records resampled).
  public var bootstrap = 1000
  /// Seed of the bootstrap.
  public var seed: UInt64 = 0

  /// The default settings.
  public init() {}

  /// What is wrong with the settings, or nil.
  public var validationProblem: String? {
    if records < 1 || topK < 1 || bootstrap < 1 { return "records, top-k and bootstrap must be positive" }
    if attributions.isEmpty { return "no attribution method" }
    return attributions.lazy.compactMap(\.validationProblem).first
  }

  private enum CodingKeys: String, CodingKey { case records, attributions, topK = "top_k", bootstrap = "bootstrap_resamples", seed }
}

/// Localisation of a classifier's attributions against true evidence: every test record
/// (fold 10, up to `settings.records`) with a planted, labelled finding whose class (code,
/// subclass or superclass) the classifier has is attributed to that class by every method, and
/// |A| [12, 1000] is scored against the finding's evidence mask (lead × time, from the truth):
/// relevance mass and rank accuracy, pointing game, AUC, top-k intersection (Quantus's
/// definitions). Per method and condition: the mean of each metric with a percentile bootstrap
/// 95 % CI over records, and the mask's share of the record (the relevance mass a uniform map
/// would get); also per attributed class (all findings of a superclass together).
public struct LocalisationStudy: Sendable {
  /// The settings.
  public var settings: LocalisationSettings

  /// A study with `settings`.
  public init(settings: LocalisationSettings) { self.settings = settings }

  /// The five metrics, by their JSON names.
  public static let metrics = ["relevance_mass_accuracy", "relevance_rank_accuracy", "pointing_game", "auc", "top_k_intersection"]

  /// The test records (fold 10) of `dataset`: their ecg_ids, for reading only their truth.
  public static func testRecordIDs(_ dataset: PTBXLDataset) -> [Int] {
    dataset.entries.filter { $0.fold == 10 }.map(\.ecgID)
  }

  /// Runs the check of `classifier` (which must have class names) on `dataset`'s test records
  /// (10 s at 100 Hz) with the findings and evidence of `truth`. Progress lines and steps go to
  /// `progress`.
  public func run(
    dataset: PTBXLDataset, classifier: Model, truth: any RecordTruth, progress: (SanityProgress) -> Void = { _ in }
  ) throws -> LocalisationResult {
    let started = Date()
    let s = settings
    if let problem = s.validationProblem { throw SanityError("localisation settings: \(problem)") }
    let classes = classifier.architecture.classNames ?? []
    guard !classes.isEmpty else { throw SanityError("the classifier has no class names; --localisation needs them to find each record's class") }
    let test = dataset.entries.indices.filter { dataset.entries[$0].fold == 10 }
    let ids = test.map { dataset.entries[$0].ecgID }
    let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    // Records with a planted, labelled finding the model has a class for (as `ecgxai explain RUN`).
    var chosen: [(entry: Int, id: Int, code: String, target: Int)] = []
    for (entry, id) in zip(test, ids) where chosen.count < s.records {
      if let (code, target) = truth.plantedClass(ecgID: id, classIndex: classIndex) { chosen.append((entry, id, code, target)) }
    }
    guard !chosen.isEmpty else { throw SanityError("no test record has a planted, labelled finding among the classes \(classes.joined(separator: ", "))") }
    progress(.line("sanity localisation: \(classifier.architecture.name) (\(classes.joined(separator: ", "))) on \(chosen.count) test records with a planted finding"))
    let samples = 1000
    let masks = chosen.map { truth.evidenceMask(ecgID: $0.id, finding: $0.code, rate: 100, samples: samples) }
    let chance = masks.map { Double($0.filter { $0 > 0 }.count) / Double($0.count) }
    let conditions = Array(Set(chosen.map(\.code))).sorted()
    let targetClasses = Array(Set(chosen.map(\.target))).sorted()
    let datasetSHA256 = dataset.indexSHA256, modelSHA256 = classifier.weightsSHA256
    var results: [LocalisationResult.Method] = []
    for spec in s.attributions {
      let method = spec.makeMethod(for: classifier)
      // Per record: the five metrics (nil for an empty mask).
      var perRecord: [[String: Double]?] = []
      for start in stride(from: 0, to: chosen.count, by: 64) {
        let batch = Array(chosen[start..<min(start + 64, chosen.count)])
        let x = try dataset.batch(batch.map(\.entry), rate: 100)
        guard x.shape[2] == samples else { throw SanityError("--localisation expects 10 s records at 100 Hz (1000 samples), got \(x.shape[2])") }
        let values = try method.attribute(classifier, input: x, targets: batch.map(\.target)).values
        for offset in batch.indices {
          let a = Array(values.scalars[(offset * 12 * samples)..<((offset + 1) * 12 * samples)]), mask = masks[start + offset]
          // An empty mask, or an all-zero map (guided GradCAM can give one), has no score.
          guard let mass = Localisation.relevanceMassAccuracy(a, mask: mask, absolute: true), mass.isFinite else {
            perRecord.append(nil)
            continue
          }
          perRecord.append([
            "relevance_mass_accuracy": mass,
            "relevance_rank_accuracy": Localisation.relevanceRankAccuracy(a, mask: mask, absolute: true) ?? .nan,
            "pointing_game": Localisation.pointingGame(a, mask: mask, absolute: true) ?? .nan,
            "auc": Localisation.auc(a, mask: mask, absolute: true) ?? .nan,
            "top_k_intersection": Localisation.topKIntersection(a, mask: mask, k: min(s.topK, a.count), absolute: true) ?? .nan,
          ])
        }
        progress(.step(done: min(start + 64, chosen.count), total: chosen.count))
      }
      func summary(_ rows: [Int]) -> LocalisationResult.Summary {
        let scored = rows.filter { perRecord[$0] != nil }
        func interval(_ metric: String) -> BootstrapCI.Interval? {
          BootstrapCI.mean(scored.map { perRecord[$0]![metric]! }, resamples: s.bootstrap, seed: s.seed)
        }
        let massOverChance = scored.isEmpty ? nil : BootstrapCI.interval(rows: scored.count, resamples: s.bootstrap, seed: s.seed) { rows in
          rows.reduce(0.0) { $0 + perRecord[scored[$1]]!["relevance_mass_accuracy"]! } / rows.reduce(0.0) { $0 + chance[scored[$1]] }
        }
        return LocalisationResult.Summary(
          n: scored.count, unscored: rows.count - scored.count, relevanceMassAccuracy: interval("relevance_mass_accuracy"),
          relevanceRankAccuracy: interval("relevance_rank_accuracy"), pointingGame: interval("pointing_game"), auc: interval("auc"),
          topKIntersection: interval("top_k_intersection"),
          chanceMass: scored.isEmpty ? 0 : scored.map { chance[$0] }.reduce(0, +) / Double(scored.count), massOverChance: massOverChance)
      }
      var byCondition: [String: LocalisationResult.Summary] = [:], byClass: [String: LocalisationResult.Summary] = [:]
      for code in conditions { byCondition[code] = summary(chosen.indices.filter { chosen[$0].code == code }) }
      for k in targetClasses { byClass[classes[k]] = summary(chosen.indices.filter { chosen[$0].target == k }) }
      let all = summary(Array(chosen.indices))
      results.append(LocalisationResult.Method(
        method: method.name, provenance: Provenance(attribution: spec, modelSHA256: modelSHA256, datasetSHA256: datasetSHA256, seed: s.seed),
        conditions: byCondition, classes: byClass, all: all))
      let auc = all.auc?.estimate ?? .nan, mass = all.massOverChance?.estimate ?? .nan
      progress(.line("  " + method.name.padding(toLength: 16, withPad: " ", startingAt: 0)
        + String(format: " relevance mass %.2f× chance, AUC %.3f over all %d records", mass, auc, all.n)))
    }
    return LocalisationResult(
      schemaVersion: LocalisationResult.currentSchemaVersion,
      provenance: Provenance(modelSHA256: modelSHA256, datasetSHA256: datasetSHA256, seed: s.seed),
      model: classifier.architecture.name, classes: classes, records: chosen.count, conditions: conditions,
      recordsPerCondition: Dictionary(uniqueKeysWithValues: conditions.map { c in (c, chosen.filter { $0.code == c }.count) }),
      recordsPerClass: Dictionary(uniqueKeysWithValues: targetClasses.map { k in (classes[k], chosen.filter { $0.target == k }.count) }),
      targets: "the class of the record's planted, labelled finding (its code, subclass or superclass)",
      attribution: "absolute values (Quantus abs=True)", topK: s.topK, bootstrapResamples: s.bootstrap, confidenceLevel: 0.95,
      methods: results, seconds: Date().timeIntervalSince(started))
  }
}
