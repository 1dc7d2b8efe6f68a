import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// AdamW with decoupled weight decay, exactly PyTorch's `torch.optim.AdamW` update:
/// p ← p − lr·λ·p; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε). The paper: lr 1e-3, λ 1e-3.
public final class AdamW {
  /// Learning rate (may be changed between steps by a schedule).
  public var learningRate: Float
  /// Decoupled weight decay λ.
  public let weightDecay: Float
  /// β₁, β₂.
  public let betas: (Float, Float)
  /// ε.
  public let epsilon: Float
  private let parameters: [Parameter]
  private var firstMoments: [[Float]]
  private var secondMoments: [[Float]]
  private var step = 0

  /// Creates an optimizer over `parameters` (buffers are skipped).
  public init(
    parameters: [Parameter], learningRate: Float = 1e-3, weightDecay: Float = 1e-3,
    betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8
  ) {
    self.parameters = parameters.filter { !$0.isBuffer }
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.betas = betas
    self.epsilon = epsilon
    firstMoments = self.parameters.map { [Float](repeating: 0, count: $0.value.count) }
    secondMoments = firstMoments
  }

  /// Applies one update from the accumulated gradients, then zeroes them.
  public func step(zeroingGradients: Bool = true) {
    step += 1
    let (b1, b2) = betas
    let correction1 = 1 - powf(b1, Float(step))
    let correction2 = 1 - powf(b2, Float(step))
    for (index, parameter) in parameters.enumerated() {
      let g = parameter.gradient.scalars
      parameter.value.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count {
          p[i] -= learningRate * weightDecay * p[i]
          firstMoments[index][i] = b1 * firstMoments[index][i] + (1 - b1) * g[i]
          secondMoments[index][i] = b2 * secondMoments[index][i] + (1 - b2) * g[i] * g[i]
          let mHat = firstMoments[index][i] / correction1
          let vHat = secondMoments[index][i] / correction2
          p[i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
        }
      }
      if zeroingGradients { parameter.zeroGradient() }
    }
  }
}
