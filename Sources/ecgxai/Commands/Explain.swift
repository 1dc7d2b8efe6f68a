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
      ig (integrated gradients), smoothgrad (saliency averaged over --samples noisy copies, σ
      --noise mV), occlusion (--window/--stride samples, zero baseline), gradcam, guided-gradcam
      (--layer; default the last feature block: lenet1d sequential.10, xresnet features.7),
      guided-backprop, lrp-epsilon (the paper's EpsilonComposite), lrp-epsilon-plus,
      lrp-epsilon-plus-flat, lrp-alpha2beta1, lrp-epsilon-gamma-box.
      Defaults are the paper's: IG with 10 right-Riemann steps from a zero baseline (Zennit),
      LRP with ε = 1e-3 on every convolution/linear layer and BatchNorm merged.
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

  @Option(help: "Output to attribute: a class index, 'predicted' (highest output per record).")
  var target = "predicted"

  @Flag(help: "saliency: return |gradient| (Captum's Saliency default).")
  var absolute = false

  @Option(help: "ig: number of steps.") var steps = 10
  @Option(help: "ig: riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre.")
  var integration = "riemann_right"
  @Option(help: "ig: baseline zero or lead-mean.") var baseline = "zero"
  @Option(help: "ig: records × steps per pass (bounds memory).") var internalBatchSize = 64
  @Option(help: "lrp: ε of the ε-rule.") var epsilon: Float = 1e-3
  @Option(help: "lrp: γ of the γ-rule.") var gamma: Float = 0.25
  @Option(help: "lrp-epsilon-gamma-box: lowest input value (mV).") var low: Float = -5
  @Option(help: "lrp-epsilon-gamma-box: highest input value (mV).") var high: Float = 5
  @Option(help: "lrp: residual additions 'gradient' (the paper's) or 'proportional'.") var residual = "gradient"
  @Option(help: "smoothgrad: noisy copies.") var samples = 25
  @Option(help: "smoothgrad: noise σ in mV.") var noise: Float = 0.1
  @Option(help: "occlusion: window length in samples.") var window = 50
  @Option(name: .customLong("stride"), help: "occlusion: window stride in samples.") var occlusionStride = 25
  @Option(help: "gradcam/guided-gradcam: layer path (see the error message for the list).") var layer: String?
  @Option(help: "Records per pass.") var batchSize = 32

  func validate() throws {
    let methods = AttributionSettings.methodNames
    guard methods.contains(method) else { throw ValidationError("unknown --method '\(method)'; choose one of \(methods.joined(separator: ", "))") }
    guard target == "predicted" || Int(target) != nil else { throw ValidationError("--target must be a class index or 'predicted'") }
    guard IntegratedGradients.Method(rawValue: integration) != nil else {
      throw ValidationError("--integration must be one of \(IntegratedGradients.Method.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard ["zero", "lead-mean"].contains(baseline) else { throw ValidationError("--baseline must be zero or lead-mean") }
    guard ["gradient", "proportional"].contains(residual) else { throw ValidationError("--residual must be gradient or proportional") }
    guard (runDirectory == nil) != (input == nil) else { throw ValidationError("give a run directory or --input X.npy (not both)") }
    guard runDirectory != nil || (model != nil && out != nil) else { throw ValidationError("--input needs --model and --out") }
    try DatasetSplit.validate(split)
    guard steps >= 2, batchSize > 0, internalBatchSize > 0, epsilon >= 0 else {
      throw ValidationError("--steps must be ≥ 2, --batch-size and --internal-batch-size positive, --epsilon ≥ 0")
    }
    guard samples >= 1, noise >= 0, window >= 1, occlusionStride >= 1 else {
      throw ValidationError("--samples, --window and --stride must be ≥ 1 and --noise ≥ 0")
    }
  }

  func makeMethod(model: Model) -> any AttributionMethod {
    let settings = AttributionSettings(
      absolute: absolute, steps: steps, integration: IntegratedGradients.Method(rawValue: integration)!,
      baseline: baseline == "zero" ? .zero : .perLeadMean, internalBatchSize: internalBatchSize, epsilon: epsilon,
      gamma: gamma, low: low, high: high, residual: LRP.ResidualHandling(rawValue: residual)!, samples: samples, noise: noise,
      window: window, stride: occlusionStride, layer: layer)
    return settings.method(method, model: model)!  // `validate()` checked the name
  }

  func run() throws {
    let runURL = runDirectory.map { URL(fileURLWithPath: $0) }
    let model = try ModelOptions.load(model ?? runURL!.appendingPathComponent("model").path, arch: arch)
    if let index = Int(target), index < 0 || index >= model.architecture.classes {
      throw CLIError("--target \(index) is out of range: the model has \(model.architecture.classes) outputs (0…\(model.architecture.classes - 1))")
    }
    let attribution = makeMethod(model: model)
    // The records: a NumPy array, or a split of the run's dataset read batch by batch.
    let x: Tensor?
    var dataset: PTBXLDataset? = nil
    var indices: [Int] = []
    let outURL: URL
    if let input {
      let array = try readArray(input, what: "input")
      try validateECGBatch(array, leads: model.architecture.inputChannels, path: input, model: model)
      x = array
      outURL = try outputURL(out!)
    } else {
      x = nil
      let data = runURL!.appendingPathComponent("data")
      let folds = DatasetSplit.folds[split]!
      let options = DatasetOptions(data: data.path, rate: rate, folds: folds)
      guard FileManager.default.fileExists(atPath: data.appendingPathComponent("ptbxl_database.csv").path) else {
        throw CLIError("\(runDirectory!) has no dataset in data/ (ptbxl_database.csv); run `ecgxai demo` or give --input")
      }
      dataset = try options.load()
      indices = try options.selection(dataset!)
      indices = try selectShard(indices, shard)
      guard !indices.isEmpty else { throw CLIError("no records in the \(split) split") }
      let name = attribution.name + (split == "test" ? "" : ".\(split)") + (shard.map { ".shard-" + $0.replacingOccurrences(of: "/", with: "-of-") } ?? "")
      outURL = try outputURL(out ?? runURL!.appendingPathComponent("attributions/\(name).npy").path)
    }
    let n = x?.shape[0] ?? indices.count
    var writer: NumPy.StreamWriter? = nil
    var diagnostics: [String: [Double]] = [:]
    let start = Date()
    do {
      for s in stride(from: 0, to: n, by: batchSize) {
        let range = s..<min(s + batchSize, n)
        let batch: Tensor
        if let x { batch = x.slice(range) } else {
          do { batch = try dataset!.batch(Array(indices[range]), rate: rate) } catch let error as PTBXLError { throw CLIError(error.description) }
          try validateECGBatch(batch, leads: model.architecture.inputChannels, path: runDirectory!, model: model)
        }
        if writer == nil { writer = try NumPy.StreamWriter(url: outURL, shape: [n] + Array(batch.shape.dropFirst())) }
        let targets = Int(target).map { Array(repeating: $0, count: batch.shape[0]) } ?? predictedTargets(model.forward(batch))
        let result: Attribution
        do { result = try attribution.attribute(model, input: batch, targets: targets) } catch let error as AttributionError {
          throw CLIError(error.description)
        }
        try writer!.append(result.values.scalars)
        for (key, list) in result.diagnostics { diagnostics[key, default: []] += list }
        progress(done: range.upperBound, total: n)
      }
      try writer?.finish()
    } catch {
      writer?.abandon()
      throw error
    }
    if dataset != nil {
      let ids = indices.map { String(dataset!.entries[$0].ecgID) }
      let idsURL = outURL.deletingPathExtension().appendingPathExtension("ecg_id.csv")
      try Data(("ecg_id\n" + ids.joined(separator: "\n") + "\n").utf8).write(to: idsURL, options: .atomic)
    }
    let seconds = Date().timeIntervalSince(start)
    print("wrote \(outURL.path): \(attribution.name) attributions of \(model.architecture.name) on \(n) records in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(n) / seconds)) records/s)")
    for (key, list) in diagnostics.sorted(by: { $0.key < $1.key }) {
      let mean = list.reduce(0, +) / Double(list.count)
      let worst = list.map(abs).max() ?? 0
      print("  \(key): mean \(String(format: "%.4g", mean)), max |·| \(String(format: "%.4g", worst))")
    }
  }
}
