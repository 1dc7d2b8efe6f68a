import ArgumentParser
import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai explain`: attribute a model's outputs on ECGs from a NumPy array.
struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Attribute a model's outputs to the input samples: a run's dataset split, or [N, 12, T] ECGs (.npy).",
    discussion: """
      Methods: saliency (signed gradient; --absolute for |gradient|), gxi (gradient × input),
      ig (integrated gradients), smoothgrad (--tunnel-base, default saliency, averaged over
      --samples noisy copies, σ --noise mV), occlusion (--window/--stride samples, zero baseline), gradcam, guided-gradcam
      (--layer; default the last feature block: lenet1d sequential.10, xresnet features.7),
      guided-backprop, lrp-epsilon (the paper's EpsilonComposite), lrp-epsilon-plus,
      lrp-epsilon-plus-flat, lrp-alpha2beta1, lrp-epsilon-gamma-box.
      Defaults are the paper's: IG with 10 right-Riemann steps from a zero baseline (Zennit),
      LRP with ε = 1e-3 on every convolution/linear layer and BatchNorm merged.
      --target: an index, a class name, predicted, or all (one file per class, METHOD.CLASS.npy);
      --normalise max-abs|per-lead scales each record|lead to a largest |relevance| of 1.
      Definitions, Captum/Zennit equivalents and measured agreement: docs/explain.md.
      Examples: ecgxai explain runs/demo --method ig --split test        (→ runs/demo/attributions/ig.npy)
                ecgxai explain runs/demo --method saliency --split all --shard 2/4
                ecgxai explain --model runs/m/model --input X.npy --method lrp-epsilon --target 1 --out A.npy
                ecgxai explain runs/demo --model my-net.onnx --method saliency      (a PyTorch model exported to ONNX)
                ecgxai explain --model state.safetensors --arch xresnet1d50 --input X.npy --out A.npy
      """)

  @Argument(help: "Run directory (model/ and data/ inside); writes RUN/attributions/METHOD.npy.")
  var runDirectory: String?

  @Option(help: "Model: a directory (architecture.json + weights.safetensors), an ONNX file (.onnx) or a state dict (.safetensors, with --arch); default RUN/model.")
  var model: String?

  @Option(help: "With --model FILE.safetensors: the architecture of the state dict (lenet1d, xresnet1d18/34/50/101).") var arch: String?

  @Option(help: "Input .npy [records, leads, samples] in mV (instead of a run directory).")
  var input: String?

  @Option(help: "Output .npy [records, leads, samples] (float32); default RUN/attributions/METHOD[.SPLIT][.shard-i-of-n].npy (SPLIT omitted for test).")
  var out: String?

  @Option(help: "With RUN: records of the split test (fold 10), validation (9), train (1–8) or all.")
  var split = "test"

  @Option(help: "With RUN: sampling rate of the records, 100 or 500.")
  var rate = 100

  @Option(help: "With RUN: only shard i of n (1-based, e.g. 2/4) → METHOD.shard-2-of-4.npy.")
  var shard: String?

  @Option(help: "Attribution method (see above).")
  var method = "saliency"

  @Option(help: "Output to attribute: a class index, a class name of the model (e.g. MI), 'predicted' (highest output per record) or 'all' (every output: one file per class, METHOD.CLASS.npy).")
  var target = "predicted"

  @Option(help: "Scale each record's attribution: none (raw relevance), max-abs (the record's largest |relevance| → 1) or per-lead (each lead's largest |relevance| → 1).")
  var normalise = "none"

  @Flag(help: "saliency: return |gradient| (Captum's Saliency default).")
  var absolute = false

  @OptionGroup var attribution: AttributionOptions
  @Option(help: "Records per pass.") var batchSize = 32

  func validate() throws {
    try attribution.validate(method: method)
    guard !target.isEmpty else { throw ValidationError("--target must be a class index, a class name, 'predicted' or 'all'") }
    guard AttributionNormalisation(rawValue: normalise) != nil else {
      throw ValidationError("--normalise must be one of \(AttributionNormalisation.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard (runDirectory == nil) != (input == nil) else { throw ValidationError("give a run directory or --input X.npy (not both)") }
    guard runDirectory != nil || (model != nil && out != nil) else { throw ValidationError("--input needs --model and --out") }
    try DatasetSplit.validate(split)
    guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
  }

  /// The method and every parameter, as the options give them.
  var spec: AttributionSpec { attribution.spec(method: method, absolute: absolute) }

  /// The method of the options; `baseline` is IG's (from `--baseline`, per batch for a file).
  func makeMethod(model: Model, baseline: IntegratedGradients.Baseline = .zero) -> any AttributionMethod {
    spec.makeMethod(for: model, baseline: baseline)
  }

  /// Which outputs `--target` attributes.
  enum TargetSelection: Equatable {
    /// One output index for every record.
    case index(Int)
    /// Each record's highest output.
    case predicted
    /// Every output, one file each.
    case all
  }

  /// `--target` resolved against the model: an index in range, a class name, `predicted`, `all`.
  func targetSelection(_ model: Model) throws -> TargetSelection {
    let classes = model.architecture.classes
    let names = model.architecture.classNames
    switch target {
    case "predicted": return .predicted
    case "all": return .all
    default:
      if let index = Int(target) {
        guard (0..<classes).contains(index) else {
          throw CLIError("--target \(index) is out of range: the model has \(classes) outputs (0…\(classes - 1))")
        }
        return .index(index)
      }
      guard let names else {
        throw CLIError("--target '\(target)': the model has no class names; give an output index 0…\(classes - 1), 'predicted' or 'all'")
      }
      guard let index = names.firstIndex(of: target) else {
        throw CLIError("--target '\(target)' is not a class of the model (\(names.joined(separator: ", "))), nor 'predicted' or 'all'")
      }
      return .index(index)
    }
  }

  /// The `--baseline FILE.npy` array, checked against the records: [leads, T] or [count, leads, T].
  func baselineFile(leads: Int, length: Int?, count: Int) throws -> Tensor? {
    let baseline = attribution.baseline
    guard baseline.hasSuffix(".npy") else { return nil }
    let array = try readArray(baseline, what: "baseline")
    let expected = array.rank == 2 ? [leads, length ?? array.shape[1]] : [count, leads, length ?? array.shape.last ?? 0]
    guard array.rank == 2 || array.rank == 3, array.shape == expected else {
      throw CLIError("\(baseline): the baseline has shape \(array.shape); expected [\(leads), samples] (one for every record) or [\(count), \(leads), samples] (one per record)")
    }
    if array.scalars.contains(where: { !$0.isFinite }) { throw CLIError("\(baseline): the baseline contains NaN or infinite values") }
    return array
  }

  func run() throws {
    let runURL = runDirectory.map { URL(fileURLWithPath: $0) }
    if let runURL { try prepareRunDirectory(runURL) }
    let model = try ModelOptions.load(model ?? runURL!.appendingPathComponent("model").path, arch: arch)
    let selection = try targetSelection(model)
    let normalisation = AttributionNormalisation(rawValue: normalise)!
    let methodName = makeMethod(model: model).name
    let (records, outURL) = try recordsAndOutput(model: model, methodName: methodName, runURL: runURL)
    let n = records.count
    let arrayLength: Int? = switch records {
    case .array(let x): x.shape[2]
    case .dataset: nil
    }
    let baselines = try baselineFile(leads: model.architecture.inputChannels, length: arrayLength, count: n)
    // One output per attributed class: with --target all, FILE.CLASS.npy for every class.
    let classes = model.architecture.classes
    let classLabels = model.architecture.classNames ?? (0..<classes).map(String.init)
    let targets: [AttributionTarget] = switch selection {
    case .index(let index): [.index(index)]
    case .predicted: [.predicted]
    case .all: (0..<classes).map { .index($0) }
    }
    let files = selection == .all
      ? (0..<classes).map { outURL.deletingPathExtension().appendingPathExtension("\(classLabels[$0]).npy") } : [outURL]
    let settings = SplitAttribution(spec: spec, targets: targets, normalisation: normalisation, batchSize: batchSize, rateHz: rate)
    var writers: [NumPy.StreamWriter?] = Array(repeating: nil, count: files.count)
    let start = Date()
    let result: SplitAttributionResult
    do {
      result = try settings.run(
        model: model, records: records, baseline: baselines,
        check: { try validateECGBatch($0, leads: model.architecture.inputChannels, path: runDirectory!, model: model) },
        write: { f, _, values in
          if writers[f] == nil { writers[f] = try NumPy.StreamWriter(url: files[f], shape: [n] + Array(values.shape.dropFirst())) }
          try writers[f]!.append(values.scalars)
        }, progress: { progress(done: $0, total: $1) })
      for writer in writers { try writer?.finish() }
    } catch {
      for writer in writers { writer?.abandon() }
      if let error = error as? SplitAttributionError { throw CLIError(error.description) }
      throw error
    }
    if let ids = result.ecgIDs { try writeECGIDs(ids, beside: outURL) }
    let seconds = Date().timeIntervalSince(start)
    let what = files.count == 1 ? outURL.path : "\(files.count) files \(files[0].path) … \(files.last!.lastPathComponent)"
    print("wrote \(what): \(methodName) attributions of \(model.architecture.name) on \(n) records\(normalisation == .none ? "" : " (\(normalise))") in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(n * files.count) / seconds)) attributions/s)")
    printDiagnostics(result.diagnostics, classLabels: selection == .all ? classLabels : nil)
  }

  /// The records (the --input array, or the split's records of the run's dataset, read batch by
  /// batch) and the output file.
  private func recordsAndOutput(model: Model, methodName: String, runURL: URL?) throws -> (AttributionRecords, URL) {
    if let input {
      let array = try readArray(input, what: "input")
      try validateECGBatch(array, leads: model.architecture.inputChannels, path: input, model: model)
      return (.array(array), try outputURL(out!))
    }
    let data = runURL!.appendingPathComponent("data")
    let options = DatasetOptions(data: data.path, rate: rate, folds: DatasetSplit.folds[split]!)
    guard isDatasetFolder(data) else {
      throw CLIError("\(runDirectory!) has no dataset in data/ (ptbxl_database.csv, or a PhysioNet/CinC folder); run `ecgxai demo` or give --input")
    }
    try options.check(model)
    let dataset = try options.load()!
    let indices = try selectShard(try options.selection(dataset), shard)
    guard !indices.isEmpty else { throw CLIError("no records in the \(split) split") }
    let name = methodName + (split == "test" ? "" : ".\(split)") + (shard.map { ".shard-" + $0.replacingOccurrences(of: "/", with: "-of-") } ?? "")
    return (.dataset(dataset, indices: indices), try outputURL(out ?? runURL!.appendingPathComponent("attributions/\(name).npy").path))
  }

  /// Prints mean and largest |·| of every diagnostic (per class label with --target all).
  private func printDiagnostics(_ streams: [[String: [Double]]], classLabels: [String]?) {
    var diagnostics: [String: [Double]] = [:]
    for (f, stream) in streams.enumerated() {
      for (key, list) in stream { diagnostics[classLabels.map { "\(key) (\($0[f]))" } ?? key, default: []] += list }
    }
    for (key, list) in diagnostics.sorted(by: { $0.key < $1.key }) {
      let mean = list.reduce(0, +) / Double(list.count)
      let worst = list.map(abs).max() ?? 0
      print("  \(key): mean \(String(format: "%.4g", mean)), max |·| \(String(format: "%.4g", worst))")
    }
  }
}

/// Writes `ids` as `FILE.ecg_id.csv` beside the attribution file `npy` (one `ecg_id` per row of
/// the attributions), atomically.
func writeECGIDs(_ ids: [Int], beside npy: URL) throws {
  let url = npy.deletingPathExtension().appendingPathExtension("ecg_id.csv")
  try Data(("ecg_id\n" + ids.map(String.init).joined(separator: "\n") + "\n").utf8).writeAtomically(to: url)
}
