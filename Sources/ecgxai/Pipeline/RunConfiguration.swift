import ECGExplain
import ECGNet
import Foundation

/// The steps of `ecgxai run`, in the order they run. Each writes into the run directory and is
/// skipped when its outputs are there and up to date (docs/run.md).
enum PipelineStep: String, CaseIterable, Sendable {
  case data, train, explain, sanity, audit, features, concepts, discover, report

  /// The steps whose results this one reads (a redo of one of them makes this one stale).
  var inputs: [PipelineStep] {
    switch self {
    case .data: []
    case .train: [.data]
    case .explain: [.train]
    case .sanity: [.data, .train]
    case .audit: [.train]
    case .features: [.data]
    case .concepts: [.train, .features]
    case .discover: [.train]
    case .report: [.data, .train, .explain, .sanity, .audit, .features, .concepts, .discover]
    }
  }
}

/// A run configuration: what `ecgxai run CONFIG` does, with the paper's protocol as defaults
/// (../docs/run.md lists every key). Read from YAML or JSON; unknown keys and wrong types are
/// errors that name the key.
struct RunConfiguration: Sendable {
  /// Run directory; every step reads and writes here.
  var out = "runs/run"
  /// Seed of the cohort, initialisations, training, bootstraps and clusterings.
  var seed: UInt64 = 0
  /// The steps to run, in pipeline order.
  var steps = PipelineStep.allCases

  /// Where the records come from.
  struct DataSection: Sendable {
    /// `phantom` (generated into RUN/data) or `ptbxl` (an existing PTB-XL-layout folder).
    var source = "phantom"
    /// The PTB-XL folder for `ptbxl` (linked as RUN/data).
    var path: String?
    /// Phantom records.
    var records = 2000
    /// Phantom difficulty: easy, default or hard.
    var difficulty = "default"
  }
  var data = DataSection()

  /// The classifiers (folds 1–8 train, 9 validation, 10 test; the paper's AdamW settings).
  struct TrainSection: Sendable {
    /// Architecture of every classifier.
    var arch = "lenet1d"
    /// One classifier per label task; the first is RUN/model, the others RUN/model-TASK.
    var tasks = ["superdiagnostic", "subdiagnostic"]
    /// Epochs (the paper: up to 100 with the best validation macro-AUC kept).
    var epochs = 100
    /// An existing model directory used as RUN/model instead of training the first task.
    var model: String?
  }
  var train = TrainSection()

  /// Attributions of the test fold by the first classifier, scored against the phantom's evidence.
  struct ExplainSection: Sendable {
    var methods = ["saliency", "ig", "lrp-epsilon"]
    var split = "test"
  }
  var explain = ExplainSection()

  /// The paper's amplitude-regression sanity checks.
  struct SanitySection: Sendable {
    var tasks = ["T_Wave_Amplitude", "R_Peak_Amplitude", "P_Wave_Amplitude"]
    var arch = "lenet1d"
    var epochs = 20
    var records = 200
    var methods = ["saliency", "ig", "lrp-epsilon", "guided-gradcam"]
    /// Test records of the randomisation and faithfulness tests (0 skips them).
    var randomisationRecords = 16
    /// Bootstrap resamples of the confidence intervals.
    var bootstrap = 1000
    /// A PTB-XL+ Uni-G table (default: the phantom's truth, or data/features/ of PTB-XL+).
    var features: String?
  }
  var sanity = SanitySection()

  /// The glocal audit.
  struct AuditSection: Sendable {
    /// Label task of the audited classifier (one of train.tasks).
    var model = "subdiagnostic"
    /// Conditions (class names); nil = the audit's default (the paper's those the model has).
    var conditions: [String]?
    var method = "saliency"
    var top = 100
    var bootstrap = 500
  }
  var audit = AuditSection()

  /// TCAV with the expert concepts.
  struct ConceptsSection: Sendable {
    var model = "subdiagnostic"
    var targets: [String]?
    var runs = 10
    var randomRuns = 30
  }
  var concepts = ConceptsSection()

  /// Subtype discovery.
  struct DiscoverSection: Sendable {
    var model = "superdiagnostic"
    var className = "MI"
    var subtypes = ["AMI", "IMI"]
    var method = "saliency"
    var inits = 10
    var stabilityResamples = 20
  }
  var discover = DiscoverSection()

  /// The attribution methods' parameters (ε, IG steps and rule, baseline, …) for every step that
  /// attributes — explain, sanity, audit, discover; each step sets the method (and saliency's
  /// sign). The defaults are the paper's (`AttributionSpec`).
  var attribution = AttributionSpec(method: "saliency")

  /// The spec of `method` with this run's parameters; `absolute`: saliency as |gradient|.
  func attribution(_ method: String, absolute: Bool = false) -> AttributionSpec {
    var spec = attribution.with(method: method)
    spec.absolute = absolute
    return spec
  }

  static let labelTasks = ["all", "diagnostic", "subdiagnostic", "superdiagnostic", "form", "rhythm"]
  static let sanityTasks = ["P_Wave_Amplitude", "R_Peak_Amplitude", "T_Wave_Amplitude"]
}

extension RunConfiguration {
  /// Reads a configuration file (YAML or JSON), starting from the defaults.
  init(contentsOf path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
      throw ConfigError("configuration file not found: \(path) (`ecgxai run --write-config FILE` writes the defaults)")
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw ConfigError("\(path): cannot read it as UTF-8 text")
    }
    try self.init(text: text, file: (path as NSString).lastPathComponent)
  }

  /// Reads a configuration from YAML or JSON text; `file` names it in messages.
  init(text: String, file: String) throws {
    self.init()
    let top = try ConfigReader(text: text, file: file)
    try top.allowOnly(["out", "seed", "steps", "data", "train", "explain", "sanity", "audit", "concepts", "discover", "attribution"])
    out = try top.string("out") ?? out
    if let s = try top.int("seed", in: 0...Int.max) { seed = UInt64(s) }
    if let names = try top.strings("steps") {
      steps = try names.map { name in
        guard let step = PipelineStep(rawValue: name) else {
          throw ConfigError("\(file): 'steps' names '\(name)'; steps are \(PipelineStep.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return step
      }
      steps = PipelineStep.allCases.filter(steps.contains)
    }
    if let section = try top.section("data") { try readData(section, file: file) }
    if let section = try top.section("train") { try readTrain(section, file: file) }
    if let section = try top.section("explain") { try readExplain(section, file: file) }
    if let section = try top.section("sanity") { try readSanity(section, file: file) }
    if let section = try top.section("audit") { try readAudit(section, file: file) }
    if let section = try top.section("concepts") { try readConcepts(section, file: file) }
    if let section = try top.section("discover") { try readDiscover(section, file: file) }
    if let section = try top.section("attribution") { try readAttribution(section, file: file) }
    for (key, task) in [("audit.model", audit.model), ("concepts.model", concepts.model), ("discover.model", discover.model)]
    where steps.contains(PipelineStep(rawValue: String(key.prefix { $0 != "." }))!) && !train.tasks.contains(task) {
      throw ConfigError("\(file): '\(key)' is \(task), which 'train.tasks' (\(train.tasks.joined(separator: ", "))) does not train")
    }
  }

  /// Reads the `data` section.
  private mutating func readData(_ d: ConfigReader, file: String) throws {
    try d.allowOnly(["source", "path", "records", "difficulty"])
    data.source = try d.choice("source", of: ["phantom", "ptbxl"]) ?? data.source
    data.path = try d.string("path")
    data.records = try d.int("records", in: 200...1_000_000) ?? data.records
    data.difficulty = try d.choice("difficulty", of: ["easy", "default", "hard"]) ?? data.difficulty
    if data.source == "ptbxl", data.path == nil {
      throw ConfigError("\(file): 'data.source' is ptbxl but 'data.path' (the PTB-XL folder) is missing")
    }
    if data.source == "phantom", data.path != nil {
      throw ConfigError("\(file): 'data.path' is only for 'data.source: ptbxl' (the phantom is generated into RUN/data)")
    }
  }

  /// Reads the `train` section.
  private mutating func readTrain(_ t: ConfigReader, file: String) throws {
    try t.allowOnly(["arch", "tasks", "epochs", "model"])
    train.arch = try t.choice("arch", of: ModelZoo.names) ?? train.arch
    if let tasks = try t.strings("tasks") {
      guard !tasks.isEmpty else { throw ConfigError("\(file): 'train.tasks' is empty; give at least one label task") }
      for task in tasks where !Self.labelTasks.contains(task) {
        throw ConfigError("\(file): 'train.tasks' names '\(task)'; label tasks are \(Self.labelTasks.joined(separator: ", "))")
      }
      train.tasks = tasks
    }
    train.epochs = try t.int("epochs", in: 1...10_000) ?? train.epochs
    train.model = try t.string("model")
  }

  /// Reads the `explain` section.
  private mutating func readExplain(_ e: ConfigReader, file: String) throws {
    try e.allowOnly(["methods", "split"])
    explain.methods = try Self.methods(e.strings("methods"), key: "explain.methods", file: file) ?? explain.methods
    explain.split = try e.choice("split", of: ["test", "validation", "train", "all"]) ?? explain.split
  }

  /// Reads the `sanity` section.
  private mutating func readSanity(_ s: ConfigReader, file: String) throws {
    try s.allowOnly(["tasks", "arch", "epochs", "records", "methods", "features", "randomisation_records", "bootstrap"])
    if let tasks = try s.strings("tasks") {
      for task in tasks where !Self.sanityTasks.contains(task) {
        throw ConfigError("\(file): 'sanity.tasks' names '\(task)'; tasks are \(Self.sanityTasks.joined(separator: ", "))")
      }
      sanity.tasks = tasks
    }
    sanity.arch = try s.choice("arch", of: ModelZoo.names) ?? sanity.arch
    sanity.epochs = try s.int("epochs", in: 1...10_000) ?? sanity.epochs
    sanity.records = try s.int("records", in: 1...1_000_000) ?? sanity.records
    sanity.methods = try Self.methods(s.strings("methods"), key: "sanity.methods", file: file) ?? sanity.methods
    sanity.features = try s.string("features")
    sanity.randomisationRecords = try s.int("randomisation_records", in: 0...100_000) ?? sanity.randomisationRecords
    sanity.bootstrap = try s.int("bootstrap", in: 1...1_000_000) ?? sanity.bootstrap
  }

  /// Reads the `audit` section.
  private mutating func readAudit(_ a: ConfigReader, file: String) throws {
    try a.allowOnly(["model", "conditions", "method", "top", "bootstrap"])
    audit.model = try a.choice("model", of: Self.labelTasks) ?? audit.model
    audit.conditions = try a.strings("conditions")
    audit.method = try Self.methods(a.strings("method"), key: "audit.method", file: file)?.first ?? audit.method
    audit.top = try a.int("top", in: 1...1_000_000) ?? audit.top
    audit.bootstrap = try a.int("bootstrap", in: 0...100_000) ?? audit.bootstrap
  }

  /// Reads the `concepts` section.
  private mutating func readConcepts(_ c: ConfigReader, file: String) throws {
    try c.allowOnly(["model", "targets", "runs", "random_runs"])
    concepts.model = try c.choice("model", of: Self.labelTasks) ?? concepts.model
    concepts.targets = try c.strings("targets")
    concepts.runs = try c.int("runs", in: 2...1000) ?? concepts.runs
    concepts.randomRuns = try c.int("random_runs", in: 2...1000) ?? concepts.randomRuns
  }

  /// Reads the `discover` section.
  private mutating func readDiscover(_ d: ConfigReader, file: String) throws {
    try d.allowOnly(["model", "class", "subtypes", "method", "inits", "stability_resamples"])
    discover.model = try d.choice("model", of: Self.labelTasks) ?? discover.model
    discover.className = try d.string("class") ?? discover.className
    discover.subtypes = try d.strings("subtypes") ?? discover.subtypes
    discover.method = try Self.methods(d.strings("method"), key: "discover.method", file: file)?.first ?? discover.method
    discover.inits = try d.int("inits", in: 1...1000) ?? discover.inits
    discover.stabilityResamples = try d.int("stability_resamples", in: 0...10_000) ?? discover.stabilityResamples
  }

  /// Reads the `attribution` section.
  private mutating func readAttribution(_ a: ConfigReader, file: String) throws {
    try a.allowOnly(["steps", "integration", "baseline", "epsilon", "gamma", "residual", "samples", "noise", "window", "stride"])
    attribution.steps = try a.int("steps", in: 2...IntegratedGradients.maximumSteps) ?? attribution.steps
    if let rule = try a.choice("integration", of: IntegratedGradients.Method.allCases.map(\.rawValue)) {
      attribution.integration = IntegratedGradients.Method(rawValue: rule)!
    }
    attribution.baseline = try a.choice("baseline", of: ["zero", "lead-mean"]) ?? attribution.baseline
    attribution.epsilon = try a.number("epsilon", in: 0...1e6).map(Float.init) ?? attribution.epsilon
    attribution.gamma = try a.number("gamma", in: 0...1e6).map(Float.init) ?? attribution.gamma
    if let residual = try a.choice("residual", of: ["gradient", "proportional"]) {
      attribution.residual = LRP.ResidualHandling(rawValue: residual)!
    }
    attribution.samples = try a.int("samples", in: 1...100_000) ?? attribution.samples
    attribution.noise = try a.number("noise", in: 0...1e6).map(Float.init) ?? attribution.noise
    attribution.window = try a.int("window", in: 1...1_000_000) ?? attribution.window
    attribution.stride = try a.int("stride", in: 1...1_000_000) ?? attribution.stride
  }
  private static func methods(_ names: [String]?, key: String, file: String) throws -> [String]? {
    guard let names else { return nil }
    guard !names.isEmpty else { throw ConfigError("\(file): '\(key)' is empty") }
    for name in names where !AttributionSpec.methodNames.contains(name) {
      throw ConfigError("\(file): '\(key)' names '\(name)'; methods are \(AttributionSpec.methodNames.joined(separator: ", "))")
    }
    return names
  }

  /// The model (relative to the run) of a label task's classifier: a model directory, or
  /// `model.onnx` (+ `model.classes.txt`) when `train.model` is an ONNX file.
  func modelDirectory(task: String) -> String {
    guard task == train.tasks[0] else { return "model-\(task)" }
    return train.model?.lowercased().hasSuffix(".onnx") == true ? "model.onnx" : "model"
  }
}
