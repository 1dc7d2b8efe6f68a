import Foundation
import ECGNet
import ECGTensor

/// How a result was made — stored in every result file ecgxai writes (`provenance`), next to its
/// `schema_version`: the ecgxai version, the attribution method with all its parameters, the
/// model's and the dataset's identity (SHA-256) and the seed. Two results with different
/// provenance were not made alike; `merge` refuses shards whose model digests differ.
public struct Provenance: Codable, Hashable, Sendable {
  /// The ecgxai version that wrote the result.
  public var ecgxaiVersion: String
  /// The attribution method and its parameters, for results made from attributions.
  public var attribution: AttributionSpec?
  /// `Model.weightsSHA256` of the model analysed, if any.
  public var modelSHA256: String?
  /// `PTBXLDataset.indexSHA256` of the dataset the records came from, if any.
  public var datasetSHA256: String?
  /// The seed of the analysis' random draws, if it makes any.
  public var seed: UInt64?

  /// A provenance record of this ecgxai version.
  public init(
    attribution: AttributionSpec? = nil, modelSHA256: String? = nil, datasetSHA256: String? = nil, seed: UInt64? = nil
  ) {
    self.ecgxaiVersion = ECGXAIVersion.current
    self.attribution = attribution
    self.modelSHA256 = modelSHA256
    self.datasetSHA256 = datasetSHA256
    self.seed = seed
  }

  /// A provenance record for an analysis of `model` (its digest computed here).
  public init(attribution: AttributionSpec? = nil, model: Model, datasetSHA256: String? = nil, seed: UInt64? = nil) {
    self.init(attribution: attribution, modelSHA256: model.weightsSHA256, datasetSHA256: datasetSHA256, seed: seed)
  }

  private enum CodingKeys: String, CodingKey {
    case ecgxaiVersion = "ecgxai_version", attribution, modelSHA256 = "model_sha256", datasetSHA256 = "dataset_sha256", seed
  }
}

extension Provenance {
  /// The provenance of a result written before results recorded theirs (schema version 0):
  /// nothing is known but that (`ecgxaiVersion` "unrecorded").
  public static let unrecorded: Provenance = {
    var provenance = Provenance()
    provenance.ecgxaiVersion = "unrecorded"
    return provenance
  }()

  /// A result file's JSON made readable by the current result types: a top-level object without
  /// `schema_version` (written before schema version 1) gets `schema_version` 0 and an
  /// `unrecorded` provenance; any other input is returned unchanged. Every result type decodes
  /// the files ecgxai wrote before it recorded provenance this way, so old run directories still
  /// report.
  public static func upgradingLegacyResult(_ data: Data) -> Data {
    guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
      object["schema_version"] == nil
    else { return data }
    object["schema_version"] = 0
    if object["provenance"] == nil { object["provenance"] = ["ecgxai_version": unrecorded.ecgxaiVersion] }
    return (try? JSONSerialization.data(withJSONObject: object)) ?? data
  }
}
