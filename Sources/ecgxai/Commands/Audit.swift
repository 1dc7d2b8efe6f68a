import ArgumentParser
import ECGExplain
import ECGAudit
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai audit`: the glocal audit of a run — relevance per lead × segment over the dataset,
/// tested against a reference group and held against expert rules.
struct Audit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Glocal audit: relevance per lead × ECG segment over the dataset, against expert rules, with statistics.",
    discussion: """
      The paper's protocol by default: for each condition the 100 records with the highest
      predicted score, |saliency| of that class, each record cut into the 24 soft segment classes
      per lead (P-Onset … tp) from ECGSignal's delineation (or --segmentation truth on the
      phantom), the weighted mean relevance per lead × class averaged into a 12 × 24 map with its
      top-5 cells. Then every cell's record-normalised relevance density is tested against the
      reference group (NORM; two-sided Mann-Whitney U as SciPy, Holm over the 288 cells,
      bootstrap 95 % CIs of the AUC), and the cells of the expert rule (--rules; built-in:
      `--write-rules FILE` prints them) and, on the phantom, of the true evidence are scored:
      enrichment AUC, mean rank, relevance share vs chance, significant cells. Definitions and
      the results schema: docs/audit.md.
      Writes RUN/results.sqlite and RUN/audit.json; with --shard i/n only the partial
      RUN/audit/partial-i-of-n.sqlite, which `ecgxai merge RUN` combines (same bytes as one run).
      Examples: ecgxai audit runs/demo --conditions MI,HYP,CD,STTC
                ecgxai audit runs/ptbxl --conditions LVH,CLBBB,IMI,AMI --shard 3/8
      """)

  @Argument(help: "Run directory (data/ and model/ inside).")
  var runDirectory: String?

  @Option(help: "Model: a directory, an ONNX file (.onnx) or a state dict (.safetensors, with --arch); default RUN/model.") var model: String?
  @Option(help: "With --model FILE.safetensors: the architecture of the state dict (lenet1d, xresnet1d18/34/50/101).") var arch: String?
  @Option(help: "PTB-XL-layout data folder; default RUN/data.") var data: String?
  @Option(help: "Conditions to audit (model class names, comma separated); default the paper's LVH, CLBBB, IMI, ASMI, AMI those the model has (all non-reference classes otherwise).")
  var conditions: String?
  @Option(help: "Reference group's class.") var reference = "NORM"
  @Option(help: "Output the reference records are attributed to: condition (each condition's own output, so a test compares the same function on both groups) or reference (the reference class's output, the paper's side-by-side maps).")
  var referenceOutput = "condition"
  @Option(help: "Group selection: top (the N records with the highest predicted score, the paper's) or labelled (every labelled record).")
  var select = "top"
  @Option(help: "N of --select top.") var top = 100
  @Option(help: "Attribution method (as ecgxai explain; saliency is |gradient|, the paper's).") var method = "saliency"
  @Option(help: "Segmentation: delineation (ECGSignal) or truth (the phantom's fiducials).") var segmentation = "delineation"
  @Option(help: "Records of the split all, test (fold 10), validation (9) or train (1–8).") var split = "all"
  @Option(help: "Sampling rate of the records, 100 or 500.") var rate = 100
  @Option(help: "Expert rules file (YAML); default the built-in rules.") var rules: String?
  @Option(help: "Write the built-in rules file here and exit.") var writeRules: String?
  @Option(help: "Subgroup queries: a rules file ('NAME: expression' per line over features.csv columns, docs/features.md); each splits every group into records where it holds and the rest.")
  var subgroups: String?
  @Option(help: "features.csv for --subgroups (from `ecgxai features`); default RUN/features.csv.") var features: String?
  @Option(help: "Only shard i of n (1-based) → RUN/audit/partial-i-of-n.sqlite.") var shard: String?
  @Option(help: "Bootstrap resamples of the AUC confidence intervals.") var bootstrap = 500
  @Option(help: "Significance level for counting cells (after Holm).") var alpha = 0.01
  @Option(help: "Seed of the bootstrap.") var seed: UInt64 = 0
  @Option(help: "Records per prediction batch.") var batchSize = 64

  func validate() throws {
    if writeRules != nil { return }
    guard runDirectory != nil else { throw ValidationError("give a run directory (or --write-rules FILE)") }
    guard ["top", "labelled"].contains(select) else { throw ValidationError("--select must be top or labelled") }
    guard top >= 1, bootstrap >= 0, batchSize >= 1, alpha > 0, alpha < 1 else {
      throw ValidationError("--top and --batch-size must be ≥ 1, --bootstrap ≥ 0, 0 < --alpha < 1")
    }
    guard ["condition", "reference"].contains(referenceOutput) else { throw ValidationError("--reference-output must be condition or reference") }
    guard ["delineation", "truth"].contains(segmentation) else { throw ValidationError("--segmentation must be delineation or truth") }
    try DatasetSplit.validate(split)
    guard AttributionSpec.methodNames.contains(method) else {
      throw ValidationError("unknown --method '\(method)'; choose one of \(AttributionSpec.methodNames.joined(separator: ", "))")
    }
  }

  func run() throws {
    if let writeRules {
      try Data(ExpertRules.defaultYAML.utf8).writeAtomically(to: try outputURL(writeRules))
      print("wrote the built-in expert rules to \(writeRules)")
      return
    }
    let runURL = URL(fileURLWithPath: runDirectory!)
    try prepareRunDirectory(runURL)
    let expertRules = try loadRules(rules)
    let loaded = try ModelOptions.load(model ?? runURL.appendingPathComponent("model").path, arch: arch)
    guard let classes = loaded.architecture.classNames else {
      throw CLIError("the model has no class names (architecture.json classNames); train it with --classes or on `ecgxai export` output")
    }
    let queries = try subgroups.map { try loadQueries($0, runURL: runURL) }
    let settings = try makeSettings(classes: classes, model: loaded, queries: queries?.names ?? [])
    let dataURL = URL(fileURLWithPath: data ?? runURL.appendingPathComponent("data").path)
    let folds = DatasetSplit.folds[split]!
    let options = DatasetOptions(data: dataURL.path, rate: rate, folds: folds)
    try options.check(loaded)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let indices = try selectShard(try options.selection(dataset), shard)
    guard !indices.isEmpty else { throw CLIError("no records in the \(split) split\(shard.map { " of shard \($0)" } ?? "")") }
    let hasTruth = FileManager.default.fileExists(atPath: dataURL.appendingPathComponent("truth/evidence.csv").path)
    if segmentation == "truth" && !hasTruth { throw CLIError("--segmentation truth needs a phantom dataset (\(dataURL.path)/truth/)") }
    let started = Date()
    print("audit \(runURL.path): \(indices.count) records\(shard.map { " (shard \($0))" } ?? ""), \(method) on \(loaded.architecture.name), segmentation \(segmentation)")

    // 1. Predictions of every record; the records' labels and demographics.
    let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    var records: [AuditRecordInfo] = []
    var unreadable: [Int] = []
    for s in stride(from: 0, to: indices.count, by: batchSize) {
      let chunk = Array(indices[s..<min(s + batchSize, indices.count)])
      let batch = try options.batch(dataset, chunk)
      let logits = loaded.forward(batch)
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
      progress(done: chunk.count + s, total: indices.count)
    }
    let predictSeconds = Date().timeIntervalSince(started)
    if !unreadable.isEmpty {
      print("  \(unreadable.count) records have NaN or infinite samples and join no group: \(ecgIDList(unreadable))")
    }

    // 2–3. Candidates — this shard's groups (the global top N is within the union of the shards'
    // top N) — attributed and aggregated, streamed into the partial result. A record that cannot
    // be segmented leaves the groups and the next one moves up, so repeat until nothing is new.
    let label = shard ?? "1/1"
    let partialURL = runURL.appendingPathComponent("audit/partial-" + label.replacingOccurrences(of: "/", with: "-of-") + ".sqlite")
    let writer = try AuditStore.PartialWriter(partialURL, settings: settings, shard: label)
    let position = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.ecgID, $0) })
    let attribution = AttributionSpec(method: method, absolute: true).makeMethod(for: loaded)
    var done = Set<AuditItemKey>()
    var itemCount = 0
    var unsegmented: [Int] = []
    let attributeStart = Date()
    do {
      while true {
        let pending = AuditAnalysis.candidates(records, settings: settings).filter { !done.contains($0) }
        guard !pending.isEmpty else { break }
        done.formUnion(pending)
        var requests: [Int: [Int]] = [:]  // position in `records` → class indices
        for key in pending { requests[position[key.ecgID]!, default: []].append(classIndex[key.target]!) }
        let candidates = requests.keys.sorted()
        // The phantom's truth (and fiducials) of these records only: memory stays flat.
        let ids = Set(candidates.map { records[$0].ecgID })
        let truth = hasTruth ? try PhantomTruth(root: dataURL, ecgIDs: ids) : nil
        for i in candidates { records[i].subtypes = truth?.findings[records[i].ecgID]?.filter(\.planted).map(\.subtype) ?? [] }
        let source: SegmentationSource =
          segmentation == "truth" ? .fiducials(try PhantomTruth.fiducials(root: dataURL, rate: rate, ecgIDs: ids)) : .delineation
        let auditor = RecordAuditor(
          model: loaded, method: attribution, segmentation: source, truth: truth, rate: Double(rate),
          pointHalfWidth: settings.pointHalfWidth, jPointDelay: settings.jPointDelay)
        print("  \(done.count == pending.count ? "predicted \(records.count) records in \(String(format: "%.1f", predictSeconds)) s; " : "")attributing \(pending.count) (record, class) pairs")
        for s in stride(from: 0, to: candidates.count, by: batchSize) {
          let chunk = Array(candidates[s..<min(s + batchSize, candidates.count)])
          let batch = try options.batch(dataset, chunk.map { indices[$0] })
          let result = try auditor.audit(batch: batch, ecgIDs: chunk.map { records[$0].ecgID }, requests: chunk.map { requests[$0]! })
          try writer.append(records: [], items: result.items)
          itemCount += result.items.count
          for i in chunk { records[i].segmented = true }
          for id in result.unsegmented { records[position[id]!].segmented = false }
          unsegmented += result.unsegmented
          progress(done: s + chunk.count, total: candidates.count)
        }
      }
      if let queries { try evaluateQueries(queries, on: &records, members: Set(done.map(\.ecgID)), runURL: runURL) }
      if !unsegmented.isEmpty {
        print("  \(unsegmented.count) records could not be segmented and were replaced in their groups by the next ones: \(ecgIDList(unsegmented))")
      }
      try writer.append(records: records, items: [])
      try writer.finish()
    } catch {
      writer.abandon()
      throw error
    }
    let attributeSeconds = Date().timeIntervalSince(attributeStart)
    if shard != nil {
      print("wrote \(partialURL.path) (\(itemCount) items) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; combine the shards with `ecgxai merge \(runDirectory!)`")
      return
    }

    // 4. The analysis (the same code `ecgxai merge` runs on shards).
    defer { try? FileManager.default.removeItem(at: partialURL) }
    try finish(runURL: runURL, parts: [try openPartial(partialURL.path)], rules: expertRules)
    try recordInManifest(runURL, settings: settings, rules: rules, seconds: [
      "predict": predictSeconds, "attribute_and_segment": attributeSeconds, "total": Date().timeIntervalSince(started),
    ])
    print(String(format: "done in %.1f s (prediction %.1f s, attribution and segmentation %.1f s)", Date().timeIntervalSince(started), predictSeconds, attributeSeconds))
  }

  /// The --subgroups rules, checked against the columns of the features file.
  private func loadQueries(_ path: String, runURL: URL) throws -> ConceptRules {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the subgroups file \(path)") }
    let table = featuresURL(runURL)
    guard let header = try? CSVTable(contentsOf: table, keepingRowsWhereFirstField: { _ in false }) else {
      throw CLIError("--subgroups needs \(table.path) (run `ecgxai features --data RUN/data --out \(table.path)` first)")
    }
    do { return try ConceptRules(text: text, known: Set(header.columns)) } catch let error as SignalError {
      throw CLIError("\(path): \(error.description)")
    }
  }

  private func featuresURL(_ runURL: URL) -> URL { URL(fileURLWithPath: features ?? runURL.appendingPathComponent("features.csv").path) }

  /// Evaluates the subgroup queries for the attributed records (their features.csv rows only).
  private func evaluateQueries(_ rules: ConceptRules, on records: inout [AuditRecordInfo], members: Set<Int>, runURL: URL) throws {
    let values = try FeatureTable.measuredValues(at: featuresURL(runURL), keep: members.contains).values
    for i in records.indices where members.contains(records[i].ecgID) {
      guard let v = values[records[i].ecgID] else { continue }
      let result = rules.evaluate(v)
      records[i].queries = Dictionary(uniqueKeysWithValues: rules.names.map { ($0, result[$0] == true) })
    }
  }

  private func makeSettings(classes: [String], model: Model, queries: [String]) throws -> AuditSettings {
    let chosen: [String]
    if let conditions {
      chosen = conditions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    } else {
      let paper = ["LVH", "CLBBB", "IMI", "ASMI", "AMI"].filter { classes.contains($0) }
      chosen = paper.isEmpty ? classes.filter { $0 != reference } : paper
    }
    for name in chosen + [reference] where !classes.contains(name) {
      throw CLIError("'\(name)' is not a class of the model (\(classes.joined(separator: ", ")))")
    }
    guard !chosen.isEmpty else { throw CLIError("--conditions is empty") }
    return AuditSettings(
      conditions: chosen, reference: reference, referenceOutput: referenceOutput, selection: select, topN: top, method: method, segmentation: segmentation,
      rateHz: rate, classes: classes, model: "\(model.architecture.name) \(model.parameterCount) parameters",
      bootstrapResamples: bootstrap, seed: seed, alpha: alpha, featureQueries: queries)
  }
}

/// Reads a rules file, or the built-in rules.
func loadRules(_ path: String?) throws -> ExpertRules {
  guard let path else { return ExpertRules.builtIn }
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the rules file \(path)") }
  do { return try ExpertRules(yaml: text, source: path) } catch let error as AuditError { throw CLIError(error.description) }
}

/// Analyses partial results and writes RUN/results.sqlite and RUN/audit.json; prints the summary.
func finish(runURL: URL, parts: [any AuditPart], rules: ExpertRules) throws {
  let analysis: AuditAnalysis
  do { analysis = try AuditAnalysis(parts: parts, rules: rules) } catch let error as AuditError { throw CLIError(error.description) }
  try AuditStore.writeFinal(runURL.appendingPathComponent("results.sqlite"), analysis: analysis)
  let summary = analysis.summary
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
  encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
  try encoder.encode(summary).writeAtomically(to: runURL.appendingPathComponent("audit.json"))
  printSummary(summary)
  print("wrote \(runURL.path)/results.sqlite and \(runURL.path)/audit.json")
}

/// Opens a partial result, turning failures into CLI errors.
func openPartial(_ path: String) throws -> AuditStore.PartialFile {
  do { return try AuditStore.readPartial(URL(fileURLWithPath: path)) } catch let error as AuditError { throw CLIError(error.description) }
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

/// The audit's table on standard output.
func printSummary(_ summary: AuditSummary) {
  let s = summary.settings
  print("\(summary.records) records; groups: \(s.selection == "top" ? "top \(s.topN) by predicted score" : "labelled records"); reference \(s.reference)")
  func scores(_ a: AlignmentScores?) -> String {
    guard let a else { return "—" }
    return String(format: "enrichment AUC %@  rank %.2f  share %.2f vs chance %.2f (%.1f×)  top-5 %d  significant %d/%d  median p %@",
      a.enrichmentAUC.map { String(format: "%.3f", $0) } ?? "n/a", a.meanRankPercentile, a.relevanceShare, a.chanceShare, a.enrichment,
      a.topFiveInSet, a.significantCells, a.cells, a.medianHolmP.map { String(format: "%.1e", $0) } ?? "n/a")
  }
  for c in summary.conditions {
    print("  \(c.condition) (n \(c.n), \(c.labelled) labelled; reference n \(c.referenceN)): \(c.fine.significantCells) of 288 cells enriched (Holm p < \(s.alpha))")
    if c.zeroRelevance + c.referenceZeroRelevance > 0 {
      print("    attribution zero everywhere (no density, not tested): \(c.zeroRelevance) of the group, \(c.referenceZeroRelevance) of the reference")
    }
    for m in [c.fine, c.coarse] {
      print("    \(m.view.rawValue) top-5: " + m.topCells.map { $0.cell + ($0.ruleCell ? "*" : "") + ($0.evidenceCell == true ? "†" : "") }.joined(separator: ", ") + "   (* rule, † truth)")
      print("      vs rules: " + scores(m.rules))
      if m.truth != nil { print("      vs truth: " + scores(m.truth)) }
    }
  }
}

/// `ecgxai merge`: combine the partial results of a sharded audit.
struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Combine the partial results of `ecgxai audit --shard i/n` into results.sqlite and audit.json.",
    discussion: """
      Reads RUN/audit/partial-*-of-N.sqlite (or the files given with --parts), checks that every
      shard 1…N is there once and that all were made with the same settings, and runs the
      analysis: the result is byte for byte the one an unsharded `ecgxai audit` writes.
      Example: ecgxai merge runs/ptbxl
      """)

  @Argument(help: "Run directory.") var runDirectory: String
  @Option(parsing: .upToNextOption, help: "Partial result files (default RUN/audit/partial-*.sqlite).") var parts: [String] = []
  @Option(help: "Expert rules file (YAML); default the built-in rules.") var rules: String?

  func run() throws {
    let runURL = URL(fileURLWithPath: runDirectory)
    try prepareRunDirectory(runURL)
    var files = parts
    if files.isEmpty {
      let folder = runURL.appendingPathComponent("audit")
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      files = names.filter { $0.hasPrefix("partial-") && $0.hasSuffix(".sqlite") }.sorted().map { folder.appendingPathComponent($0).path }
      guard !files.isEmpty else { throw CLIError("no partial results in \(folder.path); run `ecgxai audit \(runDirectory) --shard i/n` first") }
    }
    let partials = try files.map(openPartial)
    print("merging \(partials.count) partial results (\(partials.map(\.records.count).reduce(0, +)) records)")
    let started = Date()
    try finish(runURL: runURL, parts: partials, rules: try loadRules(rules))
    try recordInManifest(runURL, settings: partials[0].settings, rules: rules, seconds: ["merge": Date().timeIntervalSince(started)], shards: partials.count)
  }
}
