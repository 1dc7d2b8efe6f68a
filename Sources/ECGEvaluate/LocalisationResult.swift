import ECGExplain
import Foundation

/// What `LocalisationStudy.run` found: RUN/sanity-localisation.json. Every key is the one ecgxai
/// always wrote; `schema_version` and `provenance` (the classifier's and the dataset's digests,
/// the seed) were added.
public struct LocalisationResult: Codable, Sendable, Equatable {
  /// The schema version this build writes.
  public static let currentSchemaVersion = 1
  /// Schema version of the file.
  public var schemaVersion: Int
  /// How the result was made (each method's attribution is in its `Method`).
  public var provenance: Provenance
  /// Architecture name of the classifier.
  public var model: String
  /// The classifier's class names.
  public var classes: [String]
  /// Test records attributed.
  public var records: Int
  /// Codes of the planted findings, sorted.
  public var conditions: [String]
  /// Records per finding code, and per attributed class.
  public var recordsPerCondition: [String: Int], recordsPerClass: [String: Int]
  /// What each record was attributed to.
  public var targets: String
  /// How the maps were scored.
  public var attribution: String
  /// Top-k size of the top-k intersection (samples of the 12 × 1000 map).
  public var topK: Int
  /// Bootstrap resamples and the confidence level of the intervals.
  public var bootstrapResamples: Int
  public var confidenceLevel: Double
  /// Per method: the metrics per condition, per class and over all records.
  public var methods: [Method]
  /// Wall-clock seconds of the study.
  @NullIfNonFinite public var seconds: Double

  /// One method's scores.
  public struct Method: Codable, Sendable, Equatable {
    /// The method's name (`AttributionMethod.name`).
    public var method: String
    /// The attribution spec and the classifier it attributed.
    public var provenance: Provenance
    /// Scores per finding code, and per attributed class name.
    public var conditions: [String: Summary], classes: [String: Summary]
    /// Scores over every attributed record.
    public var all: Summary
  }

  /// The five localisation metrics (Quantus's definitions on |A|) over a group of records: the
  /// mean with a percentile bootstrap 95 % CI each ({} when no record was scored).
  public struct Summary: Codable, Sendable, Equatable {
    /// Records scored, and records without a score (empty mask or all-zero map).
    public var n: Int, unscored: Int
    /// Relevance mass accuracy: share of |A| inside the evidence mask.
    @EmptyObjectIfNil public var relevanceMassAccuracy: BootstrapCI.Interval?
    /// Relevance rank accuracy: share of the mask's size-many largest |A| inside the mask.
    @EmptyObjectIfNil public var relevanceRankAccuracy: BootstrapCI.Interval?
    /// Pointing game: whether the largest |A| lies inside the mask.
    @EmptyObjectIfNil public var pointingGame: BootstrapCI.Interval?
    /// AUC of |A| separating mask from non-mask samples.
    @EmptyObjectIfNil public var auc: BootstrapCI.Interval?
    /// Top-k intersection: share of the k largest |A| inside the mask.
    @EmptyObjectIfNil public var topKIntersection: BootstrapCI.Interval?
    /// The masks' mean share of the record: the relevance mass a uniform map would get (0 when none scored).
    @NullIfNonFinite public var chanceMass: Double
    /// Summed relevance mass over summed chance mass, with its CI; nil when no record was scored.
    public var massOverChance: BootstrapCI.Interval?

    private enum CodingKeys: String, CodingKey {
      case n, unscored, relevanceMassAccuracy = "relevance_mass_accuracy", relevanceRankAccuracy = "relevance_rank_accuracy"
      case pointingGame = "pointing_game", auc, topKIntersection = "top_k_intersection", chanceMass = "chance_mass"
      case massOverChance = "mass_over_chance"
    }
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, model, classes, records, conditions
    case recordsPerCondition = "records_per_condition", recordsPerClass = "records_per_class", targets, attribution
    case topK = "top_k", bootstrapResamples = "bootstrap_resamples", confidenceLevel = "confidence_level", methods, seconds
  }
}

extension LocalisationResult {
  /// The result as ecgxai writes it: pretty-printed JSON with sorted keys (non-finite numbers as
  /// `null`).
  public func jsonData() throws -> Data { try sanityJSONEncoder().encode(self) }
}
