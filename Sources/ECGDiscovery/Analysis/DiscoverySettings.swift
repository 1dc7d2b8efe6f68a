import ECGExplain

/// The settings of a discovery analysis (`DiscoveryAnalysis`): which records are clustered, how
/// they are represented and how the representations are clustered. The defaults are the paper's
/// (Wagner et al. 2024, Discovery notebooks): |saliency|, PCA with 8, 6 and 10 whitened
/// components, two clusters, 10 restarts.
public struct DiscoverySettings: Codable, Sendable, Equatable {
  /// The records of PTB-XL's `strat_fold` splits that are clustered.
  public enum Split: String, Codable, Sendable, CaseIterable {
    /// Every fold.
    case all
    /// Fold 10.
    case test
    /// Fold 9.
    case validation
    /// Folds 1–8.
    case train

    /// The folds of the split; nil for every fold.
    public var folds: ClosedRange<Int>? {
      switch self {
      case .all: nil
      case .test: 10...10
      case .validation: 9...9
      case .train: 1...8
      }
    }
  }

  /// The class whose records are clustered: a label at any level (SCP code, diagnostic subclass
  /// or superclass), e.g. `MI` or `ASMI`.
  public var className: String
  /// Known subtypes to score against (labels); each record must carry exactly one of them. Empty:
  /// the records whose only diagnostic label is `className` (the paper's Part 2).
  public var subtypes: [String]
  /// Keeps records with further diagnostic labels (the paper keeps only records whose sole
  /// subclass is the subtype, or without subtypes whose only label is the class).
  public var otherLabels: Bool
  /// The output attributed: a class of the model, `predicted` (each record's predicted class), or
  /// nil for `className` if the model has it, else its diagnostic subclass or superclass.
  public var target: String?
  /// The attribution method and its parameters (the paper: |saliency|). A `.npy` IG baseline is
  /// not supported here (`validationProblem`).
  public var attribution: AttributionSpec
  /// Clusters; 0 = chosen in 2…6 (by BIC for the Gaussian mixture, by silhouette otherwise).
  public var clusters: Int
  /// PCA components of the attribution, beat and hidden representations (the paper: 8, 6, 10).
  public var components: [Int]
  /// Whitens the PCA scores (the paper: yes).
  public var whiten: Bool
  /// Standardises every feature (zero mean, unit variance) before PCA (the paper: no).
  public var standardise: Bool
  /// Restarts of the Gaussian mixture and of k-means.
  public var inits: Int
  /// The records' split.
  public var split: Split
  /// Sampling rate the records are read at, Hz (100 or 500).
  public var rateHz: Int
  /// Seed of the clustering (restarts and bootstrap resamples).
  public var seed: UInt64
  /// Bootstrap resamples of the cluster stability (Jaccard per cluster); 0 = none (NaN).
  public var stabilityResamples: Int
  /// The representation whose Gaussian-mixture clusters the figure draws (one of
  /// `representationNames`); its PCA scores are also embedded by t-SNE.
  public var figureRepresentation: String

  /// The representations clustered, in order: the beat-aligned attribution, the same per record
  /// L1-normalised, its per-lead shares, the audit's lead × segment cells, the beat-aligned signal
  /// and the hidden features.
  public static let representationNames = ["attribution", "attribution-l1", "lead-share", "cells", "beat", "hidden"]

  /// Ward clustering (and t-SNE) are O(n³) / O(n²): left out above this many records.
  public static let wardLimit = 2500

  /// Settings with the paper's defaults for everything not given.
  public init(
    className: String, subtypes: [String] = [], otherLabels: Bool = false, target: String? = nil,
    attribution: AttributionSpec = AttributionSpec(method: "saliency", absolute: true), clusters: Int = 2,
    components: [Int] = [8, 6, 10], whiten: Bool = true, standardise: Bool = false, inits: Int = 10,
    split: Split = .all, rateHz: Int = 100, seed: UInt64 = 0, stabilityResamples: Int = 20,
    figureRepresentation: String = "attribution"
  ) {
    self.className = className
    self.subtypes = subtypes
    self.otherLabels = otherLabels
    self.target = target
    self.attribution = attribution
    self.clusters = clusters
    self.components = components
    self.whiten = whiten
    self.standardise = standardise
    self.inits = inits
    self.split = split
    self.rateHz = rateHz
    self.seed = seed
    self.stabilityResamples = stabilityResamples
    self.figureRepresentation = figureRepresentation
  }

  /// What is wrong with the settings, or nil.
  public var validationProblem: String? {
    guard clusters == 0 || clusters >= 2, inits >= 1 else { return "clusters must be 0 (choose) or ≥ 2, and inits ≥ 1" }
    if let problem = attribution.validationProblem { return problem }
    guard !attribution.baseline.hasSuffix(".npy") else {
      return "discovery takes the IG baseline zero or lead-mean, not a file (\(attribution.baseline))"
    }
    guard Self.representationNames.contains(figureRepresentation) else {
      return "unknown figure representation '\(figureRepresentation)'; choose one of \(Self.representationNames.joined(separator: ", "))"
    }
    guard components.count == 3, components.allSatisfy({ $0 >= 1 }) else {
      return "components takes three positive counts (attribution, beat, hidden), e.g. 8,6,10"
    }
    guard rateHz == 100 || rateHz == 500 else { return "the sampling rate must be 100 or 500 Hz, not \(rateHz)" }
    guard stabilityResamples >= 0 else { return "stability resamples must be ≥ 0" }
    return nil
  }

  /// The smallest cohort clustered: more than three records per cluster.
  var minimumRecords: Int { max(clusters, 2) * 3 }

  private enum CodingKeys: String, CodingKey {
    case className = "class", subtypes, otherLabels = "other_labels", target, attribution, clusters, components, whiten
    case standardise, inits, split, rateHz = "rate_hz", seed, stabilityResamples = "stability_resamples"
    case figureRepresentation = "figure_representation"
  }
}

/// Why a discovery analysis cannot run, with a message for users.
public enum DiscoveryError: Error, CustomStringConvertible, Equatable {
  /// The settings are inconsistent (`DiscoverySettings.validationProblem`).
  case invalidSettings(String)
  /// The target is not an output of the model.
  case unknownTarget(String, classes: [String])
  /// Too few records of the class (and subtypes) in the split: the message says which.
  case tooFewRecords(String)
  /// Too few records with a usable beat (R peaks and delineation).
  case tooFewUsableBeats(records: Int)

  /// A description of the error for users.
  public var description: String {
    switch self {
    case .invalidSettings(let problem): problem
    case .unknownTarget(let target, let classes):
      "target '\(target)' is not a class of the model (\(classes.joined(separator: ", ")))"
    case .tooFewRecords(let message): message
    case .tooFewUsableBeats(let n): "only \(n) records have usable beats"
    }
  }
}
