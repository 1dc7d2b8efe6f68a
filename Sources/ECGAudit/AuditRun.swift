import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// The glocal audit of a model on a dataset, as a library call: predicts every record, selects
/// each target's group (the N highest-scored records, or every labelled one), attributes the
/// group members to their classes with `settings.attribution`, cuts every record into the 24 soft
/// segment classes per lead, streams the per-record cell aggregates into an `AuditPartWriter`
/// and, for a whole run, analyses them (`AuditAnalysis`): maps, tests against the reference group,
/// alignment with expert rules and true evidence.
///
/// A sharded run (`shard` i/n) attributes only the candidates among its records; the shards'
/// parts are combined with `AuditAnalysis(parts:rules:)`, which gives the same result as one run.
///
/// ```swift
/// let settings = AuditSettings(conditions: ["LVH"], classes: classes, model: "lenet1d",
///                              modelSHA256: model.weightsSHA256)
/// let outcome = try AuditRun(settings: settings, rules: .builtIn)  // .builtIn: ECGAuditStore
///   .run(model: model, dataset: dataset, records: Array(dataset.entries.indices))
/// print(outcome.result.conditions[0].fine.topCells)
/// ```
public struct AuditRun: Sendable {
  /// What the audit measures and how (targets, selection, attribution, segmentation, bootstrap).
  public var settings: AuditSettings
  /// The expert rules the maps are held against.
  public var rules: ExpertRules
  /// Records per prediction and attribution batch (memory; never changes the result).
  public var batchSize: Int
  /// Which part of the records this run takes (`AuditShard.whole` for a whole run).
  public var shard: AuditShard

  /// An audit of `settings` against `rules`.
  public init(settings: AuditSettings, rules: ExpertRules, batchSize: Int = 64, shard: AuditShard = .whole) {
    self.settings = settings
    self.rules = rules
    self.batchSize = max(1, batchSize)
    self.shard = shard
  }

  /// Opens the ground truth of the records with the given ecg_ids only (so memory stays flat),
  /// e.g. `{ try PhantomTruth(root: data, ecgIDs: $0) }`.
  public typealias TruthLoader = (Set<Int>) throws -> any RecordTruth

  /// Subgroups by feature queries: a `ConceptRules` file over the columns of a features.csv
  /// (`ecgxai features`); each query splits every group into records where it holds and the rest.
  public struct SubgroupQueries: Sendable {
    /// The queries (their names are `AuditSettings.featureQueries`).
    public var rules: ConceptRules
    /// The features.csv the queries are evaluated on (the attributed records' rows are read).
    public var features: URL

    /// Queries over a features file.
    public init(rules: ConceptRules, features: URL) {
      self.rules = rules
      self.features = features
    }
  }

  /// What a run reports while it works.
  public enum Progress: Sendable {
    /// A line for the user (the CLI prints it as it is).
    case line(String)
    /// `done` of `total` records of the current phase (prediction, then each attribution round).
    case count(done: Int, total: Int)
  }

  /// What `attribute` did.
  public struct PartOutcome {
    /// The part written (read back from the writer).
    public var part: any AuditPart
    /// Records predicted; (record, class) items attributed.
    public var records: Int, items: Int
    /// ecg_ids of records with NaN or infinite samples (in no group) and of records that could
    /// not be segmented (replaced in their groups by the next ones).
    public var unreadable: [Int], unsegmented: [Int]
    /// Seconds spent predicting and attributing (with segmentation).
    public var predictSeconds: Double, attributeSeconds: Double
  }

  /// What `run` did: the typed result (`audit.json`), the analysis (`results.sqlite`) and timings.
  public struct Outcome {
    /// The audit's result (`audit.json`).
    public var result: AuditResult
    /// The full analysis (what `AuditStore.writeFinal` stores in `results.sqlite`).
    public var analysis: AuditAnalysis
    /// The attribution phase's report.
    public var attribution: PartOutcome
  }

  /// Attributes this run's part and analyses it: the whole audit of `records`.
  /// - Parameters:
  ///   - model: the classifier; its class names must be `settings.classes`.
  ///   - dataset: the records (read at `settings.rateHz`).
  ///   - records: indices into `dataset.entries` (e.g. a split's); `shard` is applied to them.
  ///   - truth: opens the ground truth of a set of records (phantom); nil for real data.
  ///   - subgroups: feature queries (`settings.featureQueries` must be their names).
  ///   - writer: where the part is streamed (a SQLite file from ECGAuditStore); nil: in memory.
  /// - Throws: `AuditError.invalidSettings` (targets that are not model classes, an invalid
  ///   attribution spec, truth segmentation without truth), the dataset's and the truth's read
  ///   errors, `AuditError.incompatibleShards` when `shard` is not whole.
  public func run(
    model: Model, dataset: PTBXLDataset, records: [Int], truth: TruthLoader? = nil, subgroups: SubgroupQueries? = nil,
    writer: (any AuditPartWriter)? = nil, progress: (Progress) -> Void = { _ in }
  ) throws -> Outcome {
    let writer = writer ?? AuditStore.MemoryWriter(settings: settings, shard: shard.description)
    let part = try attribute(
      model: model, dataset: dataset, records: records, truth: truth, subgroups: subgroups, into: writer, progress: progress)
    let analysis = try AuditAnalysis(parts: [part.part], rules: rules)
    return Outcome(result: analysis.summary, analysis: analysis, attribution: part)
  }

  /// Predicts, selects, attributes and segments this run's part of `records` into `writer` (the
  /// partial result of a shard); `AuditAnalysis(parts:rules:)` analyses the parts.
  /// Parameters as `run`.
  public func attribute(
    model: Model, dataset: PTBXLDataset, records indices: [Int], truth: TruthLoader? = nil,
    subgroups: SubgroupQueries? = nil, into writer: any AuditPartWriter, progress: (Progress) -> Void = { _ in }
  ) throws -> PartOutcome {
    do {
      return try attributeOrFail(
        model: model, dataset: dataset, records: indices, truth: truth, subgroups: subgroups, into: writer, progress: progress)
    } catch {
      writer.abandon()
      throw error
    }
  }

  /// `attribute` without discarding the writer's part on failure.
  private func attributeOrFail(
    model: Model, dataset: PTBXLDataset, records indices: [Int], truth: TruthLoader?, subgroups: SubgroupQueries?,
    into writer: any AuditPartWriter, progress: (Progress) -> Void
  ) throws -> PartOutcome {
    try check(model: model, hasTruth: truth != nil)
    let indices = shard.select(indices)
    let classes = settings.classes
    let started = Date()

    // 1. Predictions of every record; the records' labels and demographics.
    let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    var records: [AuditRecordInfo] = []
    var unreadable: [Int] = []
    for s in stride(from: 0, to: indices.count, by: batchSize) {
      let chunk = Array(indices[s..<min(s + batchSize, indices.count)])
      let batch = try dataset.batch(chunk, rate: settings.rateHz)
      let logits = model.forward(batch)
      let perRecord = batch.shape[1] * batch.shape[2]
      for (row, index) in chunk.enumerated() {
        let entry = dataset.entries[index]
        // A record with NaN or infinite samples cannot be attributed: it joins no group.
        let finite = batch.scalars[(row * perRecord)..<((row + 1) * perRecord)].allSatisfy(\.isFinite)
        if !finite { unreadable.append(entry.ecgID) }
        // Its labels at every level a model's classes can be: SCP codes, subclasses, superclasses.
        let labels = dataset.labelsAtEveryLevel(entry)
        var scores: [String: Float] = [:]
        for target in settings.targets { scores[target] = logits.scalars[row * classes.count + classIndex[target]!] }
        records.append(AuditRecordInfo(
          ecgID: entry.ecgID, sex: entry.sex, age: entry.age, labels: classes.filter { labels.contains($0) },
          scores: finite ? scores : [:], segmented: finite ? nil : false))
      }
      progress(.count(done: chunk.count + s, total: indices.count))
    }
    let predictSeconds = Date().timeIntervalSince(started)
    if !unreadable.isEmpty {
      progress(.line("  \(unreadable.count) records have NaN or infinite samples and join no group: \(Self.ecgIDList(unreadable))"))
    }

    // 2–3. Candidates — this shard's groups (the global top N is within the union of the shards'
    // top N) — attributed and aggregated, streamed into the partial result. A record that cannot
    // be segmented leaves the groups and the next one moves up, so repeat until nothing is new.
    let position = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.ecgID, $0) })
    let attribution = settings.attribution.makeMethod(for: model)
    var done = Set<AuditItemKey>()
    var itemCount = 0
    var unsegmented: [Int] = []
    let attributeStart = Date()
    while true {
      let pending = AuditAnalysis.candidates(records, settings: settings).filter { !done.contains($0) }
      guard !pending.isEmpty else { break }
      done.formUnion(pending)
      var requests: [Int: [Int]] = [:]  // position in `records` → class indices
      for key in pending { requests[position[key.ecgID]!, default: []].append(classIndex[key.target]!) }
      let candidates = requests.keys.sorted()
      // The truth (and fiducials) of these records only: memory stays flat.
      let ids = Set(candidates.map { records[$0].ecgID })
      let known = try truth?(ids)
      for i in candidates { records[i].subtypes = known?.findings[records[i].ecgID]?.filter(\.planted).map(\.subtype) ?? [] }
      let source: SegmentationSource =
        settings.segmentation == "truth" ? .fiducials(try known!.fiducials(rate: settings.rateHz, ecgIDs: ids)) : .delineation
      let auditor = RecordAuditor(
        model: model, method: attribution, segmentation: source, truth: known, rate: Double(settings.rateHz),
        pointHalfWidth: settings.pointHalfWidth, jPointDelay: settings.jPointDelay)
      let predicted = "predicted \(records.count) records in \(String(format: "%.1f", predictSeconds)) s; "
      progress(.line("  \(done.count == pending.count ? predicted : "")attributing \(pending.count) (record, class) pairs"))
      for s in stride(from: 0, to: candidates.count, by: batchSize) {
        let chunk = Array(candidates[s..<min(s + batchSize, candidates.count)])
        let batch = try dataset.batch(chunk.map { indices[$0] }, rate: settings.rateHz)
        let result = try auditor.audit(batch: batch, ecgIDs: chunk.map { records[$0].ecgID }, requests: chunk.map { requests[$0]! })
        try writer.append(records: [], items: result.items)
        itemCount += result.items.count
        for i in chunk { records[i].segmented = true }
        for id in result.unsegmented { records[position[id]!].segmented = false }
        unsegmented += result.unsegmented
        progress(.count(done: s + chunk.count, total: candidates.count))
      }
    }
    if let subgroups { try Self.evaluate(subgroups, on: &records, members: Set(done.map(\.ecgID))) }
    if !unsegmented.isEmpty {
      progress(.line(
        "  \(unsegmented.count) records could not be segmented and were replaced in their groups by the next ones: \(Self.ecgIDList(unsegmented))"))
    }
    try writer.append(records: records, items: [])
    let part = try writer.finish()
    return PartOutcome(
      part: part, records: records.count, items: itemCount, unreadable: unreadable, unsegmented: unsegmented,
      predictSeconds: predictSeconds, attributeSeconds: Date().timeIntervalSince(attributeStart))
  }

  /// Refuses settings the model or the inputs cannot satisfy, before any work.
  func check(model: Model, hasTruth: Bool) throws {
    let names = model.architecture.classNames ?? []
    guard names == settings.classes else {
      throw AuditError.invalidSettings(
        reason: "the settings' classes (\(settings.classes.joined(separator: ", "))) are not the model's (\(names.joined(separator: ", ")))")
    }
    for name in settings.targets where !names.contains(name) {
      throw AuditError.invalidSettings(reason: "'\(name)' is not a class of the model (\(names.joined(separator: ", ")))")
    }
    if let problem = settings.attribution.validationProblem { throw AuditError.invalidSettings(reason: problem) }
    if settings.segmentation == "truth" && !hasTruth {
      throw AuditError.invalidSettings(reason: "segmentation 'truth' needs ground truth (a phantom dataset's truth/)")
    }
  }

  /// Evaluates the subgroup queries for the attributed records (their features.csv rows only).
  static func evaluate(_ queries: SubgroupQueries, on records: inout [AuditRecordInfo], members: Set<Int>) throws {
    let values = try FeatureTable.measuredValues(at: queries.features, keep: members.contains).values
    for i in records.indices where members.contains(records[i].ecgID) {
      guard let v = values[records[i].ecgID] else { continue }
      let result = queries.rules.evaluate(v)
      records[i].queries = Dictionary(uniqueKeysWithValues: queries.rules.names.map { ($0, result[$0] == true) })
    }
  }

  /// `ecg_id 1, 2, …` (the first ten).
  static func ecgIDList(_ ids: [Int]) -> String {
    "ecg_id " + ids.prefix(10).map(String.init).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
  }
}

/// One shard of a sharded audit: shard i of n takes every n-th record of the list, from the i-th
/// (1-based), so the shards partition the records.
public struct AuditShard: Sendable, Hashable, CustomStringConvertible {
  /// i (1…count) and n.
  public let index: Int, count: Int

  /// The whole run: shard 1 of 1.
  public static let whole = AuditShard(uncheckedIndex: 1, count: 1)

  /// Shard `index` of `count`; nil unless 1 ≤ index ≤ count.
  public init?(index: Int, count: Int) {
    guard count >= 1, (1...count).contains(index) else { return nil }
    self.init(uncheckedIndex: index, count: count)
  }

  /// Parses `i/n` (`2/4`); nil when it is not a valid shard.
  public init?(_ label: String) {
    let parts = label.split(separator: "/").compactMap { Int($0) }
    guard parts.count == 2 else { return nil }
    self.init(index: parts[0], count: parts[1])
  }

  private init(uncheckedIndex index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// `i/n`, the label stored in a partial result.
  public var description: String { "\(index)/\(count)" }

  /// The shard's elements of `elements`, in their order.
  public func select<T>(_ elements: [T]) -> [T] {
    elements.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
  }
}
