import Foundation

/// The TCAV protocol's settings. Defaults follow the paper (../PAPER.md, hhi-aml/xai4ecg
/// `tcav_analysis.py`) where it fixes them and tensorflow/tcav's significance test otherwise.
public struct TCAVSettings: Sendable, Codable, Equatable {
  /// Layer paths to probe (`LayerProbe.defaultLayers` when empty: every layer, as the paper).
  public var layers: [String]
  /// R: CAV runs per concept, each with freshly drawn negatives (and positives, see
  /// `maxExamples`). The paper: 1 (no test); ecgxai: 10.
  public var runs: Int
  /// Random-vs-random runs per example count m (the baseline of the test). Random CAVs' scores
  /// spread widely (deep layers: sign_count near 0 or 1), so the baseline needs more runs than
  /// a concept; default 30.
  public var randomRuns: Int
  /// The most concept examples per run: m = min(maxExamples, max(⌊examples/R⌋, minExamples),
  /// examples, non-examples). 0 = no cap (the paper used every example once; the cost grows as m²).
  public var maxExamples: Int
  /// The fewest examples per run before runs start sharing examples (see `TCAVAnalysis`);
  /// default 6, so only concepts with fewer than 6·R records share examples between runs.
  public var minExamples: Int
  /// Inputs per target (records with the target's label), drawn once; 0 = all (the paper).
  public var maxInputs: Int
  /// How CAVs are learned.
  public var classifier: CAVClassifier
  /// Share of each class held out to measure a CAV's accuracy (Captum: 0.33).
  public var holdOutFraction: Double
  /// Family-wise significance level after Bonferroni over concepts × layers × targets.
  public var alpha: Double
  /// Seed of every random draw (runs are reproducible and independent of thread count).
  public var seed: UInt64
  /// Random record subsets analysed as if they were concepts, to measure the false-positive
  /// rate of the test on this model and data (0 = none).
  public var nullConcepts: Int
  /// Student's t-test (tensorflow/tcav: `scipy.stats.ttest_ind`, equal variances) instead of
  /// Welch's (the default: a concept's scores are far less spread than random ones, and the
  /// groups differ in size, where Student's pooled variance misstates both).
  public var equalVariances: Bool

  /// Creates settings; see the properties for the defaults.
  public init(
    layers: [String] = [], runs: Int = 10, randomRuns: Int = 30, maxExamples: Int = 100, minExamples: Int = 6, maxInputs: Int = 200,
    classifier: CAVClassifier = .logistic, holdOutFraction: Double = 0.33, alpha: Double = 0.05,
    seed: UInt64 = 0, nullConcepts: Int = 0, equalVariances: Bool = false
  ) {
    self.layers = layers
    self.runs = runs
    self.randomRuns = randomRuns
    self.maxExamples = maxExamples
    self.minExamples = minExamples
    self.maxInputs = maxInputs
    self.classifier = classifier
    self.holdOutFraction = holdOutFraction
    self.alpha = alpha
    self.seed = seed
    self.nullConcepts = nullConcepts
    self.equalVariances = equalVariances
  }

  /// Checks the ranges.
  /// - Throws: `ConceptError.invalidSettings` naming the setting.
  public func validate() throws {
    guard runs >= 2, randomRuns >= 2 else { throw ConceptError.invalidSettings("runs and random runs must be at least 2 for the t-test (got \(runs), \(randomRuns))") }
    guard maxExamples == 0 || maxExamples >= 6 else { throw ConceptError.invalidSettings("max examples must be 0 (all) or at least 6 (got \(maxExamples))") }
    guard minExamples >= 6 else { throw ConceptError.invalidSettings("min examples must be at least 6 (got \(minExamples))") }
    guard maxInputs >= 0 else { throw ConceptError.invalidSettings("max inputs must be 0 (all) or positive") }
    guard holdOutFraction > 0 && holdOutFraction < 0.9 else { throw ConceptError.invalidSettings("hold-out fraction must be in (0, 0.9)") }
    guard alpha > 0 && alpha < 1 else { throw ConceptError.invalidSettings("alpha must be in (0, 1)") }
    guard nullConcepts >= 0 else { throw ConceptError.invalidSettings("null concepts must be ≥ 0") }
  }
}

/// The concept → class pairs the paper expects (../PAPER.md), with the superdiagnostic classes
/// that contain those classes: LVH criteria → LVH (HYP), QRS-CLBBB → CLBBB, ILBBB (CD), ST and Q
/// criteria of MI → IMI, AMI (MI).
public enum ExpectedConceptPairs {
  /// Expected target classes per concept.
  public static let targets: [String: [String]] = {
    var pairs: [String: [String]] = [:]
    for c in ["RS-LVH", "S12-LVH", "R56-LVH", "QRS-LVH", "LI-LVH", "SLI-LVH"] { pairs[c] = ["LVH", "HYP"] }
    pairs["QRS-CLBBB"] = ["CLBBB", "ILBBB", "CD"]
    for c in ["ST-ELEV-MI", "ST-DEPR-MI", "MI-All", "MI-QPeak"] { pairs[c] = ["IMI", "AMI", "MI"] }
    return pairs
  }()

  /// Whether the paper expects `concept` to matter for `target`.
  public static func contains(concept: String, target: String) -> Bool {
    targets[concept]?.contains(target) ?? false
  }
}

/// A concept: a name and the records (positions in the analysis's record pool) that have it.
public struct ConceptExamples: Sendable, Codable, Equatable {
  /// Concept name (e.g. `R56-LVH`, or a user query's name).
  public var name: String
  /// Positions of the records with the concept.
  public var members: [Int]
  /// Creates a concept.
  public init(name: String, members: [Int]) {
    self.name = name
    self.members = members
  }
}

/// A target: a model output and the records whose gradients are scored (e.g. those labelled
/// with that class).
public struct TCAVTarget: Sendable, Codable, Equatable {
  /// Class name.
  public var name: String
  /// Output index.
  public var output: Int
  /// Positions of the candidate input records.
  public var members: [Int]
  /// Creates a target.
  public init(name: String, output: Int, members: [Int]) {
    self.name = name
    self.output = output
    self.members = members
  }
}
