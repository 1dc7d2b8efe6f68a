import ECGTensor
import Foundation

/// `Model.save(to:)` refused to replace `path`: it is a file, or a directory holding `foreign`
/// entries that are not a model's files.
public struct ModelDirectoryError: Error, CustomStringConvertible {
  public let path: String
  public let foreign: [String]

  public var description: String {
    let held = foreign.prefix(10).joined(separator: ", ") + (foreign.count > 10 ? ", …" : "")
    return "refusing to write the model into \(path): it is not a model directory written by ecgxai"
      + (foreign.isEmpty ? "" : " (it holds \(held))") + "; give a new or empty directory"
  }
}

extension Model {
  /// The PyTorch `state_dict` of this model: parameters, buffers, BatchNorm counters and the
  /// alias keys PyTorch registers twice.
  public func stateDict() -> [(String, SafeTensors.Entry)] {
    var entries: [(String, SafeTensors.Entry)] = namedParameters.map { ($0.name, .float($0.parameter.value)) }
    for bn in batchNormLayers {
      entries.append((name(ofBatchNorm: bn), .int64(shape: [], values: [Int64(bn.batchesTracked)])))
    }
    let canonical = Dictionary(entries, uniquingKeysWith: { a, _ in a })
    for (alias, key) in stateDictAliases { entries.append((alias, canonical[key]!)) }
    return entries
  }

  /// Loads a PyTorch-style state dict from a safetensors file, strictly: every parameter must be
  /// present with the right shape and finite values, and no unknown key may remain (alias keys
  /// must equal their canonical tensor).
  public func loadWeights(from url: URL) throws {
    let entries = try SafeTensors.read(url)
    var remaining = Set(entries.keys)
    for (name, parameter) in namedParameters {
      guard let entry = entries[name] else { throw WeightsError.missingKey(path: url.path, key: name) }
      guard case .float(let tensor) = entry else {
        throw WeightsError.unsupportedDType(path: url.path, key: name, dtype: "I64")
      }
      guard tensor.shape == parameter.value.shape else {
        throw WeightsError.shapeMismatch(path: url.path, key: name, file: tensor.shape, model: parameter.value.shape)
      }
      if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
        throw WeightsError.nonFinite(path: url.path, key: name, index: bad, value: tensor.scalars[bad])
      }
      parameter.value = tensor
      remaining.remove(name)
    }
    for bn in batchNormLayers {
      let key = name(ofBatchNorm: bn)
      if case .int64(_, let values)? = entries[key], let first = values.first { bn.batchesTracked = Int(first) }
      remaining.remove(key)
    }
    for (alias, _) in stateDictAliases { remaining.remove(alias) }
    if let extra = remaining.sorted().first { throw WeightsError.unexpectedKey(path: url.path, key: extra) }
  }

  /// The files of a model directory written by `save(to:)`.
  public static let directoryFiles: Set<String> = ["architecture.json", "weights.safetensors"]

  /// Saves `architecture.json` and `weights.safetensors` into `directory` as one unit: both are
  /// written into a temporary sibling directory that is renamed to `directory` when complete, so a
  /// failure (a full disk, a kill) never leaves an architecture without its weights.
  ///
  /// An existing `directory` is replaced only when it is empty or a model directory (nothing but
  /// the files `save` writes); anything else throws `ModelDirectoryError`.
  public func save(to directory: URL) throws {
    let fm = FileManager.default
    let directory = directory.standardizedFileURL
    try Self.checkSaveDestination(directory)
    try fm.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
    let partial = AtomicFile.begin(directory)
    do {
      try fm.createDirectory(at: partial, withIntermediateDirectories: false)
      try SafeTensors.write(
        stateDict(), metadata: ["format": "pt", "ecgxai_architecture": architecture.name],
        to: partial.appendingPathComponent("weights.safetensors"))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(architecture).write(to: partial.appendingPathComponent("architecture.json"))
      try AtomicFile.commit(partial, to: directory)
    } catch {
      AtomicFile.abandon(partial)
      throw error
    }
  }

  /// Throws unless `save(to: directory)` may write there: `directory` must be absent, empty or a
  /// model directory (`ModelDirectoryError` otherwise), and its location writable
  /// (`UnwritableLocationError`). Commands call it before training, so a bad `--out` fails fast.
  public static func checkSaveDestination(_ directory: URL) throws {
    let fm = FileManager.default
    let directory = directory.standardizedFileURL
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
      let entries = isDirectory.boolValue ? (try? fm.contentsOfDirectory(atPath: directory.path)) ?? ["?"] : []
      let foreign = entries.filter { !directoryFiles.contains($0) }.sorted()
      guard isDirectory.boolValue, foreign.isEmpty, directory.path != "/" else {
        throw ModelDirectoryError(path: directory.path, foreign: isDirectory.boolValue ? foreign : [])
      }
    }
    // The model is written beside `directory` and renamed: its parent must be writable.
    try AtomicFile.checkWritable(directory.deletingLastPathComponent())
  }

  /// Loads a model saved by `save(to:)` (a directory with `architecture.json` and
  /// `weights.safetensors`).
  public static func load(from directory: URL) throws -> Model {
    let archURL = directory.appendingPathComponent("architecture.json")
    guard FileManager.default.fileExists(atPath: archURL.path) else {
      throw WeightsError.architecture(
        path: directory.path, reason: "no architecture.json — is this a model directory written by ecgxai?")
    }
    let architecture: ModelArchitecture
    do {
      architecture = try JSONDecoder().decode(ModelArchitecture.self, from: Data(contentsOf: archURL))
    } catch {
      throw WeightsError.architecture(path: archURL.path, reason: "invalid architecture JSON: \(error)")
    }
    if let problem = architecture.problem {
      throw WeightsError.architecture(path: archURL.path, reason: problem)
    }
    let model = try ModelZoo.make(architecture)
    try model.loadWeights(from: directory.appendingPathComponent("weights.safetensors"))
    return model
  }
}

extension Model {
  /// Loads a PyTorch `state_dict` saved as safetensors (`safetensors.torch.save_file(
  /// model.state_dict(), …)` from the paper's code) into the built-in architecture `name`.
  ///
  /// Input leads and classes are read from the tensors (the first convolution's and the last
  /// linear layer's weights); class names from `FILE.classes.txt` next to it (one per line), if
  /// present. Loading is strict as `loadWeights(from:)`.
  /// - Throws: `ModelZooError` for an unknown name, `WeightsError` for a file that does not fit.
  public static func load(stateDict url: URL, architecture name: String) throws -> Model {
    guard ModelZoo.names.contains(name) else { throw ModelZooError.unknownArchitecture(name) }
    let entries = try SafeTensors.read(url)
    let (first, last) = name == "lenet1d" ? ("sequential.0.weight", "sequential.15.weight") : ("features.0.0.weight", "l1.weight")
    func shape(_ key: String, rank: Int) throws -> [Int] {
      guard let entry = entries[key] else { throw WeightsError.missingKey(path: url.path, key: key) }
      guard case .float(let t) = entry, t.rank == rank, t.shape.allSatisfy({ $0 > 0 }) else {
        throw WeightsError.corrupt(path: url.path, reason: "'\(key)' is not a float tensor of rank \(rank) — is this a \(name) state dict?")
      }
      return t.shape
    }
    let leads = try shape(first, rank: 3)[1]
    let classes = try shape(last, rank: 2)[0]
    var classNames: [String]? = nil
    let sidecar = url.deletingPathExtension().appendingPathExtension("classes.txt")
    if let text = try? String(contentsOf: sidecar, encoding: .utf8) {
      let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      if names.count == classes { classNames = names }
    }
    let model = try ModelZoo.make(ModelArchitecture(name: name, inputChannels: leads, classes: classes, classNames: classNames))
    try model.loadWeights(from: url)
    return model
  }
}
