import ECGNet
import ECGTensor

/// GradCAM (Selvaraju et al. 2017) on any named layer, 1-D, as Captum's `LayerGradCam`:
/// weights αₖ = mean over time of ∂y/∂Aₖ, map = Σₖ αₖ Aₖ (ReLU optional, off by default as in
/// Captum), upsampled to the input length by nearest neighbour (index ⌊i·L′/L⌋, PyTorch's
/// `interpolate(mode="nearest")`) and repeated over leads.
public struct GradCAM: AttributionMethod {
  public var name: String { guided ? "guided-gradcam" : "gradcam" }
  /// Dotted layer path (`sequential.9`, `features.7`); see `Model.layerNames`.
  public var layer: String
  /// Apply ReLU to the map (Captum `relu_attributions`; GuidedGradCam always does).
  public var relu: Bool
  /// Guided GradCAM: guided backprop × upsampled GradCAM (Captum `GuidedGradCam`).
  public var guided: Bool

  /// Creates the method.
  public init(layer: String, relu: Bool = false, guided: Bool = false) {
    self.layer = layer
    self.relu = relu
    self.guided = guided
  }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    let outputs = try validated(model, input: input, targets: targets)
    guard model.layer(named: layer) != nil else {
      throw AttributionError.unknownLayer(name: layer, available: model.layerNames)
    }
    let name = layer
    nonisolated(unsafe) var activation: Tensor?
    nonisolated(unsafe) var gradient: Tensor?
    var hooks = PassHooks()
    hooks.forwardOutput = { path, _, output in
      if path == name { activation = output }
      return nil
    }
    hooks.backwardOutput = { path, _, upstream in
      if path == name { gradient = upstream }
      return nil
    }
    _ = inputGradient(model, input: input, targets: targets, hooks: hooks)
    guard let a = activation, let g = gradient, a.rank == 3 else {
      throw AttributionError.invalidParameter("layer '\(layer)' has no [N, channels, time] output to weight")
    }
    let (n, channels, mapLength) = (a.shape[0], a.shape[1], a.shape[2])
    var cam = [Float](repeating: 0, count: n * mapLength)
    for r in 0..<n {
      for c in 0..<channels {
        let base = (r * channels + c) * mapLength
        var alpha: Float = 0
        for t in 0..<mapLength { alpha += g.scalars[base + t] }
        alpha /= Float(mapLength)
        for t in 0..<mapLength { cam[r * mapLength + t] += alpha * a.scalars[base + t] }
      }
    }
    if relu || guided { cam = cam.map { max($0, 0) } }
    let (leads, length) = (input.shape[1], input.shape[2])
    var values = Tensor(zeros: input.shape)
    for r in 0..<n {
      for t in 0..<length {
        let source = min(mapLength - 1, Int((Double(t) * Double(mapLength) / Double(length)).rounded(.down)))
        for lead in 0..<leads { values.scalars[(r * leads + lead) * length + t] = cam[r * mapLength + source] }
      }
    }
    if guided { values = values * (try GuidedBackprop().attribute(model, input: input, targets: targets).values) }
    return Attribution(values: values, outputs: outputs, targets: targets)
  }
}

/// Guided backpropagation (Springenberg et al. 2015; Captum `GuidedBackprop`): the gradient with
/// every ReLU passing only positive gradient where its input was positive.
public struct GuidedBackprop: AttributionMethod {
  public let name = "guided-backprop"
  /// Creates the method.
  public init() {}

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    let outputs = try validated(model, input: input, targets: targets)
    var hooks = PassHooks()
    hooks.backwardRule = { _, layer, x, _, upstream in
      guard layer is ReLU else { return nil }
      return Tensor(shape: upstream.shape, scalars: zip(upstream.scalars, x.scalars).map { $1 > 0 ? max($0, 0) : 0 })
    }
    return Attribution(values: inputGradient(model, input: input, targets: targets, hooks: hooks), outputs: outputs, targets: targets)
  }
}
