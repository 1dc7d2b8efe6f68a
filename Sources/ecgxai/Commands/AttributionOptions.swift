import ArgumentParser
import ECGExplain

/// The parameters of the attribution methods as command-line options, shared by every command
/// that attributes (explain, audit, discover): each builds an `AttributionSpec` from them, so an
/// option means the same everywhere and ends up in the result's provenance. The method name (and
/// saliency's sign) are each command's own options.
struct AttributionOptions: ParsableArguments {
  @Option(help: "ig: number of steps, 2…\(IntegratedGradients.maximumSteps).") var steps = 10
  @Option(help: "ig: riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre.")
  var integration = "riemann_right"
  @Option(help: "ig: baseline zero, lead-mean, or FILE.npy in mV — [leads, samples] for every record or [records, leads, samples], one per attributed record.")
  var baseline = "zero"
  @Option(help: "ig: records × steps per pass (bounds memory).") var internalBatchSize = 64
  @Option(help: "lrp: ε of the ε-rule.") var epsilon: Float = 1e-3
  @Option(help: "lrp: γ of the γ-rule.") var gamma: Float = 0.25
  @Option(help: "lrp-epsilon-gamma-box: lowest input value (mV).") var low: Float = -5
  @Option(help: "lrp-epsilon-gamma-box: highest input value (mV).") var high: Float = 5
  @Option(help: "lrp: residual additions 'gradient' (the paper's) or 'proportional'.") var residual = "gradient"
  @Option(help: "smoothgrad: noisy copies.") var samples = 25
  @Option(help: "smoothgrad: noise σ in mV.") var noise: Float = 0.1
  @Option(help: "smoothgrad: the method averaged over the noisy copies (NoiseTunnel over any method, e.g. ig, lrp-epsilon).")
  var tunnelBase = "saliency"
  @Option(help: "smoothgrad: smoothgrad (mean), smoothgrad_sq (mean of squares) or vargrad (variance), Captum's nt_type.")
  var tunnelKind = "smoothgrad"
  @Option(help: "occlusion: window length in samples.") var window = 50
  @Option(name: .customLong("stride"), help: "occlusion: window stride in samples.") var occlusionStride = 25
  @Option(help: "gradcam/guided-gradcam: layer path (see the error message for the list).") var layer: String?

  func validate() throws {
    guard IntegratedGradients.Method(rawValue: integration) != nil else {
      throw ValidationError("--integration must be one of \(IntegratedGradients.Method.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard LRP.ResidualHandling(rawValue: residual) != nil else { throw ValidationError("--residual must be gradient or proportional") }
    guard SmoothGrad.Kind(rawValue: tunnelKind) != nil else { throw ValidationError("--tunnel-kind must be smoothgrad, smoothgrad_sq or vargrad") }
    if let problem = spec(method: "saliency").validationProblem { throw ValidationError(problem) }
  }

  /// Checks `method` (given as `option`) and these parameters together, naming the options in
  /// the messages.
  func validate(method: String, option: String = "--method") throws {
    let names = AttributionSpec.methodNames
    guard names.contains(method) else {
      throw ValidationError("unknown \(option) '\(method)'; choose one of \(names.joined(separator: ", "))")
    }
    if method == "smoothgrad", !names.contains(tunnelBase) || tunnelBase == "smoothgrad" {
      throw ValidationError("--tunnel-base must be another method: \(names.filter { $0 != "smoothgrad" }.joined(separator: ", "))")
    }
    if let problem = spec(method: method).validationProblem { throw ValidationError(problem) }
  }

  /// The spec of `method` with these parameters (`validate()` has checked them).
  func spec(method: String, absolute: Bool = false) -> AttributionSpec {
    AttributionSpec(
      method: method, absolute: absolute, steps: steps,
      integration: IntegratedGradients.Method(rawValue: integration) ?? .riemannRight, baseline: baseline,
      internalBatchSize: internalBatchSize, epsilon: epsilon, gamma: gamma, low: low, high: high,
      residual: LRP.ResidualHandling(rawValue: residual) ?? .gradient, samples: samples, noise: noise,
      tunnelBase: tunnelBase, tunnelKind: SmoothGrad.Kind(rawValue: tunnelKind) ?? .smoothgrad,
      window: window, stride: occlusionStride, layer: layer)
  }
}
