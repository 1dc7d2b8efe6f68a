import ArgumentParser
import ECGDiscovery
import ECGExplain
import Foundation

/// `ecgxai discover`: knowledge discovery — clustering the attributions of one class's records
/// (and, side by side, their median beats and hidden features) to find subtypes.
struct Discover: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Knowledge discovery: cluster one class's attributions, median beats and hidden features; score against known subtypes.",
    discussion: """
      The paper's protocol (Discovery notebooks): records with --class whose only diagnostic
      subclass is one of --subtypes (e.g. MI records that are AMI or IMI and nothing else), or
      without --subtypes whose only diagnostic label is --class (Part 2: ASMI); --other-labels
      keeps records with further findings; per record three
      representations — the beat-aligned attribution of --class (or of the model's class for its
      subclass or superclass: ASMI → AMI; |saliency| by default; mean over
      beats of −300…+500 ms around the R peaks, 12 × 80 at 100 Hz; also L1-normalised, per lead,
      and as the audit's lead × segment cell shares), the beat-aligned signal (the
      median beat of the notebooks, same cut) and the hidden features before the classifier head —
      each flattened, reduced by PCA (whitened; 8, 6 and 10 components as the paper) and clustered
      into --clusters groups by a Gaussian mixture (full covariance, 10 inits), k-means++ and Ward.
      Scores against the subtype labels and, on the phantom, the hidden planted subtypes (also
      with the infarct stage, and within each stage): ARI, NMI,
      matched accuracy, silhouette, contingency tables, the share of women per cluster.
      Writes RUN/discovery.json and the figure RUN/discovery.svg. Definitions: docs/discovery.md.
      The defaults are the paper's; on the phantom the dependable choice is --method ig with the
      attribution-l1 rows (--figure-representation attribution-l1 draws them): ARI 0.83–0.96 for
      the territory over 15 seeds, against 0.64–0.79 for the median beats.
      Examples: ecgxai discover runs/demo --class MI --subtypes AMI,IMI
                ecgxai discover runs/ptbxl --class ASMI --model runs/ptbxl/sub-model
      """)

  @Argument(help: "Run directory (data/ and model/ inside).") var runDirectory: String
  @Option(help: "Model: a directory, an ONNX file (.onnx) or a state dict (.safetensors, with --arch); default RUN/model.") var model: String?
  @Option(help: "With --model FILE.safetensors: the architecture of the state dict (lenet1d, xresnet1d18/34/50/101).") var arch: String?
  @Option(help: "PTB-XL-layout data folder; default RUN/data.") var data: String?
  @Option(name: .customLong("class"), help: "The class whose records are clustered (a label at any level: SCP code, subclass or superclass).") var className: String
  @Option(help: "Known subtypes to score against (comma separated labels); records must carry exactly one of them.") var subtypes: String?
  @Flag(help: "Keep records with other diagnostic labels: besides their subtype (the paper keeps only records whose sole subclass is the subtype), or without --subtypes besides --class (the paper's Part 2: only diagnostic label ASMI).")
  var otherLabels = false
  @Option(help: "Output to attribute: a class of the model, or 'predicted' (each record's predicted class); default --class if the model has it, else its diagnostic subclass or superclass (ASMI → AMI), else predicted.") var target: String?
  @Option(help: "Attribution method (saliency is |gradient|, the paper's).") var method = "saliency"
  @Flag(help: "saliency / smoothgrad: the signed gradient instead of its absolute value.") var signed = false
  @Option(help: "Clusters; 0 = chosen in 2…6 (by BIC for the Gaussian mixture, by silhouette for k-means and Ward).") var clusters = 2
  @Option(help: "PCA components for attribution, beat and hidden representations (the paper: 8,6,10).") var components = "8,6,10"
  @Flag(inversion: .prefixedNo, help: "Whiten the PCA scores (the paper: yes).") var whiten = true
  @Flag(help: "Standardise every feature (zero mean, unit variance) before PCA (the paper: no).") var standardise = false
  @Option(help: "Restarts of the Gaussian mixture and k-means.") var inits = 10
  @Option(help: "Records of the split all, test (fold 10), validation (9) or train (1–8).") var split = "all"
  @Option(help: "Sampling rate of the records, 100 or 500.") var rate = 100
  @Option(help: "Seed of the clustering.") var seed: UInt64 = 0
  @Option(help: "Bootstrap resamples of the cluster stability (Jaccard per cluster).") var stabilityResamples = 20
  @Option(help: "Representation whose Gaussian-mixture clusters the figure draws (prototypes, t-SNE): \(DiscoverySettings.representationNames.joined(separator: ", ")) (default attribution, the paper's).")
  var figureRepresentation = "attribution"
  @Option(help: "Also write every representation as DIR/NAME.npy [records, features] (float32) with DIR/records.csv (ecg_id, subtype), to cluster them elsewhere.")
  var saveRepresentations: String?
  @OptionGroup var attribution: AttributionOptions

  func validate() throws {
    try DatasetSplit.validate(split)
    guard clusters == 0 || clusters >= 2, inits >= 1 else { throw ValidationError("--clusters must be 0 (choose) or ≥ 2, and --inits ≥ 1") }
    try attribution.validate(method: method)
    guard DiscoverySettings.representationNames.contains(figureRepresentation) else {
      throw ValidationError("unknown --figure-representation '\(figureRepresentation)'; choose one of \(DiscoverySettings.representationNames.joined(separator: ", "))")
    }
    guard componentCounts.count == 3, componentCounts.allSatisfy({ $0 >= 1 }) else {
      throw ValidationError("--components takes three positive counts (attribution, beat, hidden), e.g. 8,6,10")
    }
    guard !attribution.baseline.hasSuffix(".npy") else { throw ValidationError("discover takes --baseline zero or lead-mean, not a file") }
    if let problem = settings.validationProblem { throw ValidationError(problem) }
  }

  var componentCounts: [Int] { commaList(components).compactMap { Int($0) } }

  /// The library settings of the options.
  var settings: DiscoverySettings {
    DiscoverySettings(
      className: className,
      subtypes: subtypes.map(commaList) ?? [],
      otherLabels: otherLabels, target: target, attribution: attribution.spec(method: method, absolute: !signed), clusters: clusters,
      components: componentCounts, whiten: whiten, standardise: standardise, inits: inits,
      split: DiscoverySettings.Split(rawValue: split) ?? .all, rateHz: rate, seed: seed, stabilityResamples: stabilityResamples,
      figureRepresentation: figureRepresentation)
  }

  func run() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
    let loaded = try ModelOptions.load(model ?? runURL.appendingPathComponent("model").path, arch: arch)
    let classes = loaded.architecture.classNames ?? []
    if let target, target != "predicted", !classes.contains(target) { throw CLIError("--target '\(target)' is not a class of the model (\(classes.joined(separator: ", ")))") }
    let options = DatasetOptions(data: data ?? runURL.appendingPathComponent("data").path, rate: rate, folds: nil)
    try options.check(loaded)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    try Self.discover(settings, model: loaded, dataset: dataset, runURL: runURL, started: started, saveRepresentations: saveRepresentations)
  }
}
