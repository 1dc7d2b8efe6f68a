import ECGExplain

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
  /// Attribution method name (ECGExplain), e.g. `saliency` (|gradient|, the paper's); the same as
  /// `attribution.method`, kept for readers of older results.
  public var method: String
  /// The attribution method with every parameter (ε, steps, baseline, …), so a result records
  /// exactly how its relevance was made. Results written before it was recorded decode as the
  /// defaults of `method` (saliency as |gradient|).
  public var attribution: AttributionSpec
  /// Segmentation source: `delineation` (ECGSignal) or `truth` (the phantom's fiducials).
  public var segmentation: String
  /// Sampling rate of the records in Hz.
  public var rateHz: Int
  /// The model's class names (output order).
  public var classes: [String]
  /// Model description: architecture name and parameter count (`lenet1d 12345 parameters`).
  public var model: String
  /// Model identity: `Model.weightsSHA256` (64 hex digits) of the weights audited; nil in results
  /// written before it was recorded. Shards whose digests differ are not merged.
  public var modelSHA256: String?
  /// Dataset identity: `PTBXLDataset.indexSHA256` of the records' index; nil when unknown.
  public var datasetSHA256: String?
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

  /// Creates settings with the paper's defaults. `attribution` defaults to `method` with its
  /// defaults (saliency as |gradient|); when given, its method is the one used.
  public init(
    conditions: [String], reference: String = "NORM", referenceOutput: String = "condition", selection: String = "top", topN: Int = 100,
    method: String = "saliency", attribution: AttributionSpec? = nil, segmentation: String = "delineation", rateHz: Int = 100,
    classes: [String], model: String, modelSHA256: String? = nil, datasetSHA256: String? = nil, pointHalfWidth: Double = 0.02,
    jPointDelay: Double = 0.06, bootstrapResamples: Int = 500, seed: UInt64 = 0, alpha: Double = 0.01, featureQueries: [String] = []
  ) {
    let attribution = attribution ?? Self.defaultAttribution(method)
    self.conditions = conditions
    self.reference = reference
    self.referenceOutput = referenceOutput
    self.selection = selection
    self.topN = topN
    self.method = attribution.method
    self.attribution = attribution
    self.segmentation = segmentation
    self.rateHz = rateHz
    self.classes = classes
    self.model = model
    self.modelSHA256 = modelSHA256
    self.datasetSHA256 = datasetSHA256
    self.pointHalfWidth = pointHalfWidth
    self.jPointDelay = jPointDelay
    self.bootstrapResamples = bootstrapResamples
    self.seed = seed
    self.alpha = alpha
    self.featureQueries = featureQueries
  }

  /// The paper's conditions (LVH, CLBBB, IMI, ASMI, AMI) that are among `classes`; when none is,
  /// every class but the reference.
  public static func defaultConditions(classes: [String], reference: String) -> [String] {
    let paper = ["LVH", "CLBBB", "IMI", "ASMI", "AMI"].filter { classes.contains($0) }
    return paper.isEmpty ? classes.filter { $0 != reference } : paper
  }

  /// The audit's spec of a method given by name only: its defaults, saliency as |gradient|.
  public static func defaultAttribution(_ method: String) -> AttributionSpec {
    AttributionSpec(method: method, absolute: true)
  }

  private enum CodingKeys: String, CodingKey {
    case conditions, reference, referenceOutput, selection, topN, method, attribution, segmentation, rateHz, classes, model
    case modelSHA256, datasetSHA256, pointHalfWidth, jPointDelay, bootstrapResamples, seed, alpha, featureQueries
  }

  /// Decodes settings; `attribution`, `modelSHA256` and `datasetSHA256` may be absent (older
  /// results).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    conditions = try c.decode([String].self, forKey: .conditions)
    reference = try c.decode(String.self, forKey: .reference)
    referenceOutput = try c.decode(String.self, forKey: .referenceOutput)
    selection = try c.decode(String.self, forKey: .selection)
    topN = try c.decode(Int.self, forKey: .topN)
    method = try c.decode(String.self, forKey: .method)
    attribution = try c.decodeIfPresent(AttributionSpec.self, forKey: .attribution) ?? Self.defaultAttribution(method)
    segmentation = try c.decode(String.self, forKey: .segmentation)
    rateHz = try c.decode(Int.self, forKey: .rateHz)
    classes = try c.decode([String].self, forKey: .classes)
    model = try c.decode(String.self, forKey: .model)
    modelSHA256 = try c.decodeIfPresent(String.self, forKey: .modelSHA256)
    datasetSHA256 = try c.decodeIfPresent(String.self, forKey: .datasetSHA256)
    pointHalfWidth = try c.decode(Double.self, forKey: .pointHalfWidth)
    jPointDelay = try c.decode(Double.self, forKey: .jPointDelay)
    bootstrapResamples = try c.decode(Int.self, forKey: .bootstrapResamples)
    seed = try c.decode(UInt64.self, forKey: .seed)
    alpha = try c.decode(Double.self, forKey: .alpha)
    featureQueries = try c.decode([String].self, forKey: .featureQueries)
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
