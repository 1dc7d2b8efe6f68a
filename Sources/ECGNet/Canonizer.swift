import ECGTensor

/// A BatchNorm merge applied to a model, undone by `restore()`.
///
/// Exactly Zennit's `MergeBatchNorm` (used by its `SequentialMergeBatchNorm`, VGG and ResNet
/// canonizers): for every Conv1d or Linear directly followed by a BatchNorm1d in a `Sequential`
/// (or, in a `LayerGraph`, read by nothing but a BatchNorm1d),
/// W ← W·s, b ← (b − μ)·s + β with s = γ/√(σ² + ε) (a bias is added if the layer had none), and the
/// BatchNorm is reset to γ = 1, β = 0, μ = 0, σ² = 1 — so it computes x/√(1 + ε). LRP rules then
/// see one linear layer where the network had two.
///
/// Zennit's `SequentialMergeBatchNorm` walks the leaves of the module tree, and fastai's xresnet
/// registers each residual block's convolution path twice (`convs` and `convpath.0` are the same
/// modules), so Zennit merges every BatchNorm of a convolution path twice: the second merge
/// scales that convolution by 1/√(1 + ε) once more (and the BatchNorm still computes x/√(1 + ε)).
/// With `asZennitOnFastaiResBlocks` (the default) this merge does the same, so relevance equals
/// Zennit's on the paper's models (a 5·10⁻⁶ relative scale per such layer — 48 of them in
/// xresnet1d50).
public final class BatchNormMerge {
  private var restorers: [() -> Void] = []

  /// Merges every mergeable BatchNorm of `model` (evaluation-mode statistics); with
  /// `asZennitOnFastaiResBlocks` each residual block's convolution path is merged a second time,
  /// as Zennit does (see above).
  public init(_ model: Model, asZennitOnFastaiResBlocks: Bool = true) {
    func adjacentPairs(_ sequential: Sequential) -> [(layer: any Layer, batchNorm: BatchNorm1d)] {
      let layers = sequential.layers.map(\.layer)
      return (0..<max(0, layers.count - 1)).compactMap { i in (layers[i + 1] as? BatchNorm1d).map { (layers[i], $0) } }
    }
    var pairs: [(layer: any Layer, batchNorm: BatchNorm1d)] = []
    for layer in model.root.allLayers {
      if let sequential = layer as? Sequential {
        pairs += adjacentPairs(sequential)
      } else if let graph = layer as? LayerGraph {
        pairs += graph.batchNormPairs
      }
    }
    if asZennitOnFastaiResBlocks {
      for case let block as ResidualBlock in model.root.allLayers {
        for case let sequential as Sequential in block.convs.allLayers { pairs += adjacentPairs(sequential) }
      }
    }
    for (layer, bn) in pairs {
      let scale = (0..<bn.channels).map {
        bn.weight.value.scalars[$0] / (bn.runningVariance.value.scalars[$0] + bn.epsilon).squareRoot()
      }
      let weight: Parameter
      let bias: Parameter
      var removeBias: (() -> Void)? = nil
      if let conv = layer as? Conv1d, conv.geometry.outChannels == bn.channels {
        weight = conv.weight
        if let existing = conv.bias { bias = existing } else {
          bias = Parameter(Tensor(zeros: [bn.channels]))
          conv.bias = bias
          removeBias = { conv.bias = nil }
        }
      } else if let linear = layer as? Linear, linear.outFeatures == bn.channels {
        weight = linear.weight
        if let existing = linear.bias { bias = existing } else {
          bias = Parameter(Tensor(zeros: [bn.channels]))
          linear.bias = bias
          removeBias = { linear.bias = nil }
        }
      } else {
        continue
      }
      let saved = (weight.value, bias.value, bn.weight.value, bn.bias.value, bn.runningMean.value, bn.runningVariance.value)
      let perChannel = weight.value.count / bn.channels
      for o in 0..<bn.channels {
        for k in 0..<perChannel { weight.value.scalars[o * perChannel + k] *= scale[o] }
        bias.value.scalars[o] = (bias.value.scalars[o] - bn.runningMean.value.scalars[o]) * scale[o] + bn.bias.value.scalars[o]
      }
      bn.weight.value = Tensor(zeros: [bn.channels], value: 1)
      bn.bias.value = Tensor(zeros: [bn.channels])
      bn.runningMean.value = Tensor(zeros: [bn.channels])
      bn.runningVariance.value = Tensor(zeros: [bn.channels], value: 1)
      restorers.append {
        weight.value = saved.0
        bias.value = saved.1
        bn.weight.value = saved.2
        bn.bias.value = saved.3
        bn.runningMean.value = saved.4
        bn.runningVariance.value = saved.5
        removeBias?()
      }
    }
  }

  /// Puts every merged parameter back (in reverse order).
  public func restore() {
    for restorer in restorers.reversed() { restorer() }
    restorers = []
  }

  deinit { restore() }
}
