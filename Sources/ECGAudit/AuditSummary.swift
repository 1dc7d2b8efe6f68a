import ECGExplain
import Foundation

/// The audit's findings (`audit.json`, the result of `AuditRun`): per condition, the paper's map
/// with its top cells, and how strongly the expert-rule cells (and, on the phantom, the truly
/// planted cells) dominate. The full tables are in `results.sqlite` (ECGAuditStore).
public struct AuditSummary: Sendable, Codable, Equatable {
  /// The version of this file's layout (`schema_version`).
  public static let currentSchemaVersion = 1

  /// The layout version the file was written with.
  public var schemaVersion: Int
  /// How the result was made: ecgxai version, attribution spec, model and dataset SHA-256, seed
  /// (the bootstrap's).
  public var provenance: Provenance
  /// The settings of the run.
  public var settings: AuditSettings
  /// Records seen (all shards).
  public var records: Int
  /// One entry per audited condition.
  public var conditions: [ConditionSummary]

  /// A summary of the current schema version; the provenance is taken from `settings`.
  public init(settings: AuditSettings, records: Int, conditions: [ConditionSummary]) {
    schemaVersion = Self.currentSchemaVersion
    provenance = Provenance(
      attribution: settings.attribution, modelSHA256: settings.modelSHA256, datasetSHA256: settings.datasetSHA256,
      seed: settings.seed)
    self.settings = settings
    self.records = records
    self.conditions = conditions
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, settings, records, conditions
  }

  /// The bytes of `audit.json`: pretty-printed with sorted keys, non-finite numbers as the strings
  /// `inf`, `-inf`, `nan`.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(self)
  }
}

/// The typed result of an audit (`audit.json`).
public typealias AuditResult = AuditSummary

/// One cell of a map, named.
public struct CellSummary: Sendable, Codable, Equatable {
  /// `V1 R-Peak`.
  public var cell: String
  /// Lead name and segment label.
  public var lead: String, segment: String
  /// Mean over the group of the paper's M (mean |relevance| per sample of the cell).
  public var meanRelevance: Double
  /// Effect size against the reference (AUC of the densities) and its Holm-adjusted p.
  public var auc: Double?, pHolm: Double?
  /// Whether the cell belongs to the condition's expert rule / to its true evidence.
  public var ruleCell: Bool, evidenceCell: Bool?
}

/// How strongly a set of cells (rule or truth) dominates a condition's relevance.
public struct AlignmentScores: Sendable, Codable, Equatable {
  /// Cells in the set.
  public var cells: Int
  /// AUC of the per-cell enrichment (condition vs reference AUC) separating the set's cells from
  /// the others: 1 = every set cell is more enriched than every other cell, 0.5 = chance.
  public var enrichmentAUC: Double?
  /// Mean percentile rank of the set's cells in the condition's map (1 = top, 0 = bottom).
  public var meanRankPercentile: Double
  /// Share of the group's |relevance| in the set's cells (mean over records of Σ share).
  public var relevanceShare: Double
  /// The set's share of the soft support (what a uniform attribution would give).
  public var chanceShare: Double
  /// relevanceShare / chanceShare.
  public var enrichment: Double
  /// How many of the map's top-5 cells are in the set.
  public var topFiveInSet: Int
  /// Set cells significantly enriched (Holm p < alpha and AUC > 0.5).
  public var significantCells: Int
  /// Median Holm-adjusted p of the set's tested cells.
  public var medianHolmP: Double?
}

/// One condition's map at one resolution.
public struct MapSummary: Sendable, Codable, Equatable {
  /// `fine` (24 classes per lead) or `coarse` (P, PQ, QRS, ST, T, TP).
  public var view: AuditView
  /// The five highest cells of the map (mean over the group of the paper's M).
  public var topCells: [CellSummary]
  /// Cells significantly enriched against the reference (Holm p < alpha, AUC > 0.5).
  public var significantCells: Int
  /// Cells of the map (288 or 72).
  public var cells: Int
  /// Alignment with the expert rule (nil: no rule for this condition).
  public var rules: AlignmentScores?
  /// Alignment with the true evidence (phantom only).
  public var truth: AlignmentScores?
}

/// One condition's results.
public struct ConditionSummary: Sendable, Codable, Equatable {
  /// Condition (class name).
  public var condition: String
  /// Records in the condition's group and in the reference group.
  public var n: Int, referenceN: Int
  /// Of the group, how many carry the condition's label.
  public var labelled: Int
  /// Records whose attribution is zero everywhere (no density, left out of the tests), in the
  /// group and in the reference — e.g. GradCAM's ReLU on records without the class's evidence.
  public var zeroRelevance: Int, referenceZeroRelevance: Int
  /// The paper's 12 × 24 map.
  public var fine: MapSummary
  /// The coarse 12 × 6 map.
  public var coarse: MapSummary
}
