import ArgumentParser
import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai explain`: attribute a model's outputs on ECGs from a NumPy array.
struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Attribute a model's output to the input samples of [N, 12, T] ECGs (.npy).",
    discussion: """
      Methods: saliency (signed gradient; --absolute for |gradient|), gxi (gradient × input),
      ig (integrated gradients), lrp-epsilon (the paper's EpsilonComposite), lrp-epsilon-plus,
      lrp-epsilon-plus-flat, lrp-alpha2beta1, lrp-epsilon-gamma-box.
      Defaults are the paper's: IG with 10 right-Riemann steps from a zero baseline (Zennit),
      LRP with ε = 1e-3 on every convolution/linear layer and BatchNorm merged.
      Example: ecgxai explain --model runs/m/model --input X.npy --method lrp-epsilon --target 1 --out A.npy
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Input .npy [records, leads, samples] in mV.")
  var input: String

  @Option(help: "Output .npy for the attributions [records, leads, samples] (float32).")
  var out: String

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
  @Option(help: "Records per pass.") var batchSize = 32

  func validate() throws {
    let methods = ["saliency", "gxi", "ig", "lrp-epsilon", "lrp-epsilon-plus", "lrp-epsilon-plus-flat", "lrp-alpha2beta1", "lrp-epsilon-gamma-box"]
    guard methods.contains(method) else { throw ValidationError("unknown --method '\(method)'; choose one of \(methods.joined(separator: ", "))") }
    guard target == "predicted" || Int(target) != nil else { throw ValidationError("--target must be a class index or 'predicted'") }
    guard IntegratedGradients.Method(rawValue: integration) != nil else {
      throw ValidationError("--integration must be one of \(IntegratedGradients.Method.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard ["zero", "lead-mean"].contains(baseline) else { throw ValidationError("--baseline must be zero or lead-mean") }
    guard ["gradient", "proportional"].contains(residual) else { throw ValidationError("--residual must be gradient or proportional") }
    guard steps >= 2, batchSize > 0, internalBatchSize > 0, epsilon >= 0 else {
      throw ValidationError("--steps must be ≥ 2, --batch-size and --internal-batch-size positive, --epsilon ≥ 0")
    }
  }

  func makeMethod() -> any AttributionMethod {
    let residualHandling = LRP.ResidualHandling(rawValue: residual)!
    switch method {
    case "gxi": return GradientTimesInput()
    case "ig":
      return IntegratedGradients(
        steps: steps, method: IntegratedGradients.Method(rawValue: integration)!,
        baseline: baseline == "zero" ? .zero : .perLeadMean, internalBatchSize: internalBatchSize)
    case "lrp-epsilon": return LRP(composite: .epsilon(epsilon), name: method, residual: residualHandling)
    case "lrp-epsilon-plus": return LRP(composite: .epsilonPlus(epsilon: epsilon), name: method, residual: residualHandling)
    case "lrp-epsilon-plus-flat": return LRP(composite: .epsilonPlusFlat(epsilon: epsilon), name: method, residual: residualHandling)
    case "lrp-alpha2beta1": return LRP(composite: .epsilonAlpha2Beta1(epsilon: epsilon), name: method, residual: residualHandling)
    case "lrp-epsilon-gamma-box":
      return LRP(composite: .epsilonGammaBox(low: low, high: high, gamma: gamma, epsilon: epsilon), name: method, residual: residualHandling)
    default: return Saliency(absolute: absolute)
    }
  }

  func run() throws {
    let model = try modelOptions.load()
    let x = try readArray(input, what: "input")
    try validateECGBatch(x, leads: model.architecture.inputChannels, path: input)
    if let index = Int(target), index < 0 || index >= model.architecture.classes {
      throw CLIError("--target \(index) is out of range: the model has \(model.architecture.classes) outputs (0…\(model.architecture.classes - 1))")
    }
    let attribution = makeMethod()
    let n = x.shape[0]
    var values = [Float]()
    values.reserveCapacity(x.count)
    var diagnostics: [String: [Double]] = [:]
    let start = Date()
    for s in stride(from: 0, to: n, by: batchSize) {
      let batch = x.slice(s..<min(s + batchSize, n))
      let targets = Int(target).map { Array(repeating: $0, count: batch.shape[0]) } ?? predictedTargets(model.forward(batch))
      let result: Attribution
      do { result = try attribution.attribute(model, input: batch, targets: targets) } catch let error as AttributionError {
        throw CLIError(error.description)
      }
      values += result.values.scalars
      for (key, list) in result.diagnostics { diagnostics[key, default: []] += list }
      progress(done: min(s + batchSize, n), total: n)
    }
    try NumPy.write(Tensor(shape: x.shape, scalars: values), to: try outputURL(out))
    let seconds = Date().timeIntervalSince(start)
    print("wrote \(out): \(attribution.name) attributions \(x.shape) in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(n) / seconds)) records/s)")
    for (key, list) in diagnostics.sorted(by: { $0.key < $1.key }) {
      let mean = list.reduce(0, +) / Double(list.count)
      let worst = list.map(abs).max() ?? 0
      print("  \(key): mean \(String(format: "%.4g", mean)), max |·| \(String(format: "%.4g", worst))")
    }
  }
}
