import ECGSignal
import Foundation

extension TCAVStudy {
  /// What a study analyses and how: the protocol's settings and the cohort's choices.
  public struct Settings: Sendable, Codable, Equatable {
    /// The protocol (layers, runs, classifier, α, seed, …), stored in `tcav.json`.
    public var analysis: TCAVSettings
    /// Concept columns of the feature table; nil = the paper's expert concepts
    /// (`ExpertConcepts.names`) the table has.
    public var concepts: [String]?
    /// More concepts: rules text (`NAME: expression` per line over the table's columns,
    /// `ConceptRules`), or nil.
    public var queries: String?
    /// Relative TCAV pairs: A's records without B against B's records without A.
    public var relative: [RelativePair]
    /// Target classes; nil = `TCAVStudy.defaultTargets(classes:)`.
    public var targets: [String]?
    /// Centre crop in samples (the paper: 250 at 100 Hz); 0 = the whole record.
    public var cropSamples: Int
    /// Sampling rate of the records read, in Hz (100 or 500).
    public var rateHz: Int
    /// `strat_fold` values of the records analysed; nil = every fold.
    public var folds: [Int]?

    /// Creates settings; the defaults are those of `ecgxai concepts`.
    public init(
      analysis: TCAVSettings = TCAVSettings(), concepts: [String]? = nil, queries: String? = nil, relative: [RelativePair] = [],
      targets: [String]? = nil, cropSamples: Int = 250, rateHz: Int = 100, folds: [Int]? = nil
    ) {
      self.analysis = analysis
      self.concepts = concepts
      self.queries = queries
      self.relative = relative
      self.targets = targets
      self.cropSamples = cropSamples
      self.rateHz = rateHz
      self.folds = folds
    }

    /// Indices into `dataset.entries` of the records of `folds`, in file order.
    public func records(in dataset: PTBXLDataset) -> [Int] {
      let chosen = folds.map(Set.init)
      return dataset.entries.indices.filter { chosen?.contains(dataset.entries[$0].fold) ?? true }
    }

    enum CodingKeys: String, CodingKey {
      case analysis, concepts, queries, relative, targets, cropSamples = "crop_samples", rateHz = "rate_hz", folds
    }
  }

  /// A relative TCAV pair: `concept`'s records without `reference` against `reference`'s records
  /// without `concept` (the result names it `CONCEPT vs REFERENCE`).
  public struct RelativePair: Sendable, Codable, Equatable {
    /// Concept A.
    public var concept: String
    /// Concept B.
    public var reference: String
    /// Creates a pair.
    public init(concept: String, reference: String) {
      self.concept = concept
      self.reference = reference
    }
  }

  /// What a study produced: the result (`tcav.json`) and the CAVs (`concepts/cavs.safetensors`).
  public struct Output: Sendable {
    /// Scores, tests, accuracies, provenance.
    public var result: TCAVResult
    /// The CAVs of the expert, query and relative concepts, [layer: [concept: R CAVs]].
    public var cavs: [String: [String: [ConceptActivationVector]]]
    /// What the CAVs were learned on (the CAV file's header).
    public var metadata: CAVFile.Metadata

    /// Creates an output.
    public init(result: TCAVResult, cavs: [String: [String: [ConceptActivationVector]]], metadata: CAVFile.Metadata) {
      self.result = result
      self.cavs = cavs
      self.metadata = metadata
    }

    /// Writes `tcav.json` (sorted keys, pretty-printed; non-finite numbers as "nan", "inf",
    /// "-inf") and `concepts/cavs.safetensors` (`CAVFile`) into `runDirectory`, atomically.
    /// - Throws: file-system errors.
    public func write(to runDirectory: URL) throws {
      try result.write(to: runDirectory.appendingPathComponent("tcav.json"))
      let directory = runDirectory.appendingPathComponent("concepts")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try CAVFile.write(cavs, metadata: metadata, to: directory.appendingPathComponent("cavs.safetensors"))
    }
  }
}

extension TCAVResult {
  /// Writes the result as `tcav.json` to `url` atomically: sorted keys, pretty-printed,
  /// non-finite numbers as the strings "nan", "inf", "-inf".
  /// - Throws: file-system errors.
  public func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    try encoder.encode(self).writeAtomically(to: url)
  }

  /// Reads a `tcav.json` (any schema version; see `init(from:)`), with the same non-finite
  /// number strings `write(to:)` uses.
  /// - Throws: file-system errors and `DecodingError`.
  public static func read(from url: URL) throws -> TCAVResult {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try decoder.decode(TCAVResult.self, from: Data(contentsOf: url))
  }
}

/// Why a TCAV study cannot run.
public enum TCAVStudyError: Error, CustomStringConvertible, Equatable {
  /// The model's architecture does not name its classes.
  case noClassNames
  /// A target that is not a class of the model.
  case unknownTarget(String, classes: [String])
  /// An empty list of targets.
  case noTargets
  /// A negative crop.
  case invalidCrop(Int)
  /// No selected record has a row in the feature table.
  case noRecordWithFeatures
  /// A concept that is not a column of the feature table.
  case unknownConceptColumn(String)
  /// Query rules that do not parse (the parser's message).
  case invalidQueries(String)
  /// A relative pair whose concepts are not two different concepts of the study.
  case invalidRelativePair(String, String)
  /// A crop longer than the records, in samples.
  case cropTooLong(crop: Int, samples: Int)

  /// A message for users.
  public var description: String {
    switch self {
    case .noClassNames: return "the model has no class names (train it with `ecgxai train`, which records them)"
    case .unknownTarget(let name, let classes): return "'\(name)' is not a class of the model (\(classes.joined(separator: ", ")))"
    case .noTargets: return "the list of target classes is empty"
    case .invalidCrop(let crop): return "the crop must be ≥ 0 samples (got \(crop))"
    case .noRecordWithFeatures: return "no selected record has features in the feature table"
    case .unknownConceptColumn(let name): return "'\(name)' is not a column of the features file"
    case .invalidQueries(let message): return "concept queries: \(message)"
    case .invalidRelativePair(let a, let b): return "relative pair '\(a):\(b)': expected A:B with two different concepts of the analysis"
    case .cropTooLong(let crop, let samples): return "the crop of \(crop) samples is longer than the records (\(samples) samples)"
    }
  }
}
