import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// Runs the steps of a `RunConfiguration` into its run directory. A step is skipped when
/// manifest.json records it as done with the same key — a hash of its settings and of the keys
/// of the steps it reads — and its outputs all read back (`outputProblem`: a corrupt output makes
/// the step run again); `force` redoes steps (and so makes the steps that read them stale). A
/// step interrupted before it finished has no record, so the next run redoes it: that is the
/// resume.
struct RunPipeline {
  let configuration: RunConfiguration
  /// Steps to redo even when up to date.
  var force: Set<PipelineStep> = []
  /// What the command is called in messages (`run` or `demo`).
  var commandName = "run"

  var runURL: URL { URL(fileURLWithPath: configuration.out) }

  /// One step's record in manifest.json.
  struct StepRecord {
    var key: String
    var outputs: [String]
    var seconds: Double
    var finished: String
    var skippedReason: String?

    var json: [String: Any] {
      var j: [String: Any] = ["key": key, "outputs": outputs, "seconds": seconds, "finished": finished]
      if let skippedReason { j["skipped"] = skippedReason }
      return j
    }

    init(key: String, outputs: [String], seconds: Double, finished: String, skippedReason: String? = nil) {
      (self.key, self.outputs, self.seconds, self.finished, self.skippedReason) = (key, outputs, seconds, finished, skippedReason)
    }

    init?(_ json: Any?) {
      guard let j = json as? [String: Any], let key = j["key"] as? String, let outputs = j["outputs"] as? [String] else { return nil }
      self.init(key: key, outputs: outputs, seconds: j["seconds"] as? Double ?? 0, finished: j["finished"] as? String ?? "",
                skippedReason: j["skipped"] as? String)
    }
  }

  /// What a step's body reports: the files it wrote (relative to the run) or why it did nothing.
  struct StepOutcome {
    var outputs: [String]
    var skippedReason: String? = nil
  }

  func run() throws {
    let started = Date()
    guard runURL.standardizedFileURL.path != "/" else {
      throw CLIError("the run directory cannot be / (ecgxai writes data/, model/, manifest.json … into it); choose a folder of its own")
    }
    try prepareRunDirectory(runURL)
    var records = readStepRecords()
    print("ecgxai \(commandName) → \(configuration.out)   (steps: \(configuration.steps.map(\.rawValue).joined(separator: " → ")))")
    try updateManifest(runURL, key: "pipeline", value: pipelineJSON(records))
    let steps = configuration.steps
    // Steps redone in this invocation: whatever reads them is redone too, whatever the clock says.
    var redone: Set<PipelineStep> = []
    for (number, step) in steps.enumerated() {
      let key = stepKey(step, records: records)
      let header = "[\(number + 1)/\(steps.count)] \(step.rawValue)"
      let kept = !force.contains(step) && redone.isDisjoint(with: step.inputs) && records[step]?.key == key
      let problem = kept ? records[step]!.outputs.lazy.compactMap(outputProblem).first : nil
      if kept, problem == nil, let done = records[step] {
        print("\(header): up to date (\(done.skippedReason.map { "skipped: \($0)" } ?? "\(done.outputs.count) outputs, \(String(format: "%.1f", done.seconds)) s")), kept")
        continue
      }
      if let problem { print("\(header): \(problem); redoing the step") }
      print("\(header): \(describe(step))")
      // The record of a step under way is removed first, so an interrupt leaves it to be redone.
      records[step] = nil
      try updateManifest(runURL, key: "pipeline", value: pipelineJSON(records))
      let stepStart = Date()
      let outcome = try perform(step)
      let record = StepRecord(key: key, outputs: outcome.outputs, seconds: Date().timeIntervalSince(stepStart),
                              finished: Self.timestamp(), skippedReason: outcome.skippedReason)
      records[step] = record
      redone.insert(step)
      if let reason = outcome.skippedReason { print("    skipped: \(reason)") }
      try updateManifest(runURL, key: "pipeline", value: pipelineJSON(records))
    }
    try updateManifest(runURL, key: "identity", value: try identity())
    let seconds = Date().timeIntervalSince(started)
    try RunSummary(runURL: runURL).print(seconds: seconds)
  }

  // MARK: - Keys and the manifest

  /// What the run's results were made from, as every result's provenance names it: the SHA-256
  /// of the dataset's index (`PTBXLDataset.indexSHA256`) and of each classifier's weights
  /// (`Model.weightsSHA256`), by model directory — so two run directories can be told apart
  /// (or recognised as alike) without opening their results.
  private func identity() throws -> [String: Any] {
    var identity: [String: Any] = ["ecgxai_version": ECGXAIVersion.current]
    let dataURL = runURL.appendingPathComponent("data")
    if FileManager.default.fileExists(atPath: dataURL.path) {
      identity["dataset_sha256"] = try PTBXLDataset.open(dataURL).indexSHA256
    }
    var models: [String: String] = [:]
    for task in configuration.train.tasks {
      let directory = configuration.modelDirectory(task: task)
      let url = runURL.appendingPathComponent(directory)
      guard FileManager.default.fileExists(atPath: url.appendingPathComponent("architecture.json").path) else { continue }
      models[directory] = try Model.load(from: url).weightsSHA256
    }
    identity["model_sha256"] = models
    return identity
  }

  private func readStepRecords() -> [PipelineStep: StepRecord] {
    let url = runURL.appendingPathComponent("manifest.json")
    guard let data = FileManager.default.contents(atPath: url.path),
      let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let pipeline = manifest["pipeline"] as? [String: Any], let steps = pipeline["steps"] as? [String: Any]
    else { return [:] }
    var records: [PipelineStep: StepRecord] = [:]
    for step in PipelineStep.allCases { records[step] = StepRecord(steps[step.rawValue]) }
    return records
  }

  private func pipelineJSON(_ records: [PipelineStep: StepRecord]) -> [String: Any] {
    [
      "configuration": configuration.allSettings,
      "steps": Dictionary(uniqueKeysWithValues: records.map { ($0.key.rawValue, $0.value.json) }),
      "ecgxai_version": ECGXAI.configuration.version, "threads": parallelThreadCount,
    ]
  }

  /// Now as ISO 8601 with milliseconds: a step's finishing time enters the keys of the steps that
  /// read it, so a step redone within the same second must still give them a new key.
  static func timestamp() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date())
  }

  /// FNV-1a (64 bit) of the step's settings and of the keys and finishing times of its inputs.
  func stepKey(_ step: PipelineStep, records: [PipelineStep: StepRecord]) -> String {
    var parts: [String: Any] = ["step": step.rawValue, "settings": configuration.keyedSettings(of: step)]
    for input in step.inputs where configuration.steps.contains(input) || records[input] != nil {
      parts[input.rawValue] = records[input].map { "\($0.key)@\($0.finished)" } ?? "missing"
    }
    let data = (try? JSONSerialization.data(withJSONObject: parts, options: [.sortedKeys])) ?? Data()
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(hash, radix: 16)
  }

  // MARK: - Steps

  private func describe(_ step: PipelineStep) -> String {
    let c = configuration
    switch step {
    case .data:
      return c.data.source == "phantom"
        ? "phantom cohort, \(c.data.records) records (100 Hz × 10 s, \(c.data.difficulty) difficulty, PTB-XL layout) → data/"
        : "dataset folder \(c.data.path!) → data/ (linked)"
    case .train:
      return "\(c.train.arch) on \(c.train.tasks.joined(separator: " and ")) (folds 1–8 train, 9 validation, 10 test; \(c.train.epochs) epochs, AdamW lr 1e-3 wd 1e-3, batch 128, 250-sample crops)"
    case .explain:
      return "\(c.explain.methods.joined(separator: ", ")) of the \(c.train.tasks[0]) classifier on the \(c.explain.split) split"
    case .sanity:
      return "amplitude-regression sanity checks (\(c.sanity.tasks.joined(separator: ", ")); \(c.sanity.arch), \(c.sanity.epochs) epochs; \(c.sanity.methods.joined(separator: ", "))) and, on the phantom, localisation of the classifier's attributions"
    case .audit:
      return "glocal audit of the \(c.audit.model) classifier (\(c.audit.method), top \(c.audit.top) records per class, lead × segment, against NORM and expert rules)"
    case .features:
      return "features and the paper's expert concepts of every record → features.csv"
    case .concepts:
      return "TCAV on every layer of the \(c.concepts.model) classifier (\(c.concepts.runs) runs, \(c.concepts.randomRuns) random runs)"
    case .discover:
      return "clustering \(c.discover.className) records (\(c.discover.subtypes.joined(separator: "/"))) by \(c.discover.method) of the \(c.discover.model) classifier"
    case .report:
      return "report.html"
    }
  }

  private func perform(_ step: PipelineStep) throws -> StepOutcome {
    let c = configuration
    let out = c.out
    let seed = "\(c.seed)"
    func model(_ task: String) -> String { runURL.appendingPathComponent(c.modelDirectory(task: task)).path }
    switch step {
    case .data:
      return try prepareData()
    case .train:
      return try trainClassifiers()
    case .explain:
      return try explainTestRecords()
    case .sanity:
      guard hasAmplitudeTable() else {
        return StepOutcome(outputs: [], skippedReason: "no Uni-G amplitude table (PTB-XL+'s features/unig_features.csv or the phantom's truth/); set sanity.features")
      }
      return try runSanity()
    case .audit:
      return try auditClassifier()
    case .features:
      let table = runURL.appendingPathComponent("features.csv").path
      _ = try outputURL(table)
      let (keyColumn, items) = try RecordSourceOptions.items(data: out)
      try Features.write(items, keyColumn: keyColumn, rules: nil, to: table)
      return StepOutcome(outputs: ["features.csv"])
    case .concepts:
      return try runConceptStudy()
    case .discover:
      return try discoverSubtypes()
    case .report:
      try Report.write(runURL, to: runURL.appendingPathComponent("report.html").path)
      return StepOutcome(outputs: ["report.html"])
    }
  }

  private func hasAmplitudeTable() -> Bool {
    if let features = configuration.sanity.features { return FileManager.default.fileExists(atPath: features) }
    return PTBXLPlus.locate("unig", in: runURL.appendingPathComponent("data")) != nil
  }

  /// The phantom cohort written into RUN/data, or RUN/data linked to the user's PTB-XL or
  /// PhysioNet/CinC folder.
  private func prepareData() throws -> StepOutcome {
    let c = configuration
    let dataURL = runURL.appendingPathComponent("data")
    if c.data.source == "phantom" {
      try writePhantom(to: dataURL)
      return StepOutcome(outputs: ["data/ptbxl_database.csv", "data/scp_statements.csv", "data/truth"])
    }
    let target = URL(fileURLWithPath: c.data.path!).standardizedFileURL
    guard isDatasetFolder(target) else {
      throw CLIError(
        "data.path \(target.path) is not a PTB-XL folder (no ptbxl_database.csv) nor a PhysioNet/CinC "
          + "folder (.hea records with #Dx: comments)")
    }
    _ = try DatasetOptions(data: target.path, rate: 100, folds: nil).load()
    let manager = FileManager.default
    if let existing = try? manager.destinationOfSymbolicLink(atPath: dataURL.path) {
      if URL(fileURLWithPath: existing).standardizedFileURL.path != target.path { try manager.removeItem(at: dataURL) }
    } else if manager.fileExists(atPath: dataURL.path) {
      throw CLIError("\(dataURL.path) exists and is not a link to \(target.path); use another run directory (out:) or move it away")
    }
    if (try? manager.destinationOfSymbolicLink(atPath: dataURL.path)) == nil {
      try manager.createSymbolicLink(at: dataURL, withDestinationURL: target)
    }
    return StepOutcome(outputs: ["data/ptbxl_database.csv"])
  }
}
