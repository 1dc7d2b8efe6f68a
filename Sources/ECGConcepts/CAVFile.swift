import ECGNet
import ECGTensor
import Foundation

/// The stored CAVs of a TCAV study (`RUN/concepts/cavs.safetensors`), reusable on new inputs
/// without refitting. A safetensors file with, for every layer and concept (`KEY` =
/// `LAYER|CONCEPT`):
/// - `KEY|direction` float32 [R, features]: the unit CAV vectors of the R runs;
/// - `KEY|offset` float32 [R]: the classifiers' intercepts;
/// - `KEY|accuracy` float32 [R]: their hold-out accuracies;
/// and the header metadata `model`, `crop` (samples), `classifier` and `rate_hz` (Hz).
public enum CAVFile {
  /// The header metadata: what the CAVs were learned on.
  public struct Metadata: Sendable, Equatable {
    /// The model, as `NAME N parameters`.
    public var model: String
    /// The centre crop of the records in samples (0 = whole records).
    public var cropSamples: Int
    /// The CAV classifier (`logistic`, `svm`, `fastcav`).
    public var classifier: String
    /// The records' sampling rate in Hz.
    public var rateHz: Int

    /// Creates metadata.
    public init(model: String, cropSamples: Int, classifier: String, rateHz: Int) {
      self.model = model
      self.cropSamples = cropSamples
      self.classifier = classifier
      self.rateHz = rateHz
    }

    /// Metadata for CAVs of `model` (its name and parameter count).
    public init(model: Model, cropSamples: Int, classifier: CAVClassifier, rateHz: Int) {
      self.init(
        model: "\(model.architecture.name) \(model.parameterCount) parameters", cropSamples: cropSamples,
        classifier: classifier.rawValue, rateHz: rateHz)
    }

    var strings: [String: String] {
      ["model": model, "crop": String(cropSamples), "classifier": classifier, "rate_hz": String(rateHz)]
    }
  }

  /// The CAVs of one concept at one layer as stored (float32).
  public struct Stored: Sendable, Equatable {
    /// Unit CAV vectors [R, features].
    public var directions: Tensor
    /// Intercepts [R] (empty when the file has none).
    public var offsets: [Float]
    /// Hold-out accuracies [R] (empty when the file has none).
    public var accuracies: [Float]

    /// Creates stored CAVs.
    public init(directions: Tensor, offsets: [Float], accuracies: [Float]) {
      self.directions = directions
      self.offsets = offsets
      self.accuracies = accuracies
    }

    /// The stored form of R learned CAVs.
    public init(_ cavs: [ConceptActivationVector]) {
      self.init(
        directions: Tensor(shape: [cavs.count, cavs.first?.direction.count ?? 0], scalars: cavs.flatMap(\.direction)),
        offsets: cavs.map { Float($0.offset) }, accuracies: cavs.map { Float($0.accuracy) })
    }
  }

  /// A read file: [layer: [concept: CAVs]] and the metadata (fields missing from the header are
  /// nil).
  public struct Contents: Sendable, Equatable {
    /// The CAVs by layer and concept.
    public var cavs: [String: [String: Stored]]
    /// `crop` of the header, in samples.
    public var cropSamples: Int?
    /// The header metadata as stored.
    public var metadata: [String: String]

    /// The directions only, [layer: [concept: [R, features]]], as `TCAVScore.scores` takes them.
    public var directions: [String: [String: Tensor]] { cavs.mapValues { $0.mapValues(\.directions) } }
  }

  /// Writes `cavs` [layer: [concept: R CAVs]] atomically to `url`; the same CAVs and metadata
  /// always give the same bytes.
  /// - Throws: file-system errors.
  public static func write(_ cavs: [String: [String: [ConceptActivationVector]]], metadata: Metadata, to url: URL) throws {
    var entries: [(String, SafeTensors.Entry)] = []
    for layer in cavs.keys.sorted() {
      for (concept, runs) in cavs[layer]!.sorted(by: { $0.key < $1.key }) {
        let key = "\(layer)|\(concept)"
        let stored = Stored(runs)
        entries.append(("\(key)|direction", .float(stored.directions)))
        entries.append(("\(key)|offset", .float(Tensor(shape: [runs.count], scalars: stored.offsets))))
        entries.append(("\(key)|accuracy", .float(Tensor(shape: [runs.count], scalars: stored.accuracies))))
      }
    }
    try SafeTensors.write(entries, metadata: metadata.strings, to: url)
  }

  /// Reads a CAV file: every `LAYER|CONCEPT|direction` float tensor, with its
  /// `offset` and `accuracy` when present; other entries are ignored.
  /// - Throws: `WeightsError` when the file is not safetensors; `ConceptError.invalidConcept`
  ///   naming the path when it holds no CAVs.
  public static func read(_ url: URL) throws -> Contents {
    let file = try SafeTensors.readWithMetadata(url)
    func floats(_ key: String) -> [Float] {
      if case .float(let t)? = file.entries[key] { return t.scalars }
      return []
    }
    var cavs: [String: [String: Stored]] = [:]
    for (key, entry) in file.entries where key.hasSuffix("|direction") {
      let parts = key.split(separator: "|").map(String.init)
      guard parts.count == 3, case .float(let t) = entry else { continue }
      let base = "\(parts[0])|\(parts[1])"
      cavs[parts[0], default: [:]][parts[1]] = Stored(directions: t, offsets: floats("\(base)|offset"), accuracies: floats("\(base)|accuracy"))
    }
    guard !cavs.isEmpty else { throw ConceptError.invalidConcept("\(url.path) holds no CAVs") }
    return Contents(cavs: cavs, cropSamples: file.metadata["crop"].flatMap { Int($0) }, metadata: file.metadata)
  }
}
