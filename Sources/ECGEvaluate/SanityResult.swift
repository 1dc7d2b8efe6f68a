import ECGExplain
import Foundation

/// What `SanityStudy.run` found: RUN/sanity-TASK.json. Every key is the one ecgxai always wrote;
/// `schema_version` and `provenance` (the regression model's digest, the dataset's, the seed)
/// were added.
public struct SanityResult: Codable, Sendable, Equatable {
  /// The schema version this build writes.
  public static let currentSchemaVersion = 1
  /// Schema version of the file.
  public var schemaVersion: Int
  /// How the result was made (the attribution of each method is in its `MethodResult`).
  public var provenance: Provenance
  /// The amplitude task.
  public var task: AmplitudeTask
  /// Architecture of the regression model.
  public var arch: String
  /// Training epochs.
  public var epochs: Int
  /// Seed of training, bootstrap, random orders and subsets.
  public var seed: UInt64
  /// Path of the Uni-G feature table the targets came from.
  public var featureTable: String
  /// Record counts.
  public var records: Records
  /// Test R² (mean and standard deviation over 10 bootstrap resamples of fold 10).
  public var testR2: MeanStd
  /// Test mean absolute error, mV (mean and standard deviation over 10 bootstrap resamples).
  public var testMAE: MeanStd
  /// The per-lead standardisation of the targets (training folds), mV.
  public var targetStandardisation: Standardisation
  /// The true wave window, ms from the R peak: [first, last] (bins of 10 ms).
  public var waveWindowMs: [Int]
  /// The wave window's share of the profile (what a flat profile would put inside it).
  @NullIfNonFinite public var chanceShare: Double
  /// The profile's cut, ms from the R peak: [−300, 500].
  public var profileMs: [Int]
  /// Every check of every method, in the order of the settings' attributions.
  public var methods: [MethodResult]
  /// The signal's own profile on the same cut (L2 over leads, mean over beats, unit norm).
  @NullIfNonFinite public var signalProfile: [Double]
  /// The methods by mean rank over `rankingChecks`, best first.
  public var ranking: [Rank]
  /// The checks every method has, which the ranking averages over.
  public var rankingChecks: [String]
  /// The settings of the checks.
  public var settings: CheckSettings
  /// Wall-clock seconds of the study.
  @NullIfNonFinite public var seconds: Double

  /// Record counts: training, validation and test records with all 12 targets; test records
  /// attributed; records of the randomisation and faithfulness tests.
  public struct Records: Codable, Sendable, Equatable {
    /// Records of folds 1–8, 9 and 10 with all 12 targets.
    public var train: Int, validation: Int, test: Int
    /// Test records attributed for specificity and profiles.
    public var attributed: Int
    /// Test records of the randomisation and faithfulness tests.
    public var randomisation: Int
  }

  /// A mean with its standard deviation.
  public struct MeanStd: Codable, Sendable, Equatable {
    /// Mean and standard deviation.
    @NullIfNonFinite public var mean: Double
    @NullIfNonFinite public var std: Double
  }

  /// Per-lead mean and standard deviation of the targets, mV (12 each, I … V6).
  public struct Standardisation: Codable, Sendable, Equatable {
    /// Mean per lead, mV.
    @NullIfNonFinite public var meanMV: [Double]
    /// Standard deviation per lead, mV (at least 1e-6).
    @NullIfNonFinite public var stdMV: [Double]
    private enum CodingKeys: String, CodingKey { case meanMV = "mean_mV", stdMV = "std_mV" }
  }

  /// A method's mean rank (1 = best).
  public struct Rank: Codable, Sendable, Equatable {
    /// Method name.
    public var method: String
    /// Mean rank over the checks.
    @NullIfNonFinite public var meanRank: Double
    private enum CodingKeys: String, CodingKey { case method, meanRank = "mean_rank" }
  }

  /// The settings of the checks as the file records them.
  public struct CheckSettings: Codable, Sendable, Equatable {
    /// Bootstrap resamples of the 95 % confidence intervals.
    public var bootstrapResamples: Int
    /// Confidence level (0.95).
    public var confidenceLevel: Double
    /// Top-k size of the top-k intersection (samples of the 12 × T map).
    public var topK: Int
    /// Samples per lead window of the deletion and insertion curves.
    public var windowSamples: Int
    /// Windows replaced per step, and steps, of the deletion and insertion curves.
    public var windowsPerStep: Int, perturbationSteps: Int
    /// Random subsets per record, and samples per subset, of the faithfulness correlation.
    public var correlationRuns: Int, subsetSize: Int
    /// Which output each randomisation record explains.
    public var randomisationTargets: String
    private enum CodingKeys: String, CodingKey {
      case bootstrapResamples = "bootstrap_resamples", confidenceLevel = "confidence_level", topK = "top_k"
      case windowSamples = "window_samples", windowsPerStep = "windows_per_step", perturbationSteps = "perturbation_steps"
      case correlationRuns = "correlation_runs", subsetSize = "subset_size", randomisationTargets = "randomisation_targets"
    }
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, task, arch, epochs, seed, featureTable = "feature_table", records
    case testR2 = "test_r2", testMAE = "test_mae_mV", targetStandardisation = "target_standardisation"
    case waveWindowMs = "wave_window_ms", chanceShare = "chance_share", profileMs = "profile_ms", methods
    case signalProfile = "signal_profile", ranking, rankingChecks = "ranking_checks", settings, seconds
  }
}

/// Every check of one method (an entry of `methods` in sanity-TASK.json).
public struct MethodResult: Codable, Sendable, Equatable {
  /// The method's name (`AttributionMethod.name`).
  public var method: String
  /// The attribution spec and the model it attributed.
  public var provenance: Provenance
  /// Spatial specificity and the temporal relevance profile (every record attributed).
  public var amplitude: AmplitudeChecks
  /// Randomisation and faithfulness tests; nil when no randomisation records were asked for.
  public var randomisation: RandomisationChecks?
  /// The data-randomisation test; nil without randomisation records.
  public var dataRandomisation: DataRandomisation?

  /// The paper's two scores: spatial specificity and the temporal relevance profile.
  public struct AmplitudeChecks: Codable, Sendable, Equatable {
    /// Mean over records of ‖A[c]‖ / ‖(‖A[l]‖)_l‖ (1 ideal, 0.289 uniform).
    @NullIfNonFinite public var spatialSpecificity: Double
    /// Its percentile bootstrap 95 % CI ({} when no record has a value).
    @EmptyObjectIfNil public var spatialSpecificityCI: BootstrapCI.Interval?
    /// Where the profile peaks, ms from the R peak.
    public var profilePeakMs: Int
    /// The profile's share inside the true wave window.
    @NullIfNonFinite public var shareInWaveWindow: Double
    /// That share over the chance share.
    @NullIfNonFinite public var shareOverChance: Double
    /// Bootstrap CI of the share, and of the share over chance.
    public var shareInWaveWindowCI: BootstrapCI.Interval, shareOverChanceCI: BootstrapCI.Interval
    /// The relevance profile (−300…+500 ms in 10 ms bins, L2 over leads, mean over beats, unit norm).
    @NullIfNonFinite public var profile: [Double]
    private enum CodingKeys: String, CodingKey {
      case spatialSpecificity = "spatial_specificity", spatialSpecificityCI = "spatial_specificity_ci"
      case profilePeakMs = "profile_peak_ms", shareInWaveWindow = "share_in_wave_window", shareOverChance = "share_over_chance"
      case shareInWaveWindowCI = "share_in_wave_window_ci", shareOverChanceCI = "share_over_chance_ci", profile
    }
  }

  /// One step of model-parameter randomisation: similarity of the map to the original.
  public struct RandomisationStep: Codable, Sendable, Equatable {
    /// The layer randomised (last of the cascade so far).
    public var layer: String
    /// Spearman of |A| (key `spearman`) and of the signed map (key `spearman_signed`).
    @NullIfNonFinite public var spearman: Double
    @NullIfNonFinite public var spearmanSigned: Double
    /// SSIM and top-k intersection of |A|.
    @NullIfNonFinite public var ssim: Double
    @NullIfNonFinite public var topKIntersection: Double
    private enum CodingKeys: String, CodingKey {
      case layer, spearman, spearmanSigned = "spearman_signed", ssim, topKIntersection = "top_k_intersection"
    }
  }

  /// The random-logit test: similarity to the map of another output.
  public struct RandomLogitCheck: Codable, Sendable, Equatable {
    /// The other output of each record.
    public var offTargets: [Int]
    /// The similarities (flattened into this object in the file).
    public var scores: Similarity.Scores
    private enum CodingKeys: String, CodingKey { case offTargets = "off_targets" }
    /// Reads `off_targets` and the four similarities.
    public init(from decoder: any Decoder) throws {
      offTargets = try decoder.container(keyedBy: CodingKeys.self).decode([Int].self, forKey: .offTargets)
      scores = try Similarity.Scores(from: decoder)
    }
    /// Writes the four similarities and `off_targets` in one object.
    public func encode(to encoder: any Encoder) throws {
      try scores.encode(to: encoder)
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(offTargets, forKey: .offTargets)
    }
    init(offTargets: [Int], scores: Similarity.Scores) { (self.offTargets, self.scores) = (offTargets, scores) }
  }

  /// Region perturbation (Samek et al. 2017): output change as 1–20 % of samples are zeroed.
  public struct RegionPerturbation: Codable, Sendable, Equatable {
    /// Fractions of samples removed.
    @NullIfNonFinite public var fractions: [Double]
    /// Output change per fraction (samples removed in attribution order), and its AOPC.
    @NullIfNonFinite public var change: [Double]
    @NullIfNonFinite public var aopc: Double
    /// The same for a random order.
    @NullIfNonFinite public var randomChange: [Double]
    @NullIfNonFinite public var randomAOPC: Double
    private enum CodingKeys: String, CodingKey {
      case fractions, change, aopc, randomChange = "random_change", randomAOPC = "random_aopc"
    }
  }

  /// A deletion or insertion curve over lead × time windows against a random window order.
  public struct WindowCurveCheck: Codable, Sendable, Equatable {
    /// Windows replaced after each step.
    public var windows: [Int]
    /// Mean output change per step, AOPC and AOPC of |Δ output|.
    @NullIfNonFinite public var change: [Double]
    @NullIfNonFinite public var aopc: Double
    @NullIfNonFinite public var aopcAbs: Double
    /// The same for the random window order.
    @NullIfNonFinite public var randomChange: [Double]
    @NullIfNonFinite public var randomAOPC: Double
    @NullIfNonFinite public var randomAOPCAbs: Double
    /// AOPC of |Δ output| over the random order's.
    @NullIfNonFinite public var overRandom: Double
    private enum CodingKeys: String, CodingKey {
      case windows, change, aopc, aopcAbs = "aopc_abs", randomChange = "random_change", randomAOPC = "random_aopc"
      case randomAOPCAbs = "random_aopc_abs", overRandom = "over_random"
    }
  }

  /// Randomisation and faithfulness tests on the randomisation records.
  public struct RandomisationChecks: Codable, Sendable, Equatable {
    /// Cascading model-parameter randomisation from the output layer.
    public var cascading: [RandomisationStep]
    /// Independent (one layer at a time) model-parameter randomisation.
    public var independent: [RandomisationStep]
    /// The random-logit test.
    public var randomLogit: RandomLogitCheck
    /// Region perturbation of single samples.
    public var faithfulness: RegionPerturbation
    /// Deletion and insertion curves by baseline (`zero`, `lead-mean`).
    public var deletion: [String: WindowCurveCheck], insertion: [String: WindowCurveCheck]
    /// Faithfulness correlation by baseline: bootstrap CI of the per-record Pearson ({} if none).
    public var faithfulnessCorrelation: [String: EmptyObjectIfNil<BootstrapCI.Interval>]
    private enum CodingKeys: String, CodingKey {
      case cascading = "randomisation", independent = "randomisation_independent", randomLogit = "random_logit", faithfulness
      case deletion, insertion, faithfulnessCorrelation = "faithfulness_correlation"
    }
  }

  /// The data-randomisation test: similarity to the maps of the model trained on permuted targets.
  public struct DataRandomisation: Codable, Sendable, Equatable {
    /// Spearman of |A| (also inside `scores`).
    @NullIfNonFinite public var spearman: Double
    /// The four similarities.
    public var scores: Similarity.Scores
    private enum CodingKeys: String, CodingKey { case spearman = "data_randomisation_spearman", scores = "data_randomisation" }
  }

  private enum CodingKeys: String, CodingKey { case method, provenance }

  /// Reads one method's entry (the parts are flattened into one object in the file).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    method = try c.decode(String.self, forKey: .method)
    provenance = try c.decodeIfPresent(Provenance.self, forKey: .provenance) ?? .unrecorded
    amplitude = try AmplitudeChecks(from: decoder)
    let keys = Set(try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue))
    randomisation = keys.contains("randomisation") ? try RandomisationChecks(from: decoder) : nil
    dataRandomisation = keys.contains("data_randomisation") ? try DataRandomisation(from: decoder) : nil
  }

  /// Writes one method's entry: its parts flattened into one object.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(method, forKey: .method)
    try c.encode(provenance, forKey: .provenance)
    try amplitude.encode(to: encoder)
    try randomisation?.encode(to: encoder)
    try dataRandomisation?.encode(to: encoder)
  }

  init(method: String, provenance: Provenance, amplitude: AmplitudeChecks) {
    (self.method, self.provenance, self.amplitude) = (method, provenance, amplitude)
  }
}

/// A coding key of any name.
struct AnyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension SanityResult {
  /// The result as ecgxai writes it: pretty-printed JSON with sorted keys (non-finite numbers as
  /// `null`).
  public func jsonData() throws -> Data { try sanityJSONEncoder().encode(self) }
}

/// The encoder of the sanity result files: pretty-printed, sorted keys.
func sanityJSONEncoder() -> JSONEncoder {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
  return encoder
}
