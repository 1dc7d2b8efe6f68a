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
