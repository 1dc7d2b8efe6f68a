import ECGTensor

/// One step of the fused inference path: an ordinary child, or Conv1d → BatchNorm1d (→ ReLU)
/// run as a single convolution with BN folded into its weights and bias.
enum FusedStep: Sendable {
  case layer(Int)
  case convolution(first: Int, input: Tensor, output: Tensor, weight: Tensor, relu: Bool)
}

extension Conv1d {
  /// Weight and bias of this convolution with an evaluation-mode BatchNorm folded in:
  /// W′[o] = s[o]·W[o], b′[o] = s[o]·b[o] + t[o] where BN(x) = s·x + t. This is also the
  /// canonizer LRP uses (Zennit's `MergeBatchNorm`).
  public func folded(with batchNorm: BatchNorm1d) -> (weight: Tensor, bias: Tensor) {
    let (scale, shift) = batchNorm.evaluationAffine
    let perChannel = geometry.inChannels * geometry.kernelSize
    var w = weight.value
    var b = [Float](repeating: 0, count: geometry.outChannels)
    for o in 0..<geometry.outChannels {
      for i in 0..<perChannel { w.scalars[o * perChannel + i] *= scale[o] }
      b[o] = (bias?.value.scalars[o] ?? 0) * scale[o] + shift[o]
    }
    return (w, Tensor(shape: [geometry.outChannels], scalars: b))
  }
}

extension Sequential {
  /// Evaluation forward without hooks: Conv1d → BatchNorm1d (→ ReLU) runs as one folded,
  /// fused convolution; everything else as usual. The result equals the unfused pass up to
  /// float rounding (tests check 1e-5 relative).
  func fusedForward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    var steps: [FusedStep] = []
    var x = input
    var i = 0
    while i < layers.count {
      if let conv = layers[i].layer as? Conv1d, i + 1 < layers.count,
        let bn = layers[i + 1].layer as? BatchNorm1d
      {
        let relu = i + 2 < layers.count && layers[i + 2].layer is ReLU
        let (w, b) = conv.folded(with: bn)
        let y = Convolution1D.forward(x, weight: w, bias: b, geometry: conv.geometry, relu: relu)
        if options.recordForBackward {
          steps.append(.convolution(first: i, input: x, output: y, weight: w, relu: relu))
        }
        x = y
        i += relu ? 3 : 2
      } else {
        x = layers[i].layer.run(x, options: options, hooks: hooks)
        if options.recordForBackward { steps.append(.layer(i)) }
        i += 1
      }
    }
    record.fusedSteps = steps
    return x
  }

  /// The input gradient through the steps `fusedForward` recorded.
  func fusedBackward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    var g = upstream
    for step in record.fusedSteps.reversed() {
      switch step {
      case .layer(let index):
        g = layers[index].layer.runBackward(g, options: options, hooks: hooks)
      case .convolution(let first, let input, let output, let weight, let relu):
        let conv = layers[first].layer as! Conv1d
        g = Convolution1D.backwardInput(
          g, weight: weight, inputLength: input.shape[2], geometry: conv.geometry,
          transform: relu ? .reluGate(output) : .none)
      }
    }
    return g
  }
}
