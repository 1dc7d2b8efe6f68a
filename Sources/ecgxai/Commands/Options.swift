import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `--model PATH [--arch NAME]`: a model directory written by ecgxai (architecture.json +
/// weights.safetensors), an ONNX file (`.onnx`), or a PyTorch state dict saved as
/// `.safetensors` with `--arch`.
struct ModelOptions: ParsableArguments {
  @Option(name: .long, help: "Model: a directory (architecture.json + weights.safetensors), an ONNX file (.onnx) or a state dict (.safetensors, with --arch).")
  var model: String

  @Option(name: .long, help: "With --model FILE.safetensors: its architecture (\(ModelZoo.names.joined(separator: ", "))).")
  var arch: String?

  /// Loads the model or throws an error that says what is wrong.
  func load() throws -> Model { try Self.load(model, arch: arch) }

  /// Loads the model at `path` — a model directory, an `.onnx` file, or a `.safetensors` state
  /// dict of the built-in architecture `arch` — or throws an error that says what is wrong.
  static func load(_ path: String, arch: String? = nil) throws -> Model {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CLIError("model not found: \(path) (a model directory, an .onnx file or a .safetensors state dict)")
    }
    let url = URL(fileURLWithPath: path)
    do {
      if isDirectory.boolValue {
        if let arch { throw CLIError("--arch \(arch) is only for a .safetensors state dict; \(path) is a model directory") }
        return try Model.load(from: url)
      }
      switch url.pathExtension.lowercased() {
      case "onnx":
        if arch != nil { throw CLIError("--arch is only for a .safetensors state dict; \(path) is an ONNX model") }
        return try ONNXImporter.load(url)
      case "safetensors":
        guard let arch else {
          throw CLIError("\(path) is a state dict: give its architecture with --arch (\(ModelZoo.names.joined(separator: ", ")))")
        }
        return try Model.load(stateDict: url, architecture: arch)
      default:
        throw CLIError("\(path): expected a model directory, an .onnx file or a .safetensors state dict with --arch")
      }
    } catch let error as WeightsError {
      throw CLIError(error.description)
    } catch let error as ModelZooError {
      throw CLIError(error.description)
    } catch let error as ONNXError {
      throw CLIError(error.description)
    }
  }
}

/// A user-facing failure: printed as `Error: …` and the process exits with status 1.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// The URL of an output file whose parent folder exists (created if missing); a clear error when
/// the path is a folder or the parent cannot be created.
func outputURL(_ path: String) throws -> URL {
  let url = URL(fileURLWithPath: path)
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
    throw CLIError("\(path) is a folder; give a file name")
  }
  let parent = url.deletingLastPathComponent()
  do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
    throw CLIError("cannot create the folder \(parent.path) for \(path): \(error.localizedDescription)")
  }
  do { try AtomicFile.checkWritable(parent) } catch let error as UnwritableLocationError { throw CLIError(error.description) }
  return url
}

/// The elements of shard `i/n` (1-based): elements i−1, i−1+n, i−1+2n, …; all for nil.
func selectShard<T>(_ elements: [T], _ shard: String?) throws -> [T] {
  guard let shard else { return elements }
  let parts = shard.split(separator: "/").compactMap { Int($0) }
  guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else {
    throw CLIError("--shard must be i/n with 1 ≤ i ≤ n, e.g. 1/4; got '\(shard)'")
  }
  return elements.enumerated().filter { $0.offset % parts[1] == parts[0] - 1 }.map(\.element)
}

/// Reads a .npy file as a tensor, turning format errors into CLI errors.
func readArray(_ path: String, what: String) throws -> Tensor {
  guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(what) file not found: \(path)") }
  do { return try NumPy.read(URL(fileURLWithPath: path)) } catch let error as NumPyError {
    throw CLIError(error.description)
  }
}

/// Checks that an ECG batch is [N, leads, T] with the model's lead count and no NaN/Inf (and,
/// given the model, that an imported graph fits its shape).
func validateECGBatch(_ x: Tensor, leads: Int, path: String, model: Model? = nil) throws {
  guard x.rank == 3, x.shape[1] == leads, x.shape[0] > 0, x.shape[2] > 0 else {
    throw CLIError("\(path): expected an array [records, \(leads), samples], got \(x.shape)")
  }
  if let problem = model?.inputShapeProblem(x.shape) { throw CLIError("\(path): \(problem)") }
  if let bad = x.scalars.firstIndex(where: { !$0.isFinite }) {
    let record = bad / (x.shape[1] * x.shape[2])
    throw CLIError("\(path): record \(record) contains NaN or infinite samples; clean or drop it first")
  }
}

/// `--data DIR [--rate 100] [--folds 1-8]`: records of a PTB-XL-layout folder (real or phantom)
/// or of a PhysioNet/CinC 2020–2021 folder (`.hea` + `.mat` with `#Dx:`; `CinCDataset`).
struct DatasetOptions: ParsableArguments {
  @Option(name: .long, help: "PTB-XL-layout folder (ptbxl_database.csv, scp_statements.csv, records100/) or PhysioNet/CinC 2020–21 folder (.hea/.mat records with #Dx:, resampled to --rate, 10 s).")
  var data: String?

  @Option(name: .long, help: "Sampling rate to read: 100 (records100/) or 500 (records500/); CinC records are resampled to it.")
  var rate: Int = 100

  @Option(name: .long, help: "strat_fold values to use, e.g. '10' or '1-8' or '1,2,9' (default: all).")
  var folds: String?

  /// The dataset, or nil without `--data`.
  func load() throws -> PTBXLDataset? {
    guard let data else { return nil }
    guard rate == 100 || rate == 500 else { throw CLIError("--rate must be 100 or 500, not \(rate)") }
    try Self.refuseWFDBRecords(data)
    do { return try PTBXLDataset.open(URL(fileURLWithPath: data)) } catch let error as PTBXLError {
      throw CLIError(error.description)
    } catch let error as CSVError { throw CLIError(error.description) } catch let error as CinCError {
      throw CLIError(error.description)
    }
  }

  /// A WFDB record (or a folder of them without `ptbxl_database.csv` or `#Dx:` comments) is no
  /// dataset for a model:
  /// an error that names the record's leads when it lacks any of the 12 standard leads, and
  /// otherwise says how to turn it into an array (`ecgxai convert`).
  static func refuseWFDBRecords(_ data: String) throws {
    let url = URL(fileURLWithPath: data)
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
    var record: URL?
    if exists, isDirectory.boolValue {
      guard !isDatasetFolder(url), !isDatasetFolder(url.appendingPathComponent("data")) else { return }
      let headers = (try? FileManager.default.contentsOfDirectory(atPath: url.path))?
        .filter { $0.hasSuffix(".hea") }.sorted() ?? []
      record = headers.first.map { url.appendingPathComponent(String($0.dropLast(4))) }
    } else {
      let base = data.hasSuffix(".hea") ? String(data.dropLast(4)) : data
      if FileManager.default.fileExists(atPath: base + ".hea") { record = URL(fileURLWithPath: base) }
    }
    guard let record else { return }
    let read: ECGRecord
    do { read = try WFDB.read(record) } catch let error as WFDBError { throw CLIError(error.description) }
    do { _ = try read.standardTwelveLeads() } catch let error as SignalError { throw CLIError(error.description) }
    throw CLIError(
      "\(data) holds WFDB records, not a PTB-XL-layout folder (ptbxl_database.csv): write a record "
        + "as an array for a model with `ecgxai convert --data \(record.path) --standard-leads "
        + "--rate 100 --out x.npy`, then pass --input x.npy")
  }

  /// Refuses to feed `model` records read at `--rate` when it was trained at another rate (its
  /// architecture.json records the rate; models without it are not checked).
  func check(_ model: Model) throws {
    if let problem = model.architecture.samplingRateProblem(Double(rate)) {
      throw CLIError("\(data ?? "--data"): \(problem)")
    }
  }

  /// The selected fold numbers (nil = all).
  func foldSet() throws -> Set<Int>? {
    guard let folds else { return nil }
    var out = Set<Int>()
    for part in folds.split(separator: ",") {
      let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !bounds.isEmpty, bounds.count <= 2, bounds.allSatisfy({ $0 != nil && (1...10).contains($0!) }) else {
        throw CLIError("--folds: '\(part)' is not a fold 1…10 or a range like 1-8")
      }
      guard bounds[0]! <= bounds.last!! else {
        throw CLIError("--folds: '\(part)' runs backwards; write the smaller fold first, e.g. \(bounds.last!!)-\(bounds[0]!)")
      }
      out.formUnion(bounds[0]!...bounds.last!!)
    }
    return out
  }

  /// Indices into `dataset.entries` of the selected folds, in file order.
  func selection(_ dataset: PTBXLDataset) throws -> [Int] {
    let folds = try foldSet()
    return dataset.entries.indices.filter { folds?.contains(dataset.entries[$0].fold) ?? true }
  }

  /// Reads a batch of records, turning I/O errors into CLI errors.
  func batch(_ dataset: PTBXLDataset, _ indices: [Int]) throws -> Tensor {
    do { return try dataset.batch(indices, rate: rate) } catch let error as PTBXLError {
      throw CLIError(error.description)
    }
  }
}

/// Creates the run directory `url` (and its parents) that a command writes its results into, when
/// it does not exist yet (`--data` and `--model` may point elsewhere), and takes its lock
/// (`RunLock`): a file in its place, a directory that cannot be written or one another process is
/// writing into is an error — before any work is done.
func prepareRunDirectory(_ url: URL) throws {
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
    guard isDirectory.boolValue else { throw CLIError("\(url.path) is a file, not a run directory") }
  } else {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw CLIError("cannot create the run directory \(url.path): \(error.localizedDescription)")
    }
  }
  try RunLock.acquire(url)
}

/// Sets `key` of RUN/manifest.json to `value` (creating the file if needed), keeping the other
/// steps' entries; written atomically.
func updateManifest(_ runURL: URL, key: String, value: Any) throws {
  let url = runURL.appendingPathComponent("manifest.json")
  var manifest: [String: Any] = [:]
  if let data = FileManager.default.contents(atPath: url.path) {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw CLIError("\(url.path) is not a JSON object; move it away or fix it")
    }
    manifest = object
  }
  manifest[key] = value
  let json = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
  try json.writeAtomically(to: url)
}

/// The paper's splits of PTB-XL's `strat_fold` (train 1–8, validation 9, test 10) and `all`, as
/// `--split` takes them.
enum DatasetSplit {
  /// The `--folds` value of each split (nil: every fold).
  static let folds: [String: String?] = ["test": "10", "validation": "9", "train": "1-8", "all": nil]

  /// Checks a `--split` value.
  static func validate(_ split: String) throws {
    guard folds[split] != nil else { throw ValidationError("--split must be test, validation, train or all") }
  }
}

/// `ecg_id 1, 2, 3, …`: up to ten ids of a list for a message.
func ecgIDList(_ ids: [Int]) -> String {
  "ecg_id " + ids.prefix(10).map(String.init).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
}

/// `value` with every non-finite Double replaced by JSON null (JSONSerialization refuses NaN and
/// infinities), through nested arrays and dictionaries.
func jsonSafe(_ value: Any) -> Any {
  switch value {
  case let d as Double: return d.isFinite ? d : NSNull()
  case let list as [Any]: return list.map(jsonSafe)
  case let dict as [String: Any]: return dict.mapValues(jsonSafe)
  default: return value
  }
}
