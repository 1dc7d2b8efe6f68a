import ECGAudit
import ECGAuditStore
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// One audit of a run directory as `ecgxai audit` and the pipeline's audit step make it: opens the
/// model, the dataset, the rules and the phantom's truth, runs `AuditRun` (the whole run, or one
/// shard into RUN/audit/partial-i-of-n.sqlite) and writes RUN/results.sqlite, RUN/audit.json and
/// the manifest entry, printing what the command prints.
struct AuditJob {
  var runURL: URL
  /// Model path (directory, .onnx, .safetensors with `arch`).
  var model: String, arch: String?
  /// PTB-XL-layout data folder, sampling rate (Hz) and split (`all`, `test`, …).
  var data: URL, rate: Int, split: String
  /// `i/n`, or nil for the whole run.
  var shard: String?
  /// Rules file (nil: built-in), subgroup queries file and the features.csv they read.
  var rules: String?, subgroups: String?, features: URL
  /// Conditions (nil: the paper's the model has), reference class and output.
  var conditions: [String]?, reference: String, referenceOutput: String
  /// Group selection (`top` or `labelled`) and N.
  var selection: String, top: Int
  /// The attribution method with every parameter.
  var attribution: AttributionSpec
  /// `delineation` or `truth`.
  var segmentation: String
  /// Bootstrap resamples, significance level, seed.
  var bootstrap: Int, alpha: Double, seed: UInt64
  /// Records per batch.
  var batchSize: Int

  func perform() throws {
    let expertRules = try loadRules(rules)
    let loaded = try ModelOptions.load(model, arch: arch)
    guard let classes = loaded.architecture.classNames else {
      throw CLIError("the model has no class names (architecture.json classNames); train it with --classes or on `ecgxai export` output")
    }
    let queries = try subgroups.map { try loadQueries($0) }
    var settings = try makeSettings(classes: classes, model: loaded, queries: queries?.names ?? [])
    let options = DatasetOptions(data: data.path, rate: rate, folds: DatasetSplit.folds[split]!)
    try options.check(loaded)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    settings.datasetSHA256 = dataset.indexSHA256
    let part: AuditShard
    if let shard {
      guard let parsed = AuditShard(shard) else { throw CLIError("--shard must be i/n with 1 ≤ i ≤ n, e.g. 1/4; got '\(shard)'") }
      part = parsed
    } else {
      part = .whole
    }
    let records = try options.selection(dataset)
    let count = part.select(records).count
    guard count > 0 else { throw CLIError("no records in the \(split) split\(shard.map { " of shard \($0)" } ?? "")") }
    let hasTruth = FileManager.default.fileExists(atPath: data.appendingPathComponent("truth/evidence.csv").path)
    if segmentation == "truth" && !hasTruth { throw CLIError("--segmentation truth needs a phantom dataset (\(data.path)/truth/)") }
    let started = Date()
    print("audit \(runURL.path): \(count) records\(shard.map { " (shard \($0))" } ?? ""), \(attribution.method) on \(loaded.architecture.name), segmentation \(segmentation)")

    let label = part.description
    let partialURL = runURL.appendingPathComponent("audit/partial-" + label.replacingOccurrences(of: "/", with: "-of-") + ".sqlite")
    let writer = try AuditStore.PartialWriter(partialURL, settings: settings, shard: label)
    let audit = AuditRun(settings: settings, rules: expertRules, batchSize: batchSize, shard: part)
    let data = self.data
    let truth: AuditRun.TruthLoader? = hasTruth ? { try PhantomTruth(root: data, ecgIDs: $0) } : nil
    let subgroups = queries.map { AuditRun.SubgroupQueries(rules: $0, features: features) }
    if shard != nil {
      let outcome = try audit.attribute(
        model: loaded, dataset: dataset, records: records, truth: truth, subgroups: subgroups, into: writer, progress: show)
      print("wrote \(partialURL.path) (\(outcome.items) items) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; combine the shards with `ecgxai merge \(runURL.path)`")
      return
    }
    defer { try? FileManager.default.removeItem(at: partialURL) }
    let outcome = try audit.run(
      model: loaded, dataset: dataset, records: records, truth: truth, subgroups: subgroups, writer: writer, progress: show)
    try writeAuditResults(outcome.analysis, runURL: runURL)
    let (predictSeconds, attributeSeconds) = (outcome.attribution.predictSeconds, outcome.attribution.attributeSeconds)
    try recordInManifest(runURL, settings: settings, rules: rules, seconds: [
      "predict": predictSeconds, "attribute_and_segment": attributeSeconds, "total": Date().timeIntervalSince(started),
    ])
    print(String(format: "done in %.1f s (prediction %.1f s, attribution and segmentation %.1f s)", Date().timeIntervalSince(started), predictSeconds, attributeSeconds))
  }

  /// Prints the run's lines and progress bars.
  private func show(_ event: AuditRun.Progress) {
    switch event {
    case .line(let line): print(line)
    case .count(let done, let total): progress(done: done, total: total)
    }
  }

  /// The --subgroups rules, checked against the columns of the features file.
  private func loadQueries(_ path: String) throws -> ConceptRules {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the subgroups file \(path)") }
    guard let header = try? CSVTable(contentsOf: features, keepingRowsWhereFirstField: { _ in false }) else {
      throw CLIError("--subgroups needs \(features.path) (run `ecgxai features --data RUN/data --out \(features.path)` first)")
    }
    do { return try ConceptRules(text: text, known: Set(header.columns)) } catch let error as SignalError {
      throw CLIError("\(path): \(error.description)")
    }
  }

  private func makeSettings(classes: [String], model: Model, queries: [String]) throws -> AuditSettings {
    let chosen = conditions ?? AuditSettings.defaultConditions(classes: classes, reference: reference)
    for name in chosen + [reference] where !classes.contains(name) {
      throw CLIError("'\(name)' is not a class of the model (\(classes.joined(separator: ", ")))")
    }
    guard !chosen.isEmpty else { throw CLIError("--conditions is empty") }
    return AuditSettings(
      conditions: chosen, reference: reference, referenceOutput: referenceOutput, selection: selection, topN: top,
      attribution: attribution, segmentation: segmentation, rateHz: rate, classes: classes,
      model: "\(model.architecture.name) \(model.parameterCount) parameters", modelSHA256: model.weightsSHA256,
      bootstrapResamples: bootstrap, seed: seed, alpha: alpha, featureQueries: queries)
  }
}

/// Reads a rules file, or the built-in rules.
func loadRules(_ path: String?) throws -> ExpertRules {
  guard let path else { return ExpertRules.builtIn }
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the rules file \(path)") }
  return try ExpertRules(yaml: text, source: path)
}

/// Writes RUN/results.sqlite and RUN/audit.json of an analysis; prints the summary.
func writeAuditResults(_ analysis: AuditAnalysis, runURL: URL) throws {
  try AuditStore.writeFinal(runURL.appendingPathComponent("results.sqlite"), analysis: analysis)
  let summary = analysis.summary
  try summary.jsonData().writeAtomically(to: runURL.appendingPathComponent("audit.json"))
  printSummary(summary)
  print("wrote \(runURL.path)/results.sqlite and \(runURL.path)/audit.json")
}

/// Records the audit step in RUN/manifest.json: settings (segmentation source among them),
/// rules file, outputs, timings.
func recordInManifest(_ runURL: URL, settings: AuditSettings, rules: String?, seconds: [String: Double], shards: Int? = nil) throws {
  let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(settings))  // re-serialised sorted below
  var entry: [String: Any] = [
    "settings": json, "rules": rules ?? "built-in", "outputs": ["results.sqlite", "audit.json"], "timings_s": seconds,
  ]
  if let shards { entry["merged_shards"] = shards }
  try updateManifest(runURL, key: "audit", value: entry)
}
