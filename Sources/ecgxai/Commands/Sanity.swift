import ArgumentParser
import ECGEvaluate
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai sanity RUN`: the paper's amplitude-regression sanity checks of attribution methods,
/// the randomisation and faithfulness tests beyond it, and (`--localisation`) localisation of a
/// classifier's attributions against the phantom's evidence masks.
struct Sanity: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Sanity checks of attribution methods: the paper's amplitude regressions, randomisation, faithfulness, localisation.",
    discussion: """
      On RUN/data (PTB-XL layout, 100 Hz): targets are the per-lead P, R or T amplitudes (mV) of
      the median beat — PTB-XL+'s Uni-G columns P_Amp_<lead>/R_Amp_<lead>/T_Amp_<lead> from
      --features, or the phantom's truth/unig_features.csv; records with a missing value are
      dropped. A model with one output per lead is trained on folds 1–8 (validation 9) with the
      paper's settings on targets standardised per lead (training-fold mean and std; predictions
      are mapped back to mV) and scored on fold 10 (R², MAE; mean ± std over 10 bootstrap
      resamples).
      Then, for up to --records test records and every output lead c, each method attributes
      output c and ecgxai reports, with percentile bootstrap 95 % CIs over records (--bootstrap):
        - spatial specificity ‖A[c]‖ / ‖(‖A[l]‖)_l‖ (1 ideal, 0.289 uniform),
        - the temporal relevance profile (−300…+500 ms around each R peak, L2 over leads,
          mean over beats and records, unit norm), where it peaks, and its share inside the
          true wave window (P, QRS or T: median fiducials of the phantom's truth or ecgxai's
          delineation) vs the window's share of the profile (chance).
      On --randomisation-records test records (record r explains output lead r mod 12):
        - model-parameter randomisation (Adebayo et al. 2018), cascading and independent, from the
          output layer; similarity to the original map by Spearman (signed and of |A|), 1-D SSIM
          of the max-normalised |A| (Quantus's ssim on the flattened 12·T map) and top-k
          intersection (--top-k); a sensible method falls towards 0;
        - data randomisation: the same model trained on permuted targets, the same similarities;
        - the random-logit test (Sixt et al. 2020): the map of output c vs that of a random other
          output lead, the same similarities (low: the map depends on what is explained);
        - deletion and insertion over lead × time windows (--window samples; windows ordered by
          summed |A|; baselines 0 mV and the lead's mean; --windows-per-step × --perturbation-steps
          windows), AOPC of |Δ output| against a random window order;
        - faithfulness correlation (Bhatt et al. 2020): Pearson of Σ A over --correlation-runs
          seeded random subsets of --subset-size samples with the output drop when they are
          replaced by the baseline;
        - region perturbation (Samek et al. 2017): 1–20 % of samples by |A| set to 0 mV, AOPC.
      Writes RUN/sanity-TASK.json and RUN/sanity-TASK-model/.
      --localisation instead attributes every test record of RUN's classifier (--model) to the
      class of its planted, labelled finding and scores the map against the finding's true
      evidence mask (phantom): relevance mass and rank accuracy, pointing game, AUC, top-k
      intersection (Quantus's definitions, |A|), per method and condition with bootstrap CIs →
      RUN/sanity-localisation.json.
      Examples: ecgxai sanity runs/demo --task T_Wave_Amplitude
                ecgxai sanity runs/demo --localisation --methods saliency,ig,lrp-epsilon
      """)

  @Argument(help: "Run directory with the dataset in data/.")
  var runDirectory: String

  @Option(help: "P_Wave_Amplitude, R_Peak_Amplitude or T_Wave_Amplitude.")
  var task = "T_Wave_Amplitude"

  @Option(help: "Architecture of the regression model.")
  var arch = "lenet1d"

  @Option(help: "Training epochs.")
  var epochs = 20

  @Option(help: "Test records to attribute (the paper: 1000).")
  var records = 200

  @Option(help: "Comma-separated methods, any of `ecgxai explain`'s, with its defaults.")
  var methods = "saliency,ig,lrp-epsilon,guided-gradcam"

  @Option(help: "A PTB-XL+ Uni-G feature table (default: RUN/data/truth/unig_features.csv or data/features/…).")
  var features: String?

  @Option(help: "Seed of training, bootstrap, random orders and subsets.")
  var seed: UInt64 = 0

  @Option(help: "Test records for the randomisation and faithfulness tests (0 skips them).")
  var randomisationRecords = 16

  @Option(help: "Top-k size of the top-k intersection similarity (samples of the 12 × T map).")
  var topK = 120

  @Option(help: "Samples per lead window of the deletion and insertion curves.")
  var window = 10

  @Option(help: "Windows replaced per step of the deletion and insertion curves.")
  var windowsPerStep = 12

  @Option(help: "Steps of the deletion and insertion curves.")
  var perturbationSteps = 20

  @Option(help: "Random subsets per record of the faithfulness correlation.")
  var correlationRuns = 50

  @Option(help: "Samples per subset of the faithfulness correlation.")
  var subsetSize = 600

  @Option(help: "Bootstrap resamples of the 95 % confidence intervals (records resampled).")
  var bootstrap = 1000

  @Flag(help: "Localisation of RUN's classifier attributions against the phantom's evidence masks instead.")
  var localisation = false

  @Option(help: "Classifier model directory for --localisation (default RUN/model).")
  var model: String?

  func validate() throws {
    guard AmplitudeTask(rawValue: task) != nil else { throw ValidationError("--task must be P_Wave_Amplitude, R_Peak_Amplitude or T_Wave_Amplitude") }
    guard epochs > 0, records > 0, randomisationRecords >= 0 else {
      throw ValidationError("--epochs and --records must be positive, --randomisation-records ≥ 0")
    }
    guard topK >= 1, window >= 1, windowsPerStep >= 1, perturbationSteps >= 1, bootstrap >= 1 else {
      throw ValidationError("--top-k, --window, --windows-per-step, --perturbation-steps and --bootstrap must be positive")
    }
    guard correlationRuns >= 2, subsetSize >= 1 else { throw ValidationError("--correlation-runs must be ≥ 2 and --subset-size ≥ 1") }
    guard !methodNames.isEmpty else { throw ValidationError("--methods names no method") }
    for name in methodNames where !AttributionSpec.methodNames.contains(name) {
      throw ValidationError("unknown method '\(name)' in --methods; use \(AttributionSpec.methodNames.joined(separator: ", "))")
    }
  }

  /// The methods of --methods, in order.
  var methodNames: [String] {
    commaList(methods)
  }

  /// The amplitude-regression study's settings from the options.
  var settings: SanitySettings {
    var s = SanitySettings()
    s.task = AmplitudeTask(rawValue: task)!
    (s.architecture, s.epochs, s.records, s.seed) = (arch, epochs, records, seed)
    s.attributions = methodNames.map { AttributionSpec(method: $0) }
    (s.randomisationRecords, s.topK, s.window, s.windowsPerStep) = (randomisationRecords, topK, window, windowsPerStep)
    (s.perturbationSteps, s.correlationRuns, s.subsetSize, s.bootstrap) = (perturbationSteps, correlationRuns, subsetSize, bootstrap)
    return s
  }

  /// The localisation check's settings from the options.
  var localisationSettings: LocalisationSettings {
    var s = LocalisationSettings()
    (s.records, s.topK, s.bootstrap, s.seed) = (records, topK, bootstrap, seed)
    s.attributions = methodNames.map { AttributionSpec(method: $0) }
    return s
  }

  func run() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
    try prepareRunDirectory(runURL)
    let name: String
    if localisation {
      name = try Self.runLocalisation(runURL, settings: localisationSettings, model: model)
    } else {
      name = try Self.runRegression(runURL, settings: settings, features: features)
    }
    print("wrote \(runDirectory)/\(name) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
  }

  /// Prints the study's lines and shows its steps as a progress bar.
  static func report(_ event: SanityProgress) {
    switch event {
    case .line(let line): print(line)
    case .step(let done, let total): progress(done: done, total: total)
    }
  }

  /// The amplitude-regression study on RUN/data (the targets from `features` or the Uni-G table
  /// found in RUN/data): writes RUN/sanity-TASK.json and RUN/sanity-TASK-model/; returns the
  /// JSON file's name.
  static func runRegression(_ runURL: URL, settings: SanitySettings, features: String?) throws -> String {
    let dataURL = runURL.appendingPathComponent("data")
    guard let dataset = try DatasetOptions(data: dataURL.path, rate: 100, folds: nil).load() else { throw CLIError("no dataset") }
    let tableURL = try features.map { path -> URL in
      guard FileManager.default.fileExists(atPath: path) else { throw CLIError("feature table not found: \(path)") }
      return URL(fileURLWithPath: path)
    } ?? PTBXLPlus.locate("unig", in: dataURL)
    guard let tableURL else {
      throw CLIError("no Uni-G feature table: give --features PTB-XL+/features/unig_features.csv (the phantom has truth/unig_features.csv)")
    }
    // The phantom's true fiducials give the wave windows (else ecgxai's delineation).
    let truth = try? PhantomTruth(root: dataURL, ecgIDs: Set(LocalisationStudy.testRecordIDs(dataset)))
    let outcome = try SanityStudy(settings: settings).run(dataset: dataset, amplitudeTable: tableURL, truth: truth, progress: report)
    let task = settings.task.rawValue
    try outcome.model.save(to: runURL.appendingPathComponent("sanity-\(task)-model"))
    try outcome.result.jsonData().writeAtomically(to: try outputURL(runURL.appendingPathComponent("sanity-\(task).json").path))
    return "sanity-\(task).json"
  }

  /// The localisation check of RUN's classifier (`model`, default RUN/model) against the
  /// phantom's evidence masks: writes RUN/sanity-localisation.json; returns its name.
  static func runLocalisation(_ runURL: URL, settings: LocalisationSettings, model: String?) throws -> String {
    let dataURL = runURL.appendingPathComponent("data")
    let dataset: PTBXLDataset
    do { dataset = try PTBXLDataset(root: dataURL) } catch let error as PTBXLError { throw CLIError(error.description) }
    let classifier = try ModelOptions.load(model ?? runURL.appendingPathComponent("model").path)
    try DatasetOptions(data: dataURL.path, rate: 100, folds: nil).check(classifier)
    guard !(classifier.architecture.classNames ?? []).isEmpty else {
      throw CLIError("the classifier has no class names; --localisation needs them to find each record's class")
    }
    let truth: PhantomTruth
    do { truth = try PhantomTruth(root: dataURL, ecgIDs: Set(LocalisationStudy.testRecordIDs(dataset))) } catch {
      throw CLIError("--localisation needs the phantom's truth (RUN/data/truth/ with evidence masks): \(error)")
    }
    let result = try LocalisationStudy(settings: settings).run(dataset: dataset, classifier: classifier, truth: truth, progress: report)
    try result.jsonData().writeAtomically(to: try outputURL(runURL.appendingPathComponent("sanity-localisation.json").path))
    return "sanity-localisation.json"
  }
}
