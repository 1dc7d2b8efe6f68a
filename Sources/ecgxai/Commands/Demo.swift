import ArgumentParser
import Foundation

/// `ecgxai demo`: `ecgxai run` on the bundled demo configuration — the paper's whole story on the
/// built-in phantom cohort in a few minutes.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The whole pipeline on the built-in phantom cohort: data → train → explain → sanity → audit → concepts → discover → report.",
    discussion: """
      `ecgxai run` on the bundled demo configuration (`ecgxai demo --write-config demo.yaml`
      writes it):
        data      a phantom 12-lead cohort (100 Hz, PTB-XL layout with exact truth) → RUN/data;
        train     the paper's lenet1d on the superdiagnostic and the subdiagnostic task (folds
                  1–8 train, 9 validation, 10 test; AdamW 1e-3/1e-3, batch 128, 250-sample
                  crops, best validation macro-AUC) → RUN/model, RUN/model-subdiagnostic;
        explain   saliency, IG and LRP-ε of every test record, scored against the true evidence;
        sanity    the paper's amplitude-regression sanity checks (T, R and P amplitudes);
        audit     the glocal audit of the subdiagnostic model (LVH, CLBBB, IMI, AMI vs NORM);
        features  features and the paper's 15 expert concepts of every record;
        concepts  TCAV on every layer for LVH, CLBBB, IMI and AMI;
        discover  clusters of the MI records (only AMI or only IMI) from their saliency;
        report    RUN/report.html, self-contained, every figure inline.
      Steps already done with the same settings are kept (run it again to resume);
      `--force STEP` redoes one.
      """)

  @Option(help: "Run directory.")
  var out = "runs/demo"

  @Option(help: "Phantom records to generate.")
  var records = 2000

  @Option(help: "Training epochs of the classifiers.")
  var epochs = 20

  @Option(help: "Seed of the cohort, initialisation, training and analyses.")
  var seed: UInt64 = 0

  @Flag(help: "A smoke run in well under a minute (400 records, 3 epochs, one sanity task, few TCAV runs).")
  var quick = false

  @Option(parsing: .upToNextOption, help: "Steps to redo even if up to date (or all).")
  var force: [String] = []

  @Option(help: "Write the demo configuration (YAML) to this file and exit.")
  var writeConfig: String?

  func validate() throws {
    guard records >= 200 else { throw ValidationError("--records must be at least 200 (ten folds with all superclasses)") }
    guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
  }

  /// The demo's configuration: the defaults, sized to minutes on two cores.
  var demoConfiguration: RunConfiguration {
    var c = RunConfiguration()
    c.out = out
    c.seed = seed
    c.data.records = quick ? 400 : records
    c.train.epochs = quick ? 3 : epochs
    c.sanity.epochs = quick ? 3 : 20
    c.sanity.records = quick ? 40 : 200
    c.sanity.randomisationRecords = quick ? 4 : 16
    c.sanity.bootstrap = quick ? 100 : 1000
    if quick { c.sanity.tasks = ["T_Wave_Amplitude"] }
    c.audit.method = "lrp-epsilon"
    c.audit.bootstrap = quick ? 50 : 200
    c.concepts.runs = quick ? 3 : 10
    c.concepts.randomRuns = quick ? 5 : 30
    c.discover.inits = quick ? 2 : 10
    c.discover.stabilityResamples = quick ? 2 : 20
    return c
  }

  func run() throws {
    if let writeConfig {
      try Run.write(Self.yaml(demoConfiguration), to: writeConfig)
      return
    }
    try RunPipeline(configuration: demoConfiguration, force: Run.steps(force), commandName: "demo").run()
  }

  /// A configuration as YAML (the keys `ecgxai run` reads).
  static func yaml(_ c: RunConfiguration) -> String {
    func list(_ xs: [String]) -> String { "[" + xs.joined(separator: ", ") + "]" }
    var lines = ["# ecgxai demo configuration; run it with `ecgxai run FILE` (keys: docs/run.md)",
                 "out: \(c.out)", "seed: \(c.seed)", "steps: \(list(c.steps.map(\.rawValue)))",
                 "data:", "  source: \(c.data.source)", "  records: \(c.data.records)", "  difficulty: \(c.data.difficulty)",
                 "train:", "  arch: \(c.train.arch)", "  tasks: \(list(c.train.tasks))", "  epochs: \(c.train.epochs)",
                 "explain:", "  methods: \(list(c.explain.methods))", "  split: \(c.explain.split)",
                 "sanity:", "  tasks: \(list(c.sanity.tasks))", "  arch: \(c.sanity.arch)", "  epochs: \(c.sanity.epochs)",
                 "  records: \(c.sanity.records)", "  methods: \(list(c.sanity.methods))",
                 "  randomisation_records: \(c.sanity.randomisationRecords)", "  bootstrap: \(c.sanity.bootstrap)",
                 "audit:", "  model: \(c.audit.model)", "  method: \(c.audit.method)", "  top: \(c.audit.top)", "  bootstrap: \(c.audit.bootstrap)",
                 "concepts:", "  model: \(c.concepts.model)", "  runs: \(c.concepts.runs)", "  random_runs: \(c.concepts.randomRuns)",
                 "discover:", "  model: \(c.discover.model)", "  class: \(c.discover.className)", "  subtypes: \(list(c.discover.subtypes))",
                 "  method: \(c.discover.method)", "  inits: \(c.discover.inits)", "  stability_resamples: \(c.discover.stabilityResamples)"]
    if let conditions = c.audit.conditions { lines.insert("  conditions: \(list(conditions))", at: lines.firstIndex(of: "  model: \(c.audit.model)")! + 1) }
    return lines.joined(separator: "\n") + "\n"
  }
}
