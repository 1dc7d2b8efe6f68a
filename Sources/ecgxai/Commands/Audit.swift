import ArgumentParser
import ECGAudit
import ECGAuditStore
import ECGExplain
import ECGNet
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
  @OptionGroup var attribution: AttributionOptions

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
    try attribution.validate(method: method)
    guard ["zero", "lead-mean"].contains(attribution.baseline) else {
      throw ValidationError("audit takes --baseline zero or lead-mean (one baseline for every record), not '\(attribution.baseline)'")
    }
  }

  /// The attribution spec: the method with every parameter; saliency as |gradient| (the paper's).
  var spec: AttributionSpec { attribution.spec(method: method, absolute: true) }

  func run() throws {
    if let writeRules {
      try Data(ExpertRules.defaultYAML.utf8).writeAtomically(to: try outputURL(writeRules))
      print("wrote the built-in expert rules to \(writeRules)")
      return
    }
    let runURL = URL(fileURLWithPath: runDirectory!)
    try prepareRunDirectory(runURL)
    let features = URL(fileURLWithPath: features ?? runURL.appendingPathComponent("features.csv").path)
    let job = AuditJob(
      runURL: runURL, model: model ?? runURL.appendingPathComponent("model").path, arch: arch, data: URL(fileURLWithPath: data ?? runURL.appendingPathComponent("data").path),
      rate: rate, split: split, shard: shard, rules: rules, subgroups: subgroups, features: features,
      conditions: conditions.map(commaList),
      reference: reference, referenceOutput: referenceOutput, selection: select, top: top, attribution: spec,
      segmentation: segmentation, bootstrap: bootstrap, alpha: alpha, seed: seed, batchSize: batchSize)
    try job.perform()
  }
}
