import ECGExplain
import ECGNet

/// The attribution methods the command line offers, by name, with their parameters: the defaults
/// are the paper's (and `ecgxai explain`'s option defaults), so every command builds a method the
/// same way.
struct AttributionSettings {
  /// Method names accepted on the command line.
  static let methodNames = [
    "saliency", "gxi", "ig", "smoothgrad", "occlusion", "gradcam", "guided-gradcam", "guided-backprop", "lrp-epsilon",
    "lrp-epsilon-plus", "lrp-epsilon-plus-flat", "lrp-alpha2beta1", "lrp-epsilon-gamma-box",
  ]

  var absolute = false
  var steps = 10
  var integration = IntegratedGradients.Method.riemannRight
  var baseline = IntegratedGradients.Baseline.zero
  var internalBatchSize = 64
  var epsilon: Float = 1e-3
  var gamma: Float = 0.25
  var low: Float = -5
  var high: Float = 5
  var residual = LRP.ResidualHandling.gradient
  var samples = 25
  var noise: Float = 0.1
  /// smoothgrad: the method averaged over the noisy copies (any other method name).
  var tunnelBase = "saliency"
  /// smoothgrad: how the noisy attributions are combined (Captum's `nt_type`).
  var tunnelKind = SmoothGrad.Kind.smoothgrad
  var window = 50
  var stride = 25
  /// GradCAM layer; nil: the last feature block (lenet1d `sequential.10`, xresnet `features.7`).
  var layer: String?

  /// The method called `name` for `model`, or nil for an unknown name. An imported model's
  /// default GradCAM layer is its last layer with a [batch, channels, time] output.
  func method(_ name: String, model: Model) -> (any AttributionMethod)? {
    var settings = self
    if settings.layer == nil, let graph = model.root as? LayerGraph {
      settings.layer = graph.lastFeatureLayer(forInput: [1, model.architecture.inputChannels, 1000])
    }
    return settings.method(name, architecture: model.architecture.name)
  }

  /// The method called `name` for a model of `architecture`, or nil for an unknown name.
  func method(_ name: String, architecture: String) -> (any AttributionMethod)? {
    let camLayer = layer ?? (architecture == "lenet1d" ? "sequential.10" : "features.7")
    switch name {
    case "saliency": return Saliency(absolute: absolute)
    case "gxi": return GradientTimesInput()
    case "smoothgrad":
      guard tunnelBase != "smoothgrad", let base = method(tunnelBase, architecture: architecture) else { return nil }
      return SmoothGrad(base: base, samples: samples, standardDeviation: noise, kind: tunnelKind)
    case "occlusion": return Occlusion(window: window, stride: stride)
    case "gradcam": return GradCAM(layer: camLayer)
    case "guided-gradcam": return GradCAM(layer: camLayer, guided: true)
    case "guided-backprop": return GuidedBackprop()
    case "ig": return IntegratedGradients(steps: steps, method: integration, baseline: baseline, internalBatchSize: internalBatchSize)
    case "lrp-epsilon": return LRP(composite: .epsilon(epsilon), name: name, residual: residual)
    case "lrp-epsilon-plus": return LRP(composite: .epsilonPlus(epsilon: epsilon), name: name, residual: residual)
    case "lrp-epsilon-plus-flat": return LRP(composite: .epsilonPlusFlat(epsilon: epsilon), name: name, residual: residual)
    case "lrp-alpha2beta1": return LRP(composite: .epsilonAlpha2Beta1(epsilon: epsilon), name: name, residual: residual)
    case "lrp-epsilon-gamma-box":
      return LRP(composite: .epsilonGammaBox(low: low, high: high, gamma: gamma, epsilon: epsilon), name: name, residual: residual)
    default: return nil
    }
  }
}
