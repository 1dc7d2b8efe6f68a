/// What an audit measures and how; stored in every partial and final result (`meta` table) so
/// that shards can only be merged when they were made alike.
public struct AuditSettings: Sendable, Codable, Equatable {
  /// Conditions audited (model class names), e.g. LVH, CLBBB, IMI, ASMI, AMI.
  public var conditions: [String]
  /// Reference group's class (default NORM).
  public var reference: String
  /// Which output the reference group is attributed to: `condition` (default: the condition's
  /// own output, so the test contrasts the same function on condition vs reference records) or
  /// `reference` (the reference class's output, the paper's side-by-side maps).
  public var referenceOutput: String
  /// Group selection: `top` (the paper's: the N records with the highest predicted score of the
  /// class) or `labelled` (every record labelled with the class).
  public var selection: String
  /// N of the `top` selection (the paper's 100).
  public var topN: Int
  /// Attribution method name (ECGExplain), e.g. `saliency` (|gradient|, the paper's).
  public var method: String
  /// Segmentation source: `delineation` (ECGSignal) or `truth` (the phantom's fiducials).
  public var segmentation: String
  /// Sampling rate of the records in Hz.
  public var rateHz: Int
  /// The model's class names (output order).
  public var classes: [String]
  /// Model identity: architecture name and SHA-256 prefix of its weights file.
  public var model: String
  /// Half-width of a point class's window in seconds (default 0.02).
  public var pointHalfWidth: Double
  /// J-point class position after QRS offset in seconds (default 0.06).
  public var jPointDelay: Double
  /// Bootstrap resamples of the confidence intervals.
  public var bootstrapResamples: Int
  /// Seed of the bootstrap.
  public var seed: UInt64
  /// Significance level used for counting significant cells (Holm-adjusted).
  public var alpha: Double
  /// Names of the user's feature queries that define subgroups (a `ConceptRules` file over
  /// features.csv); each splits a condition's group into the records where it holds and the rest.
  public var featureQueries: [String]

  /// The classes the audit attributes: the conditions and the reference.
  public var targets: [String] { conditions + (conditions.contains(reference) ? [] : [reference]) }

  /// Creates settings with the paper's defaults.
  public init(
    conditions: [String], reference: String = "NORM", referenceOutput: String = "condition", selection: String = "top", topN: Int = 100,
    method: String = "saliency", segmentation: String = "delineation", rateHz: Int = 100, classes: [String],
    model: String, pointHalfWidth: Double = 0.02, jPointDelay: Double = 0.06, bootstrapResamples: Int = 500,
    seed: UInt64 = 0, alpha: Double = 0.01, featureQueries: [String] = []
  ) {
    self.conditions = conditions
    self.reference = reference
    self.referenceOutput = referenceOutput
    self.selection = selection
    self.topN = topN
    self.method = method
    self.segmentation = segmentation
    self.rateHz = rateHz
    self.classes = classes
    self.model = model
    self.pointHalfWidth = pointHalfWidth
    self.jPointDelay = jPointDelay
    self.bootstrapResamples = bootstrapResamples
    self.seed = seed
    self.alpha = alpha
    self.featureQueries = featureQueries
  }
}

/// One record's facts kept by the audit.
public struct AuditRecordInfo: Sendable, Equatable {
  /// PTB-XL ecg_id.
  public var ecgID: Int
  /// 1 = female, 0 = male (PTB-XL's coding), nil unknown.
  public var sex: Int?
  /// Age in years.
  public var age: Double?
  /// The record's labels among the model's classes.
  public var labels: [String]
  /// Predicted score (logit) per audited target.
  public var scores: [String: Float]
  /// Hidden subtypes (phantom truth), e.g. `ASMI/old/poor-r-progression`; empty otherwise.
  public var subtypes: [String]
  /// Whether the record could be segmented: nil when it was never needed (not a candidate),
  /// false when it failed (it is then left out of every group).
  public var segmented: Bool?
  /// Feature queries (`AuditSettings.featureQueries`) and whether each holds; absent: the
  /// record's features were not measured.
  public var queries: [String: Bool] = [:]

  /// Creates the facts of one record.
  public init(
    ecgID: Int, sex: Int?, age: Double?, labels: [String], scores: [String: Float], subtypes: [String] = [], segmented: Bool? = nil
  ) {
    self.ecgID = ecgID
    self.sex = sex
    self.age = age
    self.labels = labels
    self.scores = scores
    self.subtypes = subtypes
    self.segmented = segmented
  }
}

/// One record attributed to one target, aggregated per cell.
public struct AuditItem: Sendable, Equatable {
  /// PTB-XL ecg_id.
  public var ecgID: Int
  /// The attributed class.
  public var target: String
  /// Relevance per cell.
  public var relevance: CellRelevance
  /// Per cell, the share of its soft support inside the true evidence mask of `target` (phantom
  /// truth); nil without truth.
  public var evidence: [Float]?

  /// Creates an item.
  public init(ecgID: Int, target: String, relevance: CellRelevance, evidence: [Float]?) {
    self.ecgID = ecgID
    self.target = target
    self.relevance = relevance
    self.evidence = evidence
  }
}
