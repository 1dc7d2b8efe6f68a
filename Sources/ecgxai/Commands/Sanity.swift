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

  static let wave = ["P_Wave_Amplitude": "P", "R_Peak_Amplitude": "R", "T_Wave_Amplitude": "T"]

  func validate() throws {
    guard Self.wave[task] != nil else { throw ValidationError("--task must be P_Wave_Amplitude, R_Peak_Amplitude or T_Wave_Amplitude") }
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
    methods.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  func run() throws {
    if localisation { try runLocalisation() } else { try runRegression() }
  }
}
