import ECGExplain

/// What `TCAVAnalysis` found; `tcav.json` is this value encoded (`TCAVStudy.Output.write`).
/// Its keys are camelCase as they always were, apart from the two added in schema version 1,
/// `schema_version` and `provenance`.
public struct TCAVResult: Sendable, Codable {
  /// The schema version of `tcav.json` this type writes.
  public static let currentSchemaVersion = 1
  /// One concept (or null concept, or relative pair) as analysed.
  public struct Concept: Sendable, Codable, Equatable {
    /// Name (`A vs B` for a relative pair; `null-K` for a null concept).
    public var name: String
    /// `expert`, `null` or `relative`.
    public var kind: String
    /// Records with the concept in the pool.
    public var examples: Int
    /// Records without it that negatives were drawn from.
    public var nonExamples: Int
    /// Positives (= negatives) per run.
    public var perRun: Int
    /// Whether every run had its own positives (no record in two runs).
    public var disjointRuns: Bool
  }

  /// One probed layer.
  public struct Layer: Sendable, Codable, Equatable {
    /// Layer path.
    public var name: String
    /// Flattened features per record.
    public var features: Int
  }

  /// One target.
  public struct Target: Sendable, Codable, Equatable {
    /// Class name.
    public var name: String
    /// Output index.
    public var output: Int
    /// Inputs scored.
    public var inputs: Int
  }

  /// The scores of one concept at one layer for one target, against the random baseline.
  public struct Cell: Sendable, Codable, Equatable {
    /// Concept name.
    public var concept: String
    /// Layer path.
    public var layer: String
    /// Target name.
    public var target: String
    /// Captum `sign_count` per run [R].
    public var signCounts: [Double]
    /// Captum `magnitude` per run [R].
    public var magnitudes: [Double]
    /// `sign_count` of the random-vs-random CAVs of the same size [random runs].
    public var randomSignCounts: [Double]
    /// Mean `sign_count` over runs, and over random runs.
    public var meanSignCount: Double, randomMeanSignCount: Double
    /// Two-sided t-test of `signCounts` against `randomSignCounts` (nil when undefined, e.g.
    /// every score equal).
    public var t: Double?, p: Double?
    /// Bonferroni-adjusted p over every concept × layer × target of the family.
    public var pBonferroni: Double?
    /// Cohen's d of the scores against the random scores.
    public var cohensD: Double?
    /// p-adjusted < alpha.
    public var significant: Bool
  }

  /// The CAV accuracies of one concept at one layer.
  public struct Accuracy: Sendable, Codable, Equatable {
    /// Concept name (`random m=K` for the random-vs-random runs of K examples).
    public var concept: String
    /// Layer path.
    public var layer: String
    /// Hold-out accuracy per run [R].
    public var runs: [Double]
    /// Mean over runs.
    public var mean: Double
  }

  /// How often random record subsets came out significant.
  public struct NullCalibration: Sendable, Codable, Equatable {
    /// Null concepts analysed.
    public var concepts: Int
    /// Tests per null concept (layers × targets).
    public var testsPerConcept: Int
    /// Share of null tests with unadjusted p < alpha (≈ alpha if the test is calibrated).
    public var unadjustedRate: Double
    /// Share of null concepts with at least one test significant after the family's Bonferroni
    /// adjustment (the false-positive rate a user of the real concepts faces per concept).
    public var familyRate: Double
  }

  /// The settings used.
  public var settings: TCAVSettings
  /// Expert, relative and null concepts.
  public var concepts: [Concept]
  /// Concepts left out, with the reason.
  public var skipped: [String: String]
  /// Probed layers.
  public var layers: [Layer]
  /// Targets.
  public var targets: [Target]
  /// Every concept × layer × target (null concepts included, kind `null`).
  public var cells: [Cell]
  /// CAV accuracies.
  public var accuracies: [Accuracy]
  /// The null calibration, when null concepts were analysed.
  public var nullCalibration: NullCalibration?
  /// Number of tests the Bonferroni adjustment counted.
  public var bonferroniTests: Int
  /// The schema version of the file this value was read from (`currentSchemaVersion` when made
  /// here; 0 for a `tcav.json` written before versioning).
  public var schemaVersion: Int
  /// How the result was made: ecgxai version, model SHA-256, dataset SHA-256 (set by
  /// `TCAVStudy`; nil when `TCAVAnalysis` ran on records from elsewhere) and seed.
  public var provenance: Provenance

  enum CodingKeys: String, CodingKey {
    case settings, concepts, skipped, layers, targets, cells, accuracies, nullCalibration, bonferroniTests
    case schemaVersion = "schema_version", provenance
  }
}

extension TCAVResult {
  /// Decodes a result; a `tcav.json` written before schema version 1 (without `schema_version`
  /// and `provenance`) reads as version 0 with an empty provenance (ecgxai version `unknown`).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    settings = try c.decode(TCAVSettings.self, forKey: .settings)
    concepts = try c.decode([Concept].self, forKey: .concepts)
    skipped = try c.decode([String: String].self, forKey: .skipped)
    layers = try c.decode([Layer].self, forKey: .layers)
    targets = try c.decode([Target].self, forKey: .targets)
    cells = try c.decode([Cell].self, forKey: .cells)
    accuracies = try c.decode([Accuracy].self, forKey: .accuracies)
    nullCalibration = try c.decodeIfPresent(NullCalibration.self, forKey: .nullCalibration)
    bonferroniTests = try c.decode(Int.self, forKey: .bonferroniTests)
    schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? 0
    if let stored = try c.decodeIfPresent(Provenance.self, forKey: .provenance) {
      provenance = stored
    } else {
      provenance = Provenance()
      provenance.ecgxaiVersion = "unknown"
    }
  }
}
