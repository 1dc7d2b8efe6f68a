import ECGNet
import ECGTensor

/// Which rule applies to which layer — Zennit's composites (zennit.composites), with its base
/// layer map: activations (ReLU, LeakyReLU, ELU, Sigmoid, Tanh — not Softmax) and BatchNorm → pass, average pooling (and residual sums when split)
/// → norm, everything else without a rule → gradient.
public struct LRPComposite: Sendable, Equatable {
  /// Rule of every convolution (except the first layer if `firstLayer` is set).
  public var convolution: LRPRule
  /// Rule of every fully connected layer (except the first layer if `firstLayer` is set).
  public var linear: LRPRule
  /// Rule of the first convolution/linear layer of the model, if special.
  public var firstLayer: LRPRule?
  /// Stabiliser of the base rules (norm).
  public var stabilizer: Float

  /// Creates a composite.
  public init(convolution: LRPRule, linear: LRPRule, firstLayer: LRPRule? = nil, stabilizer: Float = 1e-6) {
    self.convolution = convolution
    self.linear = linear
    self.firstLayer = firstLayer
    self.stabilizer = stabilizer
  }

  /// The paper's `EpsilonComposite` (hhi-aml/xai4ecg attribute_signals.py): ε-rule with ε = 1e-3 on
  /// every convolution and linear layer, base map with stabiliser 1e-6.
  public static func epsilon(_ epsilon: Float = 1e-3, stabilizer: Float = 1e-6) -> LRPComposite {
    LRPComposite(convolution: .epsilon(epsilon), linear: .epsilon(epsilon), stabilizer: stabilizer)
  }

  /// Zennit `EpsilonPlus`: z⁺ on convolutions, ε on linear layers.
  public static func epsilonPlus(epsilon: Float = 1e-6, stabilizer: Float = 1e-6) -> LRPComposite {
    LRPComposite(convolution: .zPlus(stabilizer: stabilizer), linear: .epsilon(epsilon), stabilizer: stabilizer)
  }

  /// Zennit `EpsilonPlusFlat`: as `epsilonPlus`, flat rule on the first layer.
  public static func epsilonPlusFlat(epsilon: Float = 1e-6, stabilizer: Float = 1e-6) -> LRPComposite {
    LRPComposite(convolution: .zPlus(stabilizer: stabilizer), linear: .epsilon(epsilon), firstLayer: .flat(stabilizer: stabilizer), stabilizer: stabilizer)
  }

  /// Zennit `EpsilonAlpha2Beta1`: α2β1 on convolutions, ε on linear layers.
  public static func epsilonAlpha2Beta1(epsilon: Float = 1e-6, stabilizer: Float = 1e-6) -> LRPComposite {
    LRPComposite(convolution: .alphaBeta(alpha: 2, beta: 1, stabilizer: stabilizer), linear: .epsilon(epsilon), stabilizer: stabilizer)
  }

  /// Zennit `EpsilonGammaBox`: γ on convolutions, ε on linear layers, z^B on the first
  /// convolution with the input bounds (mV) `low`/`high`.
  public static func epsilonGammaBox(low: Float, high: Float, gamma: Float = 0.25, epsilon: Float = 1e-6, stabilizer: Float = 1e-6) -> LRPComposite {
    LRPComposite(convolution: .gamma(gamma, stabilizer: stabilizer), linear: .epsilon(epsilon), firstLayer: .zBox(low: low, high: high, stabilizer: stabilizer), stabilizer: stabilizer)
  }

  /// The rule for one layer; `isFirst` marks the model's first convolution/linear layer.
  public func rule(for layer: any Layer, isFirst: Bool) -> LRPRule {
    switch layer {
    case is Conv1d: return isFirst ? (firstLayer ?? convolution) : convolution
    case is Linear: return isFirst ? (firstLayer ?? linear) : linear
    case is ReLU, is LeakyReLU, is ELU, is Sigmoid, is Tanh, is BatchNorm1d: return .pass
    case is AvgPool1d: return .norm(stabilizer: stabilizer)
    case let pool as GlobalPool1d where pool.mode != .maximum: return .norm(stabilizer: stabilizer)
    default: return .gradient
    }
  }
}
