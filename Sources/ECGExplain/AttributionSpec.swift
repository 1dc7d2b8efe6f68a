import ECGNet
import ECGTensor

/// An attribution method by name with every parameter it takes — the one description of "how the
/// relevance was computed" that explain, audit, sanity, discover and a run configuration share,
/// and that every result stores (its provenance), so a result says which ε, steps or baseline
/// made it.
///
/// The defaults are the paper's (Wagner et al. 2024, after Zennit and Captum): IG with 10
/// right-Riemann steps from a zero baseline; LRP with ε = 1e-3 on every convolution and linear
/// layer, BatchNorm merged, residual additions by their gradient. `makeMethod(for:)` builds the
/// `AttributionMethod`; `validationProblem` says what is wrong with a spec before anything runs.
public struct AttributionSpec: Codable, Hashable, Sendable {
  /// Method names (`method`).
  public static let methodNames = [
    "saliency", "gxi", "ig", "smoothgrad", "occlusion", "gradcam", "guided-gradcam", "guided-backprop", "lrp-epsilon",
    "lrp-epsilon-plus", "lrp-epsilon-plus-flat", "lrp-alpha2beta1", "lrp-epsilon-gamma-box",
  ]

  /// The method: one of `methodNames`.
  public var method: String
  /// saliency: |gradient| instead of the signed gradient (Captum's `Saliency` default).
  public var absolute: Bool
  /// ig: number of steps (2…`IntegratedGradients.maximumSteps`).
  public var steps: Int
  /// ig: the quadrature rule.
  public var integration: IntegratedGradients.Method
  /// ig: `zero`, `lead-mean` or the path of a `.npy` baseline in mV (resolved by the caller).
  public var baseline: String
  /// ig: records × steps per pass (bounds memory, never changes the result).
  public var internalBatchSize: Int
  /// lrp: ε of the ε-rule.
  public var epsilon: Float
  /// lrp-epsilon-gamma-box: γ of the γ-rule.
  public var gamma: Float
  /// lrp-epsilon-gamma-box: lowest and highest input value of the box rule (mV).
  public var low: Float, high: Float
  /// lrp: how residual additions pass relevance.
  public var residual: LRP.ResidualHandling
  /// smoothgrad: noisy copies.
  public var samples: Int
  /// smoothgrad: noise σ in mV.
  public var noise: Float
  /// smoothgrad: the method averaged over the noisy copies (any other method name).
  public var tunnelBase: String
  /// smoothgrad: how the noisy attributions are combined (Captum's `nt_type`).
  public var tunnelKind: SmoothGrad.Kind
  /// occlusion: window length and stride in samples.
  public var window: Int, stride: Int
  /// gradcam, guided-gradcam: layer path; nil: the model's last feature block (lenet1d
  /// `sequential.10`, xresnet `features.7`, an imported graph's last [batch, channels, time] layer).
  public var layer: String?

  /// A spec with the paper's defaults for every parameter not given.
  public init(
    method: String, absolute: Bool = false, steps: Int = 10, integration: IntegratedGradients.Method = .riemannRight,
    baseline: String = "zero", internalBatchSize: Int = 64, epsilon: Float = 1e-3, gamma: Float = 0.25,
    low: Float = -5, high: Float = 5, residual: LRP.ResidualHandling = .gradient, samples: Int = 25, noise: Float = 0.1,
    tunnelBase: String = "saliency", tunnelKind: SmoothGrad.Kind = .smoothgrad, window: Int = 50, stride: Int = 25,
    layer: String? = nil
  ) {
    self.method = method
    self.absolute = absolute
    self.steps = steps
    self.integration = integration
    self.baseline = baseline
    self.internalBatchSize = internalBatchSize
    self.epsilon = epsilon
    self.gamma = gamma
    self.low = low
    self.high = high
    self.residual = residual
    self.samples = samples
    self.noise = noise
    self.tunnelBase = tunnelBase
    self.tunnelKind = tunnelKind
    self.window = window
    self.stride = stride
    self.layer = layer
  }

  /// This spec with another method name (every parameter kept).
  public func with(method: String) -> AttributionSpec {
    var copy = self
    copy.method = method
    return copy
  }

  /// What is wrong with the spec (an unknown method, a parameter out of range), or nil.
  public var validationProblem: String? {
    let names = Self.methodNames
    guard names.contains(method) else { return "unknown method '\(method)'; choose one of \(names.joined(separator: ", "))" }
    if method == "smoothgrad", !names.contains(tunnelBase) || tunnelBase == "smoothgrad" {
      return "the smoothgrad base must be another method: \(names.filter { $0 != "smoothgrad" }.joined(separator: ", "))"
    }
    guard steps >= 2, steps <= IntegratedGradients.maximumSteps else {
      return "ig steps is \(steps); it must be 2…\(IntegratedGradients.maximumSteps) (the integral converges within a few hundred steps)"
    }
    guard ["zero", "lead-mean"].contains(baseline) || baseline.hasSuffix(".npy") else {
      return "the ig baseline must be zero, lead-mean or a .npy file, not '\(baseline)'"
    }
    guard internalBatchSize > 0 else { return "the internal batch size must be positive" }
    guard epsilon >= 0, epsilon.isFinite else { return "ε must be a finite number ≥ 0" }
    guard gamma >= 0, low < high else { return "γ must be ≥ 0 and the box's low below its high" }
    guard samples >= 1, noise >= 0, window >= 1, stride >= 1 else {
      return "smoothgrad samples, occlusion window and stride must be ≥ 1 and the noise ≥ 0"
    }
    return nil
  }

  /// The method for `model`; `baseline` is IG's (the caller resolves a `.npy` path into
  /// `.custom`, per batch when it holds one baseline per record). An imported model's default
  /// GradCAM layer is its last layer with a [batch, channels, time] output.
  /// - Precondition: `validationProblem == nil`.
  public func makeMethod(for model: Model, baseline: IntegratedGradients.Baseline? = nil) -> any AttributionMethod {
    var spec = self
    if spec.layer == nil, let graph = model.root as? LayerGraph {
      spec.layer = graph.lastFeatureLayer(forInput: [1, model.architecture.inputChannels, 1000])
    }
    return spec.makeMethod(architecture: model.architecture.name, baseline: baseline)
  }

  /// The method for a built-in model of `architecture` (`lenet1d`, `xresnet1d…`), which fixes the
  /// default GradCAM layer.
  /// - Precondition: `validationProblem == nil`.
  public func makeMethod(architecture: String, baseline: IntegratedGradients.Baseline? = nil) -> any AttributionMethod {
    precondition(validationProblem == nil, validationProblem ?? "")
    let camLayer = layer ?? (architecture == "lenet1d" ? "sequential.10" : "features.7")
    let igBaseline = baseline ?? (self.baseline == "lead-mean" ? .perLeadMean : .zero)
    switch method {
    case "saliency": return Saliency(absolute: absolute)
    case "gxi": return GradientTimesInput()
    case "smoothgrad":
      let base = with(method: tunnelBase).makeMethod(architecture: architecture, baseline: baseline)
      return SmoothGrad(base: base, samples: samples, standardDeviation: noise, kind: tunnelKind)
    case "occlusion": return Occlusion(window: window, stride: stride)
    case "gradcam": return GradCAM(layer: camLayer)
    case "guided-gradcam": return GradCAM(layer: camLayer, guided: true)
    case "guided-backprop": return GuidedBackprop()
    case "ig": return IntegratedGradients(steps: steps, method: integration, baseline: igBaseline, internalBatchSize: internalBatchSize)
    case "lrp-epsilon": return LRP(composite: .epsilon(epsilon), name: method, residual: residual)
    case "lrp-epsilon-plus": return LRP(composite: .epsilonPlus(epsilon: epsilon), name: method, residual: residual)
    case "lrp-epsilon-plus-flat": return LRP(composite: .epsilonPlusFlat(epsilon: epsilon), name: method, residual: residual)
    case "lrp-alpha2beta1": return LRP(composite: .epsilonAlpha2Beta1(epsilon: epsilon), name: method, residual: residual)
    case "lrp-epsilon-gamma-box":
      return LRP(composite: .epsilonGammaBox(low: low, high: high, gamma: gamma, epsilon: epsilon), name: method, residual: residual)
    default: preconditionFailure("unknown method \(method)")
    }
  }

  private enum CodingKeys: String, CodingKey {
    case method, absolute, steps, integration, baseline, epsilon, gamma, low, high, residual, samples, noise, window, stride, layer
    case internalBatchSize = "internal_batch_size", tunnelBase = "tunnel_base", tunnelKind = "tunnel_kind"
  }
}
