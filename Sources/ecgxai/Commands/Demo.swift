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

  /// A configuration as YAML (the keys `ecgxai run` reads): written from the settings every step
  /// records (`RunConfiguration.settings(of:)`), so the file lists exactly what the steps use;
  /// unset optional keys are left out. Parsing it back gives the same settings (tested).
  static func yaml(_ c: RunConfiguration) -> String {
    func scalar(_ value: Any) -> String {
      switch value {
      case let list as [String]: return "[" + list.joined(separator: ", ") + "]"
      default: return "\(value)"
      }
    }
    var lines = ["# ecgxai demo configuration; run it with `ecgxai run FILE` (keys: docs/run.md)",
                 "out: \(c.out)", "seed: \(c.seed)", "steps: \(scalar(c.steps.map(\.rawValue)))"]
    for step in PipelineStep.allCases {
      let settings = c.settings(of: step).filter { $0.key != "seed" && !($0.value is NSNull) }
      guard !settings.isEmpty else { continue }
      lines.append("\(step.rawValue):")
      for (key, value) in settings.sorted(by: { $0.key < $1.key }) { lines.append("  \(key): \(scalar(value))") }
    }
    lines.append("attribution:")
    for (key, value) in c.attributionSettings.sorted(by: { $0.key < $1.key }) { lines.append("  \(key): \(scalar(value))") }
    return lines.joined(separator: "\n") + "\n"
  }
}
