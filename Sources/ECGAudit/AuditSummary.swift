/// The audit's findings (`audit.json`): per condition, the paper's map with its top cells, and
/// how strongly the expert-rule cells (and, on the phantom, the truly planted cells) dominate.
public struct AuditSummary: Sendable, Codable, Equatable {
  /// The settings of the run.
  public var settings: AuditSettings
  /// Records seen (all shards).
  public var records: Int
  /// One entry per audited condition.
  public var conditions: [ConditionSummary]
}

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
