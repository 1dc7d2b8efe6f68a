import ECGExplain

/// The result of a discovery analysis, as `discovery.json` stores it: the cohort, every
/// representation × algorithm clustering with its scores against the known groupings, prototypes
/// and stability, and the t-SNE embedding of the figure's representation. Non-finite numbers
/// (NaN stability without resamples, an undefined score) are stored as JSON null.
public struct DiscoveryResult: Codable, Sendable {
  /// The version of this file layout (`schema_version`).
  public static let currentSchemaVersion = 1

  /// `currentSchemaVersion` when written.
  public var schemaVersion: Int
  /// How the result was made: attribution spec, model and dataset SHA-256, seed.
  public var provenance: Provenance
  /// The class clustered (`class`).
  public var className: String
  /// The known subtypes scored against (empty: none).
  public var subtypes: [String]
  /// Records clustered.
  public var records: Int
  /// Records of the cohort left out (no usable beat or delineation).
  public var leftOut: Int
  /// The attribution method's name.
  public var method: String
  /// The output attributed: a class name or `predicted`.
  public var target: String
  /// The layer whose output is the hidden representation (the input of the classifier head).
  public var hiddenLayer: String
  /// The clusters asked for (0: chosen in 2…6 per clustering).
  public var clusters: Int
  /// Whether the PCA scores were whitened.
  public var whiten: Bool
  /// Restarts of the Gaussian mixture and k-means.
  public var inits: Int
  /// Seed of the clustering.
  public var seed: UInt64
  /// The beat cut around each R peak in samples: [−before, after].
  public var cutSamples: [Int]
  /// One clustering per representation × algorithm, in order.
  public var results: [DiscoveryClustering]
  /// The ecg_ids of the records clustered, in the order of every `labels`.
  public var ecgIDs: [Int]
  /// The lead names of the prototypes' rows.
  public var leadNames: [String]
  /// The t-SNE embedding [records, 2] (row-major) of the figure representation's PCA scores;
  /// nil above `DiscoverySettings.wardLimit` records.
  public var tsneAttribution: [Double]?
  /// The representation the figure draws.
  public var figureRepresentation: String
  /// The model: architecture and parameter count, e.g. `lenet1d 70949 parameters`.
  public var model: String
  /// Wall-clock seconds of the analysis (the command stores its own, from its start).
  public var seconds: Double

  /// The known groupings scored against, with every record's group (not stored in
  /// discovery.json: empty when decoded). The figure colours and describes clusters by them.
  public var groupings: [DiscoveryGrouping] = []
  /// The model's architecture name (not stored: empty when decoded).
  public var architectureName = ""
  /// The sampling rate of the records in Hz (not stored: derived from `cutSamples` when decoded).
  public var samplingRateHz = 100.0

  /// The clustering the figure draws: the Gaussian mixture of `figureRepresentation`.
  public var figureClustering: DiscoveryClustering? {
    results.first { $0.representation == figureRepresentation && $0.algorithm == "gmm" }
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, className = "class", subtypes, records, leftOut = "left_out"
    case method, target, hiddenLayer = "hidden_layer", clusters, whiten, inits, seed, cutSamples = "cut_samples"
    case results, ecgIDs = "ecg_ids", leadNames = "lead_names", tsneAttribution = "tsne_attribution"
    case figureRepresentation = "figure_representation", model, seconds
  }

  /// A result from its parts (`DiscoveryAnalysis.run` fills it).
  init(
    provenance: Provenance, settings: DiscoverySettings, records: Int, leftOut: Int, target: String,
    hiddenLayer: String, cutSamples: [Int], results: [DiscoveryClustering], ecgIDs: [Int], leadNames: [String],
    tsne: [Double]?, model: String, seconds: Double
  ) {
    schemaVersion = Self.currentSchemaVersion
    self.provenance = provenance
    (className, subtypes, method) = (settings.className, settings.subtypes, settings.attribution.method)
    (self.records, self.leftOut, self.target, self.hiddenLayer) = (records, leftOut, target, hiddenLayer)
    (clusters, whiten, inits, seed) = (settings.clusters, settings.whiten, settings.inits, settings.seed)
    (self.cutSamples, self.results, self.ecgIDs, self.leadNames) = (cutSamples, results, ecgIDs, leadNames)
    (tsneAttribution, figureRepresentation) = (tsne, settings.figureRepresentation)
    (self.model, self.seconds, samplingRateHz) = (model, seconds, Double(settings.rateHz))
  }

  /// Reads a stored result.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
    provenance = try c.decode(Provenance.self, forKey: .provenance)
    className = try c.decode(String.self, forKey: .className)
    subtypes = try c.decode([String].self, forKey: .subtypes)
    records = try c.decode(Int.self, forKey: .records)
    leftOut = try c.decode(Int.self, forKey: .leftOut)
    method = try c.decode(String.self, forKey: .method)
    target = try c.decode(String.self, forKey: .target)
    hiddenLayer = try c.decode(String.self, forKey: .hiddenLayer)
    clusters = try c.decode(Int.self, forKey: .clusters)
    whiten = try c.decode(Bool.self, forKey: .whiten)
    inits = try c.decode(Int.self, forKey: .inits)
    seed = try c.decode(UInt64.self, forKey: .seed)
    cutSamples = try c.decode([Int].self, forKey: .cutSamples)
    results = try c.decode([DiscoveryClustering].self, forKey: .results)
    ecgIDs = try c.decode([Int].self, forKey: .ecgIDs)
    leadNames = try c.decode([String].self, forKey: .leadNames)
    tsneAttribution = try c.decodeIfPresent([Double?].self, forKey: .tsneAttribution).map { $0.map { $0 ?? .nan } }
    figureRepresentation = try c.decode(String.self, forKey: .figureRepresentation)
    model = try c.decode(String.self, forKey: .model)
    seconds = try c.decodeIfPresent(Double.self, forKey: .seconds) ?? .nan
    samplingRateHz = Double(-(cutSamples.first ?? -30)) * 100 / 30
  }

  /// Writes the stored fields (nil t-SNE as null, non-finite numbers as null).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(schemaVersion, forKey: .schemaVersion)
    try c.encode(provenance, forKey: .provenance)
    try c.encode(className, forKey: .className)
    try c.encode(subtypes, forKey: .subtypes)
    try c.encode(records, forKey: .records)
    try c.encode(leftOut, forKey: .leftOut)
    try c.encode(method, forKey: .method)
    try c.encode(target, forKey: .target)
    try c.encode(hiddenLayer, forKey: .hiddenLayer)
    try c.encode(clusters, forKey: .clusters)
    try c.encode(whiten, forKey: .whiten)
    try c.encode(inits, forKey: .inits)
    try c.encode(seed, forKey: .seed)
    try c.encode(cutSamples, forKey: .cutSamples)
    try c.encode(results, forKey: .results)
    try c.encode(ecgIDs, forKey: .ecgIDs)
    try c.encode(leadNames, forKey: .leadNames)
    if let tsneAttribution { try c.encode(finite(tsneAttribution), forKey: .tsneAttribution) } else { try c.encodeNil(forKey: .tsneAttribution) }
    try c.encode(figureRepresentation, forKey: .figureRepresentation)
    try c.encode(model, forKey: .model)
    try c.encode(finite(seconds), forKey: .seconds)
  }
}

/// One known grouping of the clustered records (the subtypes, the phantom's planted subtypes,
/// stages, territories): a name, a group per record (−1: not scored) and the group names.
public struct DiscoveryGrouping: Sendable, Equatable {
  /// What the groups are, e.g. `subtypes`, `planted territory`, `planted subtype × stage`.
  public var name: String
  /// The group of every record clustered, an index into `names`; −1 for records not scored.
  public var labels: [Int]
  /// The group names.
  public var names: [String]

  /// A grouping.
  public init(name: String, labels: [Int], names: [String]) {
    (self.name, self.labels, self.names) = (name, labels, names)
  }
}

/// One clustering of one representation by one algorithm (`results[i]` of discovery.json).
public struct DiscoveryClustering: Codable, Sendable {
  /// The representation (`DiscoverySettings.representationNames`).
  public var representation: String
  /// `gmm`, `k-means` or `ward`.
  public var algorithm: String
  /// Features of the representation per record (e.g. 12 leads × 80 samples = 960).
  public var features: Int
  /// PCA components clustered.
  public var pcaComponents: Int
  /// Clusters found (given, or chosen in 2…6).
  public var clusters: Int
  /// Share of the variance the PCA components explain (sum of their ratios).
  public var explainedVarianceRatio: Double
  /// Records per cluster.
  public var clusterSizes: [Int]
  /// Mean silhouette of the PCA scores; nil with fewer than two clusters found.
  public var silhouette: Double?
  /// Share of women per cluster (PTB-XL sex 1); nil where no member's sex is known.
  public var femaleShare: [Double?]
  /// Scores against each known grouping, by its name.
  public var scores: [String: DiscoveryScore]
  /// The cluster of every record (0-based, in the order of `DiscoveryResult.ecgIDs`).
  public var labels: [Int]
  /// Bootstrap stability: mean Jaccard per cluster (NaN, stored as null, without resamples).
  public var stabilityJaccard: [Double]
  /// Mean beat-aligned attribution per cluster [clusters, leads × cut samples].
  public var prototypeAttribution: [[Double]]
  /// Mean beat-aligned signal (mV) per cluster [clusters, leads × cut samples].
  public var prototypeBeat: [[Double]]

  private enum CodingKeys: String, CodingKey {
    case representation, algorithm, features, pcaComponents = "pca_components", clusters
    case explainedVarianceRatio = "explained_variance_ratio", clusterSizes = "cluster_sizes", silhouette
    case femaleShare = "female_share", scores, labels, stabilityJaccard = "stability_jaccard"
    case prototypeAttribution = "prototype_attribution", prototypeBeat = "prototype_beat"
  }

  /// A clustering from its parts.
  init(
    representation: String, algorithm: String, features: Int, pcaComponents: Int, clusters: Int,
    explainedVarianceRatio: Double, clusterSizes: [Int], silhouette: Double?, femaleShare: [Double?],
    scores: [String: DiscoveryScore], labels: [Int], stabilityJaccard: [Double], prototypeAttribution: [[Double]],
    prototypeBeat: [[Double]]
  ) {
    (self.representation, self.algorithm, self.features, self.pcaComponents) = (representation, algorithm, features, pcaComponents)
    (self.clusters, self.explainedVarianceRatio, self.clusterSizes) = (clusters, explainedVarianceRatio, clusterSizes)
    (self.silhouette, self.femaleShare, self.scores, self.labels) = (silhouette, femaleShare, scores, labels)
    (self.stabilityJaccard, self.prototypeAttribution, self.prototypeBeat) = (stabilityJaccard, prototypeAttribution, prototypeBeat)
  }

  /// Reads a stored clustering (null numbers become NaN, a null silhouette nil).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    representation = try c.decode(String.self, forKey: .representation)
    algorithm = try c.decode(String.self, forKey: .algorithm)
    features = try c.decode(Int.self, forKey: .features)
    pcaComponents = try c.decode(Int.self, forKey: .pcaComponents)
    clusters = try c.decode(Int.self, forKey: .clusters)
    explainedVarianceRatio = try c.decodeIfPresent(Double.self, forKey: .explainedVarianceRatio) ?? .nan
    clusterSizes = try c.decode([Int].self, forKey: .clusterSizes)
    silhouette = try c.decodeIfPresent(Double.self, forKey: .silhouette)
    femaleShare = try c.decode([Double?].self, forKey: .femaleShare)
    scores = try c.decode([String: DiscoveryScore].self, forKey: .scores)
    labels = try c.decode([Int].self, forKey: .labels)
    stabilityJaccard = try c.decode([Double?].self, forKey: .stabilityJaccard).map { $0 ?? .nan }
    prototypeAttribution = try c.decode([[Double?]].self, forKey: .prototypeAttribution).map { $0.map { $0 ?? .nan } }
    prototypeBeat = try c.decode([[Double?]].self, forKey: .prototypeBeat).map { $0.map { $0 ?? .nan } }
  }

  /// Writes the clustering (non-finite numbers and a nil silhouette as null).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(representation, forKey: .representation)
    try c.encode(algorithm, forKey: .algorithm)
    try c.encode(features, forKey: .features)
    try c.encode(pcaComponents, forKey: .pcaComponents)
    try c.encode(clusters, forKey: .clusters)
    try c.encode(finite(explainedVarianceRatio), forKey: .explainedVarianceRatio)
    try c.encode(clusterSizes, forKey: .clusterSizes)
    try c.encode(silhouette.flatMap(finite), forKey: .silhouette)
    try c.encode(femaleShare.map { $0.flatMap(finite) }, forKey: .femaleShare)
    try c.encode(scores, forKey: .scores)
    try c.encode(labels, forKey: .labels)
    try c.encode(finite(stabilityJaccard), forKey: .stabilityJaccard)
    try c.encode(prototypeAttribution.map(finite), forKey: .prototypeAttribution)
    try c.encode(prototypeBeat.map(finite), forKey: .prototypeBeat)
  }
}

/// A clustering's agreement with one known grouping, over the records the grouping scores.
public struct DiscoveryScore: Codable, Sendable {
  /// Adjusted Rand index (1: the same partition, ≈ 0: chance).
  public var ari: Double
  /// Normalised mutual information (0…1).
  public var nmi: Double
  /// Accuracy after the best one-to-one matching of clusters to groups.
  public var matchedAccuracy: Double
  /// The groups present, in the order of `contingency`'s rows.
  public var classes: [String]
  /// Records per group (rows) and cluster (columns).
  public var contingency: [[Int]]
  /// Records scored (those the grouping knows).
  public var records: Int

  private enum CodingKeys: String, CodingKey {
    case ari, nmi, matchedAccuracy = "matched_accuracy", classes, contingency, records
  }

  /// A score.
  init(ari: Double, nmi: Double, matchedAccuracy: Double, classes: [String], contingency: [[Int]], records: Int) {
    (self.ari, self.nmi, self.matchedAccuracy, self.classes, self.contingency, self.records) =
      (ari, nmi, matchedAccuracy, classes, contingency, records)
  }

  /// Reads a stored score (null numbers become NaN).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    ari = try c.decodeIfPresent(Double.self, forKey: .ari) ?? .nan
    nmi = try c.decodeIfPresent(Double.self, forKey: .nmi) ?? .nan
    matchedAccuracy = try c.decodeIfPresent(Double.self, forKey: .matchedAccuracy) ?? .nan
    classes = try c.decode([String].self, forKey: .classes)
    contingency = try c.decode([[Int]].self, forKey: .contingency)
    records = try c.decode(Int.self, forKey: .records)
  }

  /// Writes the score (non-finite numbers as null).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(finite(ari), forKey: .ari)
    try c.encode(finite(nmi), forKey: .nmi)
    try c.encode(finite(matchedAccuracy), forKey: .matchedAccuracy)
    try c.encode(classes, forKey: .classes)
    try c.encode(contingency, forKey: .contingency)
    try c.encode(records, forKey: .records)
  }
}

/// The value, or nil (JSON null) when it is not finite.
private func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

/// The values with every non-finite one as nil (JSON null).
private func finite(_ values: [Double]) -> [Double?] { values.map(finite) }
