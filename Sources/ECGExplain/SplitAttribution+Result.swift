import ECGNet
import Foundation

/// How much of the attributions of records with one finding lies in the finding's true evidence:
/// the mean share of |attribution| inside the evidence mask, against the mask's mean share of
/// the record (what a uniform attribution would put there).
public struct RelevanceMass: Codable, Sendable, Equatable {
  /// Records scored.
  public var n: Int
  /// Mean share of |attribution| inside the mask (relevance mass accuracy), 0…1.
  public var shareInside: Double
  /// Mean share of the record's samples inside the mask, 0…1.
  public var chance: Double
  /// `shareInside / chance` (1: no better than uniform).
  public var overChance: Double

  /// The summary of per-record (share inside, chance) pairs; `pairs` must not be empty.
  public init(_ pairs: [(inside: Double, chance: Double)]) {
    n = pairs.count
    shareInside = pairs.map(\.inside).reduce(0, +) / Double(pairs.count)
    chance = pairs.map(\.chance).reduce(0, +) / Double(pairs.count)
    overChance = shareInside / max(chance, 1e-12)
  }

  /// The share of Σ|a| (Σa when `absolute` is false) that lies where `mask` > 0 — relevance mass
  /// accuracy (Arras et al. 2022; `Localisation.relevanceMassAccuracy` is this function); nil
  /// when the mask is empty. `attribution` and `mask` have one element per lead × sample.
  public static func shareInside<C: Collection<Float>>(_ attribution: C, mask: [Float], absolute: Bool = true) -> Double? {
    precondition(attribution.count == mask.count, "RelevanceMass: attribution and mask differ in size")
    guard mask.contains(where: { $0 > 0 }) else { return nil }
    var inside = 0.0, total = 0.0
    for (a, m) in zip(attribution, mask) {
      let v = Double(absolute ? abs(a) : a)
      total += v
      if m > 0 { inside += v }
    }
    return inside / total
  }

  private enum CodingKeys: String, CodingKey {
    case n, shareInside = "share_inside", chance, overChance = "over_chance"
  }
}

/// What `SplitAttribution.run` made: per target stream the outputs attributed and the methods'
/// diagnostics, and per finding code the relevance mass in its true evidence.
public struct SplitAttributionResult: Codable, Sendable {
  /// The version of this layout.
  public static let currentSchemaVersion = 1
  /// `currentSchemaVersion` when made.
  public var schemaVersion: Int
  /// Version, attribution spec, model and dataset digests.
  public var provenance: Provenance
  /// The method's name (`AttributionMethod.name`, e.g. `saliency`).
  public var method: String
  /// Records attributed.
  public var records: Int
  /// `ecg_id` of every record (dataset records only).
  public var ecgIDs: [Int]?
  /// Per target stream, the output attributed for every record.
  public var targets: [[Int]]
  /// Per target stream, the method's diagnostics (e.g. IG's completeness delta per record).
  public var diagnostics: [[String: [Double]]]
  /// Per finding code, the relevance mass in its evidence (`.findingOrPredicted` with truth).
  public var relevanceMass: [String: RelevanceMass]

  /// A result of the current schema version.
  public init(
    provenance: Provenance, method: String, records: Int, ecgIDs: [Int]?, targets: [[Int]],
    diagnostics: [[String: [Double]]], relevanceMass: [String: RelevanceMass]
  ) {
    schemaVersion = Self.currentSchemaVersion
    (self.provenance, self.method, self.records, self.ecgIDs) = (provenance, method, records, ecgIDs)
    (self.targets, self.diagnostics, self.relevanceMass) = (targets, diagnostics, relevanceMass)
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, method, records, ecgIDs = "ecg_ids", targets, diagnostics
    case relevanceMass = "relevance_mass_in_evidence"
  }
}

/// `explain.json` of a run: the methods that attributed a split, the outputs they attributed and,
/// on a dataset with ground truth, the relevance mass of each method in each finding's evidence.
public struct ExplainSummary: Codable, Sendable {
  /// The version of this file's layout.
  public static let currentSchemaVersion = 1
  /// How the attributed output of each record was chosen, and which it was.
  public struct Targets: Codable, Sendable {
    /// The rule, in words.
    public var rule: String
    /// The class name attributed for every record.
    public var classes: [String]
  }

  /// `currentSchemaVersion` when written.
  public var schemaVersion: Int
  /// Version, model and dataset digests; `attribution` is the spec when one method was run.
  public var provenance: Provenance
  /// The split attributed (`test`, `validation`, `train`, `all`).
  public var split: String
  /// Records attributed.
  public var records: Int
  /// Method names, in the order run.
  public var methods: [String]
  /// The model's path, relative to the run directory.
  public var model: String
  /// The model's architecture name.
  public var modelName: String
  /// The attributed outputs.
  public var targets: Targets
  /// Per finding code and method name, the relevance mass in the finding's evidence.
  public var relevanceMassInEvidence: [String: [String: RelevanceMass]]
  /// The attribution file of every method, relative to the run directory.
  public var files: [String: String]

  /// The summary of `results` (one per method, in order, all on the same records and targets
  /// chosen by `.findingOrPredicted`) of `model` (saved at `modelPath`), whose outputs are named
  /// `classes`; `files` maps method names to their files.
  public init(
    split: String, modelPath: String, model: Model, classes: [String], results: [SplitAttributionResult],
    files: [String: String]
  ) {
    schemaVersion = Self.currentSchemaVersion
    let first = results.first?.provenance
    provenance = Provenance(
      attribution: results.count == 1 ? first?.attribution : nil, modelSHA256: first?.modelSHA256,
      datasetSHA256: first?.datasetSHA256, seed: nil)
    self.split = split
    records = results.first?.records ?? 0
    methods = results.map(\.method)
    self.model = modelPath
    modelName = model.architecture.name
    targets = Targets(
      rule: "the class of the record's planted, labelled finding (phantom), else the predicted class",
      classes: (results.last?.targets.first ?? []).map { classes[$0] })
    var mass: [String: [String: RelevanceMass]] = [:]
    for result in results { for (code, m) in result.relevanceMass { mass[code, default: [:]][result.method] = m } }
    relevanceMassInEvidence = mass
    self.files = files
  }

  private enum CodingKeys: String, CodingKey {
    case schemaVersion = "schema_version", provenance, split, records, methods, model, modelName = "model_name", targets
    case relevanceMassInEvidence = "relevance_mass_in_evidence", files
  }

  /// The file's bytes: pretty-printed JSON with sorted keys.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(self)
  }
}
