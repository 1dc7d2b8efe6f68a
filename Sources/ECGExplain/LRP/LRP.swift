import ECGNet
import ECGTensor

/// Layer-wise relevance propagation with Zennit's rules and composites, on any ECGNet model.
///
/// BatchNorm layers that follow a convolution/linear layer are merged into it for the pass
/// (`BatchNormMerge`, Zennit's canonizer) and restored afterwards. Residual additions either pass
/// the relevance to both branches like a gradient (`.gradient`: what Zennit does on fastai's
/// xresnet blocks, which its ResNet canonizer does not rewrite — the paper's setting) or split it
/// in proportion to each branch's contribution (`.proportional`: Zennit's `Sum` + norm rule).
/// The output seed is one-hot on the target (Zennit's usage in the paper) or the target logit
/// itself (`seedWithOutput`, so that Σ relevance ≈ logit when biases are zero and ε → 0).
public struct LRP: AttributionMethod {
  /// How relevance crosses a residual addition.
  public enum ResidualHandling: String, Sendable, Codable { case gradient, proportional }

  public var name: String
  /// The rule map.
  public var composite: LRPComposite
  /// Merge BatchNorm into preceding layers (Zennit's canonizer).
  public var canonize: Bool
  /// Residual additions.
  public var residual: ResidualHandling
  /// Seed with the target output value instead of 1.
  public var seedWithOutput: Bool

  /// Creates the method; defaults are the paper's (`EpsilonComposite`, ε = 1e-3).
  public init(
    composite: LRPComposite = .epsilon(), name: String = "lrp-epsilon", canonize: Bool = true,
    residual: ResidualHandling = .gradient, seedWithOutput: Bool = false
  ) {
    self.composite = composite
    self.name = name
    self.canonize = canonize
    self.residual = residual
    self.seedWithOutput = seedWithOutput
  }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    try check(model, input: input, targets: targets)
    let merge = canonize ? BatchNormMerge(model) : nil
    defer { merge?.restore() }
    let firstPath = model.root.allLayers.first { $0 is Conv1d || $0 is Linear }?.path
    let composite = self.composite
    var hooks = PassHooks()
    hooks.backwardRule = { path, layer, input, output, upstream in
      let rule = composite.rule(for: layer, isFirst: path == firstPath)
      switch rule {
      case .gradient: return nil
      case .pass: return upstream
      case .norm(let s):
        if let pool = layer as? GlobalPool1d, pool.mode == .concat {
          return concatPoolRelevance(pool, input: input, output: output, upstream: upstream, stabilizer: s)
        }
        let scaled = stabilisedQuotient(upstream, output, s)
        return input * layer.backward(scaled, options: .attribution, hooks: PassHooks())
      default:
        guard let map = LinearMap(layer, inputShape: input.shape) else { return nil }
        return rule.linearRelevance(map, input: input, output: output, relevance: upstream)
      }
    }
    if residual == .proportional {
      let s = composite.stabilizer
      hooks.residualRule = { _, summands, upstream in
        let total = summands[0] + summands[1]
        let normalised = stabilisedQuotient(upstream, total, s)
        return [summands[0] * normalised, summands[1] * normalised]
      }
    }
    let canonicalOutputs = model.forward(input, options: .attribution, hooks: hooks)
    var seed = oneHot(targets, classes: canonicalOutputs.shape[1])
    if seedWithOutput {
      for (i, t) in targets.enumerated() { seed.scalars[i * seed.shape[1] + t] = canonicalOutputs[i, t] }
    }
    let relevance = model.backward(seed, options: .attribution, hooks: hooks)
    model.root.clearRecords()
    let perRecord = relevance.count / input.shape[0]
    let conservation = targets.enumerated().map { i, t -> Double in
      let total = relevance.scalars[(i * perRecord)..<((i + 1) * perRecord)].reduce(0.0) { $0 + Double($1) }
      return total / Double(seed[i, t])
    }
    // Outputs of the canonised model (BatchNorm merged), as Zennit's attributor returns them.
    return Attribution(values: relevance, outputs: canonicalOutputs, targets: targets, diagnostics: ["conservation": conservation])
  }
}

/// fastai's AdaptiveConcatPool1d is `cat([max(x), avg(x)])` of two sub-modules: Zennit routes the
/// max half by the gradient and applies the norm rule to the average half.
func concatPoolRelevance(_ pool: GlobalPool1d, input: Tensor, output: Tensor, upstream: Tensor, stabilizer s: Float) -> Tensor {
  let (n, c, l) = (input.shape[0], input.shape[1], input.shape[2])
  var maxPart = upstream
  var avgPart = upstream
  for i in 0..<n {
    for ch in 0..<c {
      let a = i * 2 * c + c + ch
      avgPart.scalars[i * 2 * c + ch] = 0
      maxPart.scalars[a] = 0
      avgPart.scalars[a] = upstream.scalars[a] / stabilized(output.scalars[a], s)
    }
  }
  let routedMax = pool.backward(maxPart, options: .attribution, hooks: PassHooks())
  let spreadAvg = pool.backward(avgPart, options: .attribution, hooks: PassHooks())
  _ = l
  return routedMax + input * spreadAvg
}
