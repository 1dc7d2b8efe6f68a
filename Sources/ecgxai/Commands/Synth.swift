import ArgumentParser
import ECGPhantom
import Foundation

/// `ecgxai synth`: writes a phantom 12-lead cohort with ground truth in PTB-XL's layout.
struct Synth: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a phantom 12-lead ECG cohort with ground truth in PTB-XL's layout.",
    discussion: """
      Writes ptbxl_database.csv, scp_statements.csv, WFDB records under records100/ and
      records500/ (format 16, 1000/mV, PTB-XL's lead names) and truth/ (per-beat fiducials,
      true amplitudes as a PTB-XL+ Uni-G-style table, evidence masks, hidden subtypes, generator
      parameters). The same seed gives byte-identical files. See docs/phantom.md.
      """)

  @Option(name: .long, help: "Output directory (must be empty or absent unless --overwrite).")
  var out: String

  @Option(name: .long, help: "Number of records (ecg_id 1…N).")
  var records: Int = 2000

  @Option(name: .long, help: "Seed of the cohort.")
  var seed: UInt64 = 0

  @Option(name: .long, help: "Sampling rates to write, comma separated (100 and/or 500 Hz).")
  var rates: String = "100,500"

  @Option(name: .long, help: "Difficulty preset: easy, default or hard.")
  var difficulty: String = "default"

  @Option(name: .long, help: "Override the preset's noise scale (1 = default noise).")
  var noiseScale: Double?

  @Option(name: .long, help: "Override the preset's label noise (probability a finding is not labelled).")
  var labelNoise: Double?

  @Option(name: .long, help: "Override the preset's labelling threshold (severity below which MI, LVH and ST-T findings usually stay unlabelled; 0 = always labelled).")
  var labelThreshold: Double?

  @Option(name: .long, help: "Record length in seconds.")
  var duration: Double = 10

  @Flag(name: .long, help: "Replace a non-empty output directory.")
  var overwrite = false

  func run() throws {
    guard var preset = PhantomDifficulty.named(difficulty) else {
      throw CLIError("unknown difficulty '\(difficulty)'; use easy, default or hard")
    }
    if let noiseScale { preset.noiseScale = noiseScale }
    if let labelNoise { preset.labelNoise = labelNoise }
    if let labelThreshold { preset.labelThreshold = labelThreshold }
    let rateList = try rates.split(separator: ",").map { part -> Int in
      guard let r = Int(part.trimmingCharacters(in: .whitespaces)) else { throw CLIError("--rates: '\(part)' is not a number") }
      return r
    }
    let config = PhantomConfig(
      recordCount: records, seed: seed, rates: rateList, durationSeconds: duration, difficulty: preset)
    try Self.write(config, difficulty: difficulty, to: out, overwrite: overwrite)
  }

  /// Generates the cohort of `config` (`PhantomCohort`) and writes it to `out` (`PhantomWriter`),
  /// printing the command's lines; the run pipeline's data step calls this too. `difficulty` is
  /// the preset's name, for the first line.
  static func write(_ config: PhantomConfig, difficulty: String, to out: String, overwrite: Bool) throws {
    do {
      let cohort = try PhantomCohort(config)
      print("synthesising \(config.recordCount) phantom records (seed \(config.seed), rates \(config.rates.map(String.init).joined(separator: "+")) Hz, difficulty \(difficulty)) → \(out)")
      let summary = try PhantomWriter.write(
        cohort, to: URL(fileURLWithPath: out), overwrite: overwrite,
        progress: { done, total in progress(done: done, total: total) })
      let counts = summary.superclassCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      print("wrote \(summary.recordCount) records in \(String(format: "%.1f", summary.seconds)) s (\(String(format: "%.0f", Double(summary.recordCount) / summary.seconds)) records/s); superclasses: \(counts)")
    } catch let error as PhantomError {
      throw CLIError(error.description)
    }
  }
}
