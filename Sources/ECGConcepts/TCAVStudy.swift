import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// TCAV with ECG expert concepts on a PTB-XL-layout dataset — the whole protocol of
/// `ecgxai concepts` as a library object (Captum's `TCAV(...).interpret(...)`, scikit-learn's
/// construct-then-fit):
///
/// 1. `init` chooses the cohort: the records of the selected folds that have measured features,
///    the concepts (0/1 columns of the feature table — by default the paper's expert concepts
///    the table has — and `queries` rules over its columns), relative pairs, and the target
///    classes with their records (labels at every level of the SCP hierarchy).
/// 2. `run` runs `TCAVAnalysis` on the centre crops of those records (CAVs per layer and run,
///    random baseline, scores, tests) and returns the result with its provenance (model and
///    dataset SHA-256, seed) and the CAVs.
///
/// ```swift
/// let study = try TCAVStudy(model: model, dataset: dataset, featureColumns: columns,
///                           featureValues: values, settings: .init())
/// let output = try study.run()
/// try output.write(to: runDirectory)   // tcav.json, concepts/cavs.safetensors
/// ```
public struct TCAVStudy {
  /// The model (weights unchanged); its architecture must name its classes.
  public let model: Model
  /// The dataset the records come from.
  public let dataset: PTBXLDataset
  /// The settings.
  public let settings: Settings
  /// The record pool: indices into `dataset.entries` (selected folds, with measured features),
  /// in file order. Concept and target members are positions in this array.
  public let records: [Int]
  /// Expert concepts (feature columns) and query concepts, in that order.
  public let concepts: [ConceptExamples]
  /// Relative pairs (A, B), checked against `concepts`.
  public let relative: [(String, String)]
  /// The target classes (those given or the default ones) with their records.
  public let targets: [TCAVTarget]

  /// Chooses the cohort (step 1 above).
  /// - Parameters:
  ///   - featureColumns: the feature table's columns (`FeatureTable.measuredValues`).
  ///   - featureValues: numeric cells of its measured rows, by `ecg_id`; records without a row
  ///     are left out of the pool.
  /// - Throws: `TCAVStudyError` for a model without class names, unknown targets or concept
  ///   columns, invalid queries or relative pairs, no record with features;
  ///   `ConceptError` for invalid analysis settings or layers.
  public init(
    model: Model, dataset: PTBXLDataset, featureColumns: [String], featureValues: [Int: [String: Double]], settings: Settings
  ) throws {
    let targetNames = try Self.validate(settings, model: model)
    let classes = model.architecture.classNames!
    let pool = settings.records(in: dataset).filter { featureValues[dataset.entries[$0].ecgID] != nil }
    guard !pool.isEmpty else { throw TCAVStudyError.noRecordWithFeatures }
    let rows = pool.map { featureValues[dataset.entries[$0].ecgID]! }
    let conceptNames: [String]
    if let chosen = settings.concepts {
      for name in chosen where !featureColumns.contains(name) { throw TCAVStudyError.unknownConceptColumn(name) }
      conceptNames = chosen
    } else {
      conceptNames = ExpertConcepts.names.filter(featureColumns.contains)
    }
    var concepts = conceptNames.map { name in
      ConceptExamples(name: name, members: rows.indices.filter { (rows[$0][name] ?? 0) != 0 })
    }
    if let text = settings.queries {
      let rules: ConceptRules
      do { rules = try ConceptRules(text: text, known: Set(featureColumns)) } catch let error as SignalError {
        throw TCAVStudyError.invalidQueries(error.description)
      }
      let evaluated = rows.map(rules.evaluate)
      for name in rules.names { concepts.append(ConceptExamples(name: name, members: rows.indices.filter { evaluated[$0][name] == true })) }
    }
    let names = concepts.map(\.name)
    for pair in settings.relative where !(names.contains(pair.concept) && names.contains(pair.reference) && pair.concept != pair.reference) {
      throw TCAVStudyError.invalidRelativePair(pair.concept, pair.reference)
    }
    let labels = pool.map { dataset.labelsAtEveryLevel(dataset.entries[$0]) }
    self.model = model
    self.dataset = dataset
    self.settings = settings
    self.records = pool
    self.concepts = concepts
    self.relative = settings.relative.map { ($0.concept, $0.reference) }
    self.targets = targetNames.map { name in
      TCAVTarget(name: name, output: classes.firstIndex(of: name)!, members: pool.indices.filter { labels[$0].contains(name) })
    }
  }

  /// Checks settings against a model before any data is read, and returns the target classes.
  /// - Throws: `TCAVStudyError.noClassNames`, `.noTargets`, `.unknownTarget`, `.invalidCrop`;
  ///   `ConceptError` for invalid analysis settings or unknown layers.
  @discardableResult
  public static func validate(_ settings: Settings, model: Model) throws -> [String] {
    guard let classes = model.architecture.classNames else { throw TCAVStudyError.noClassNames }
    try settings.analysis.validate()
    try LayerProbe.validate(settings.analysis.layers, in: model)
    guard settings.cropSamples >= 0 else { throw TCAVStudyError.invalidCrop(settings.cropSamples) }
    return try targets(settings.targets, classes: classes)
  }

  /// The target classes: `chosen` checked against the model's classes, or the default ones.
  /// - Throws: `TCAVStudyError.unknownTarget`, `.noTargets` (an empty list).
  public static func targets(_ chosen: [String]?, classes: [String]) throws -> [String] {
    guard let chosen else { return defaultTargets(classes: classes) }
    for name in chosen where !classes.contains(name) { throw TCAVStudyError.unknownTarget(name, classes: classes) }
    guard !chosen.isEmpty else { throw TCAVStudyError.noTargets }
    return chosen
  }

  /// The default targets among a model's classes: the paper's LVH, CLBBB, ILBBB, IMI, AMI that
  /// it has; else HYP, CD, MI (a superdiagnostic model); else every class but NORM.
  public static func defaultTargets(classes: [String]) -> [String] {
    for preset in [["LVH", "CLBBB", "ILBBB", "IMI", "AMI"], ["HYP", "CD", "MI"]] {
      let present = preset.filter(classes.contains)
      if !present.isEmpty { return present }
    }
    return classes.filter { $0 != "NORM" }
  }

  /// Runs the protocol (step 2 above).
  /// - Parameter progress: called with a line per stage (loading, each layer group).
  /// - Returns: the result (with provenance: model and dataset SHA-256, seed) and the CAVs of
  ///   the expert, query and relative concepts.
  /// - Throws: `ConceptError` when no concept or target is usable; `TCAVStudyError.cropTooLong`;
  ///   `PTBXLError` when a record cannot be read.
  public func run(progress: ((String) -> Void)? = nil) throws -> Output {
    let (records, dataset, crop, rate) = (records, dataset, settings.cropSamples, settings.rateHz)
    let analysed = try TCAVAnalysis(model: model, settings: settings.analysis).run(
      poolSize: records.count, concepts: concepts, relative: relative, targets: targets,
      inputs: { positions in try Self.centreCrop(dataset.batch(positions.map { records[$0] }, rate: rate), samples: crop) },
      progress: progress)
    var result = analysed.result
    result.provenance.datasetSHA256 = dataset.indexSHA256
    return Output(
      result: result, cavs: analysed.cavs,
      metadata: CAVFile.Metadata(model: model, cropSamples: crop, classifier: settings.analysis.classifier, rateHz: rate))
  }

  /// The centre `samples` samples of every record of x [N, leads, T] (0 or T: x itself).
  /// - Throws: `TCAVStudyError.cropTooLong` when `samples` > T.
  public static func centreCrop(_ x: Tensor, samples length: Int) throws -> Tensor {
    let (n, leads, t) = (x.shape[0], x.shape[1], x.shape[2])
    if length == 0 || length == t { return x }
    guard length < t else { throw TCAVStudyError.cropTooLong(crop: length, samples: t) }
    let start = (t - length) / 2
    var out = [Float](repeating: 0, count: n * leads * length)
    for row in 0..<(n * leads) {
      for i in 0..<length { out[row * length + i] = x.scalars[row * t + start + i] }
    }
    return Tensor(shape: [n, leads, length], scalars: out)
  }
}
