import ECGAudit
import ECGConcepts
import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// What a discovery analysis reports while it runs (the command prints it).
public enum DiscoveryProgress {
  /// The cohort is chosen: e.g. `46 MI records (AMI 30, IMI 16), saliency of MI on lenet1d`.
  case cohort(String)
  /// Records whose representations are computed so far, of `total`.
  case records(done: Int, total: Int)
  /// Every representation, before it is clustered (to save them elsewhere).
  case representations([DiscoveryRepresentation])
  /// A line of the report: records left out, the score table's heading and rows.
  case line(String)
}

/// One representation of the clustered records: a [records, features] matrix (row-major).
public struct DiscoveryRepresentation: Sendable {
  /// The representation's name (`DiscoverySettings.representationNames`).
  public var name: String
  /// Records (rows).
  public var records: Int
  /// Features per record (columns).
  public var features: Int
  /// The values [records, features], row-major.
  public var values: [Double]
  /// The ecg_ids of the rows.
  public var ecgIDs: [Int]
  /// The known subtype of each row (`DiscoverySettings.subtypes`), nil without subtypes.
  public var subtypes: [String?]
}

/// Knowledge discovery (the paper's Discovery notebooks): the records of one class — with
/// exactly one of the known subtypes, or whose only diagnostic label is the class — are each
/// represented three ways (the beat-aligned attribution of the class, mean over beats of
/// −300…+500 ms around the R peaks, also L1-normalised, per lead and as the audit's lead ×
/// segment cell shares; the beat-aligned signal; the hidden features before the classifier
/// head), reduced by PCA and clustered by a Gaussian mixture, k-means++ and Ward. The clusters
/// are scored against the subtypes and, given a truth, the planted subtypes, stages and
/// territories (ARI, NMI, matched accuracy), with silhouette, bootstrap stability, prototypes and
/// the share of women per cluster. Definitions: docs/discovery.md.
public struct DiscoveryAnalysis: Sendable {
  /// The settings.
  public var settings: DiscoverySettings

  /// An analysis with these settings.
  public init(settings: DiscoverySettings) {
    self.settings = settings
  }

  /// Runs the analysis on `dataset` (records read at `settings.rateHz`) with `model`.
  /// - Parameters:
  ///   - truth: ground truth of the records (e.g. a phantom's `PhantomTruth`) to score against the
  ///     planted subtypes; nil for real data.
  ///   - progress: called with the cohort, the records done and the report's lines; what it
  ///     throws stops the analysis.
  /// - Throws: `DiscoveryError` (settings, target, too few records), `PTBXLError` reading records,
  ///   and what `progress` throws.
  public func run(
    dataset: PTBXLDataset, model: Model, truth: (any RecordTruth)?, progress: (DiscoveryProgress) throws -> Void = { _ in }
  ) throws -> DiscoveryResult {
    let started = Date()
    if let problem = settings.validationProblem { throw DiscoveryError.invalidSettings(problem) }
    let classes = model.architecture.classNames ?? []
    let fixedTarget = try targetIndex(classes: classes, statements: dataset.statements)
    let cohort = try self.cohort(in: dataset)
    try progress(.cohort(cohortSummary(cohort, target: fixedTarget.map { classes[$0] }, model: model)))

    let hiddenLayer = Self.hiddenLayer(model)
    let built = try representations(of: cohort, dataset: dataset, model: model, target: fixedTarget, hiddenLayer: hiddenLayer) {
      try progress(.records(done: $0, total: cohort.count))
    }
    if built.skipped > 0 { try progress(.line("  \(built.skipped) records without a usable beat or delineation were left out")) }
    let n = built.kept.count
    guard n > settings.minimumRecords else { throw DiscoveryError.tooFewUsableBeats(records: n) }
    let ids = built.kept.map { dataset.entries[$0.index].ecgID }
    let groupings = try knownGroupings(ids: ids, kept: built.kept, dataset: dataset, truth: truth, progress: progress)
    let female = built.kept.map { dataset.entries[$0.index].sex }  // PTB-XL: 1 = female
    let layers = built.layers()
    try progress(.representations(layers.map { layer in
      DiscoveryRepresentation(
        name: layer.name, records: n, features: layer.features, values: layer.values, ecgIDs: ids,
        subtypes: built.kept.map { $0.subtype.map { settings.subtypes[$0] } })
    }))
    let (results, figureScores) = try cluster(
      layers, heats: built.heats, beats: built.beats, groupings: groupings, female: female, progress: progress)
    let embedding = results.contains { $0.representation == settings.figureRepresentation && $0.algorithm == "gmm" }
      && n <= DiscoverySettings.wardLimit ? figureScores.map { TSNE.embed($0.scores, rows: n, features: $0.components) } : nil
    let before = 30 * settings.rateHz / 100, after = 50 * settings.rateHz / 100
    var result = DiscoveryResult(
      provenance: Provenance(attribution: settings.attribution, model: model, datasetSHA256: dataset.indexSHA256, seed: settings.seed),
      settings: settings, records: n, leftOut: built.skipped, target: fixedTarget.map { classes[$0] } ?? "predicted",
      hiddenLayer: hiddenLayer, cutSamples: [-before, after], results: results, ecgIDs: ids, leadNames: FeatureTable.leadNames,
      tsne: embedding, model: "\(model.architecture.name) \(model.parameterCount) parameters",
      seconds: Date().timeIntervalSince(started))
    result.groupings = groupings
    result.architectureName = model.architecture.name
    return result
  }

  /// The model output attributed: `settings.target` (nil for `predicted`), else the output that
  /// stands for the class.
  /// - Throws: `DiscoveryError.unknownTarget` when the target is not a class of the model.
  func targetIndex(classes: [String], statements: [String: PTBXLDataset.Statement]) throws -> Int? {
    if let target = settings.target {
      if target == "predicted" { return nil }
      guard let k = classes.firstIndex(of: target) else { throw DiscoveryError.unknownTarget(target, classes: classes) }
      return k
    }
    return Self.targetClass(for: settings.className, classes: classes, statements: statements)
  }

  /// `46 MI records (AMI 30, IMI 16), saliency of MI on lenet1d`.
  private func cohortSummary(_ cohort: [CohortMember], target: String?, model: Model) -> String {
    let names = settings.subtypes
    let counts = names.isEmpty ? "" : " (\(names.map { name in "\(name) \(cohort.filter { $0.subtype.map { names[$0] } == name }.count)" }.joined(separator: ", ")))"
    return "\(cohort.count) \(settings.className) records\(counts), \(settings.attribution.method) of \(target ?? "the predicted class") on \(model.architecture.name)"
  }

  /// The input of the classifier head: the output of the layer before the model's last layer.
  public static func hiddenLayer(_ model: Model) -> String {
    let layers = LayerProbe.defaultLayers(of: model)
    return layers.count >= 2 ? layers[layers.count - 2] : layers[0]
  }
}

/// The beat-aligned representations of the cohort's usable records.
struct BuiltRepresentations {
  /// The records kept (with a usable beat and delineation), in cohort order.
  var kept: [DiscoveryAnalysis.CohortMember] = []
  /// Beat-aligned attribution, signal, hidden features and cell shares, row-major per record.
  var heats: [Double] = [], beats: [Double] = [], hidden: [Double] = [], cells: [Double] = []
  /// Records left out.
  var skipped = 0

  /// The six representations (`DiscoverySettings.representationNames`): name, values, features.
  func layers() -> [(name: String, values: [Double], features: Int)] {
    let n = kept.count
    // Per-record normalised attribution (unit L1: where the relevance lies, not how much) and
    // its per-lead shares (12 values).
    let width = heats.count / n
    var normalised = heats, leadShares = [Double](repeating: 0, count: n * 12)
    for r in 0..<n {
      let total = heats[(r * width)..<((r + 1) * width)].reduce(0) { $0 + abs($1) }
      for i in 0..<width { normalised[r * width + i] = total > 0 ? heats[r * width + i] / total : 0 }
      for lead in 0..<12 {
        leadShares[r * 12 + lead] = normalised[(r * width + lead * width / 12)..<(r * width + (lead + 1) * width / 12)].reduce(0) { $0 + abs($1) }
      }
    }
    let layers: [(name: String, values: [Double], features: Int)] = [
      ("attribution", heats, width), ("attribution-l1", normalised, width), ("lead-share", leadShares, 12),
      ("cells", cells, cells.count / n), ("beat", beats, width), ("hidden", hidden, hidden.count / n),
    ]
    assert(layers.map(\.name) == DiscoverySettings.representationNames)
    return layers
  }
}

extension DiscoveryAnalysis {
  /// Attributes the cohort's records in batches of 64 and cuts each record's beats.
  func representations(
    of cohort: [CohortMember], dataset: PTBXLDataset, model: Model, target fixedTarget: Int?, hiddenLayer: String,
    done: (Int) throws -> Void
  ) throws -> BuiltRepresentations {
    let rate = settings.rateHz
    let attribution = settings.attribution.makeMethod(for: model)
    let before = 30 * rate / 100, after = 50 * rate / 100
    let auditor = RecordAuditor(model: model, method: attribution, segmentation: .delineation, truth: nil, rate: Double(rate))
    var built = BuiltRepresentations()
    for s in stride(from: 0, to: cohort.count, by: 64) {
      let chunk = Array(cohort[s..<min(s + 64, cohort.count)])
      let x = try dataset.batch(chunk.map(\.index), rate: rate)
      let (leads, length) = (x.shape[1], x.shape[2])
      let logits = model.forward(x)
      let targets = (0..<chunk.count).map { r in
        fixedTarget ?? (0..<logits.shape[1]).max { logits.scalars[r * logits.shape[1] + $0] < logits.scalars[r * logits.shape[1] + $1] }!
      }
      let a = try attribution.attribute(model, input: x, targets: targets).values
      let h = LayerProbe.activations(model, input: x, layers: [hiddenLayer])[0]
      for (r, item) in chunk.enumerated() {
        let signal = Array(x.scalars[(r * leads * length)..<((r + 1) * leads * length)])
        let attributionOfRecord = Array(a.scalars[(r * leads * length)..<((r + 1) * leads * length)])
        let ecgID = dataset.entries[item.index].ecgID
        let record = ECGRecord(name: "\(ecgID)", leadNames: FeatureTable.leadNames, samplingRateHz: Double(rate), samples: signal)
        guard let peaks = try? RPeakDetector().detect(record),
          let beat = BeatAlignedCut.mean(signal, leads: leads, rPeaks: peaks.samples, before: before, after: after),
          let heat = BeatAlignedCut.mean(attributionOfRecord, leads: leads, rPeaks: peaks.samples, before: before, after: after)
        else { built.skipped += 1; continue }
        // The audit's lead × segment cells: each cell's share of the record's |relevance|.
        guard let segmentation = auditor.segmentation(of: signal, ecgID: ecgID) else { built.skipped += 1; continue }
        let share = attributionOfRecord.withUnsafeBufferPointer { CellRelevance(attribution: $0, segmentation: segmentation) }.share
        built.cells += share.map { $0.isFinite ? Double($0) : 0 }
        built.kept.append(item)
        built.beats += beat
        built.heats += heat
        built.hidden += h.scalars[(r * h.shape[1])..<((r + 1) * h.shape[1])].map(Double.init)
      }
      try done(s + chunk.count)
    }
    return built
  }
}
