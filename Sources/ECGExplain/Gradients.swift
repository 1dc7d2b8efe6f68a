import ECGNet
import ECGTensor

/// Saliency: the gradient of the target output with respect to the input (Captum `Saliency`,
/// Zennit `Gradient`); `absolute` takes |·| as Captum's default does (the paper's analyses take
/// `abs` of the signed gradient).
public struct Saliency: AttributionMethod {
  public var name: String { absolute ? "saliency" : "gradient" }
  /// Return |gradient| instead of the signed gradient.
  public var absolute: Bool
  /// Creates the method; signed by default (the paper's `saliency`).
  public init(absolute: Bool = false) { self.absolute = absolute }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    try check(model, input: input, targets: targets)
    var (outputs, values) = outputsAndInputGradient(model, input: input, targets: targets)
    if absolute { values = values.map(abs) }
    return Attribution(values: values, outputs: outputs, targets: targets)
  }
}

/// Gradient × Input (Captum `InputXGradient`).
public struct GradientTimesInput: AttributionMethod {
  public let name = "gxi"
  /// Creates the method.
  public init() {}

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    try check(model, input: input, targets: targets)
    let (outputs, gradient) = outputsAndInputGradient(model, input: input, targets: targets)
    return Attribution(values: gradient * input, outputs: outputs, targets: targets)
  }
}

/// ∂ output[i, targets[i]] / ∂ input[i] for every record, [N, leads, T].
func inputGradient(_ model: Model, input: Tensor, targets: [Int], hooks: PassHooks = PassHooks()) -> Tensor {
  outputsAndInputGradient(model, input: input, targets: targets, hooks: hooks).gradient
}

/// The outputs [N, classes] and ∂ output[i, targets[i]] / ∂ input[i], from one forward pass.
func outputsAndInputGradient(
  _ model: Model, input: Tensor, targets: [Int], hooks: PassHooks = PassHooks()
) -> (outputs: Tensor, gradient: Tensor) {
  let output = model.forward(input, options: .attribution, hooks: hooks)
  let gradient = model.backward(oneHot(targets, classes: output.shape[1]), options: .attribution, hooks: hooks)
  model.root.clearRecords()
  return (output, gradient)
}
