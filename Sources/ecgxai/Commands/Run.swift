import ArgumentParser
import ECGTensor
import Foundation

/// `ecgxai run CONFIG`: every building block as one resumable pipeline over one run directory.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the pipeline of a configuration: data → train → explain → sanity → audit → features → concepts → discover → report.",
    discussion: """
      CONFIG is YAML or JSON (`ecgxai run --write-config run.yaml` writes every key with its
      default and a comment; docs/run.md). Each step writes into the run directory and records
      itself in manifest.json; a step whose settings, inputs and outputs are unchanged is kept,
      so an interrupted run resumes where it stopped. `--force STEP` redoes a step (and the steps
      that read it).
      Real data: `ecgxai run --data PATH/TO/ptb-xl --out runs/ptbxl` runs the paper's protocol on
      a PTB-XL folder (100 Hz; folds 1–8 / 9 / 10), linked as RUN/data and never modified; a
      PhysioNet/CinC 2020–21 folder (.hea/.mat with #Dx:) runs the same way (records resampled
      to 100 Hz and cut or zero-padded to 10 s, SNOMED CT codes mapped to PTB-XL statements,
      folds by record name; docs/features.md).
      Examples:
        ecgxai run --write-config run.yaml
        ecgxai run run.yaml
        ecgxai run run.yaml --force audit
        ecgxai run --data /data/ptb-xl-1.0.3 --out runs/ptbxl
      """)

  @Argument(help: "Configuration file (YAML or JSON); default: the built-in defaults.")
  var config: String?

  @Option(help: "Run directory (overrides the configuration's `out`).")
  var out: String?

  @Option(help: "A PTB-XL or PhysioNet/CinC folder to run on (sets data.source: ptbxl and data.path).")
  var data: String?

  @Option(parsing: .upToNextOption, help: "Steps to redo even if up to date (\(PipelineStep.allCases.map(\.rawValue).joined(separator: ", ")), or all).")
  var force: [String] = []

  @Option(help: "Write the documented default configuration to this file and exit.")
  var writeConfig: String?

  func run() throws {
    if let writeConfig {
      try Self.write(RunConfiguration.documentedDefaults, to: writeConfig)
      return
    }
    var configuration = RunConfiguration()
    if let config {
      do { configuration = try RunConfiguration(contentsOf: config) } catch let error as ConfigError { throw CLIError(error.description) }
    }
    if let data {
      guard FileManager.default.fileExists(atPath: data) else { throw CLIError("--data: folder not found: \(data)") }
      configuration.data.source = "ptbxl"
      configuration.data.path = data
    }
    if let out { configuration.out = out }
    try RunPipeline(configuration: configuration, force: Self.steps(force), commandName: "run").run()
  }

  /// The steps named by `--force` (comma or space separated; `all`).
  static func steps(_ names: [String]) throws -> Set<PipelineStep> {
    var steps = Set<PipelineStep>()
    for name in names.flatMap(commaList) {
      if name == "all" { return Set(PipelineStep.allCases) }
      guard let step = PipelineStep(rawValue: name) else {
        throw ValidationError("--force: unknown step '\(name)'; steps are \(PipelineStep.allCases.map(\.rawValue).joined(separator: ", ")), or all")
      }
      steps.insert(step)
    }
    return steps
  }

  /// Writes a configuration file, refusing to replace an existing one.
  static func write(_ text: String, to path: String) throws {
    guard !FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path) exists; give a new file name") }
    try Data(text.utf8).writeAtomically(to: try outputURL(path))
    print("wrote \(path)")
  }
}
