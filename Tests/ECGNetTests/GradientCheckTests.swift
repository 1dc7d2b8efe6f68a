import ECGNet
import ECGTensor
import Testing

/// Analytic gradients of every layer (and of a whole xresnet bottleneck block) equal central
/// finite differences of a random linear functional L = Σ w ⊙ f(x).
@Suite struct GradientCheckTests {
  /// Returns the worst relative disagreement between the analytic input gradient and central
  /// differences, over a random subset of input coordinates.
  static func inputGradientError(
    _ layer: any Layer, inputShape: [Int], training: Bool, seed: UInt64 = 1, probes: Int = 40,
    separated: Bool = false
  ) -> Float {
    var rng = SeededRNG(seed: seed)
    var x = Tensor.randomNormal(inputShape, using: &rng)
    if separated {
      // Max pooling is not differentiable at ties: use distinct values ≥ 0.05 apart, shuffled.
      var values = (0..<x.count).map { Float($0) * 0.05 - Float(x.count) * 0.025 }
      values.shuffle(using: &rng)
      x = Tensor(shape: inputShape, scalars: values)
    }
    let options = PassOptions(training: training, recordForBackward: true, parameterGradients: true)
    let y = layer.run(x, options: options, hooks: PassHooks())
    let weights = Tensor.randomNormal(y.shape, using: &rng)
    let analytic = layer.runBackward(weights, options: options, hooks: PassHooks())
    func loss(_ input: Tensor) -> Double {
      let out = layer.run(input, options: options, hooks: PassHooks())
      var total = 0.0
      for i in 0..<out.count { total += Double(out.scalars[i]) * Double(weights.scalars[i]) }
      return total
    }
    var worst: Float = 0
    let h: Float = 1e-2
    for _ in 0..<probes {
      let i = Int(rng.next() % UInt64(x.count))
      var plus = x
      plus.scalars[i] += h
      var minus = x
      minus.scalars[i] -= h
      let numeric = Float((loss(plus) - loss(minus)) / Double(2 * h))
      let error = abs(numeric - analytic.scalars[i]) / max(1, abs(numeric))
      worst = max(worst, error)
    }
    return worst
  }

  @Test func convolutionWithStridePaddingDilation() {
    var rng = SeededRNG(seed: 2)
    for (stride, padding, dilation) in [(1, 0, 1), (2, 2, 1), (1, 3, 2), (3, 1, 1)] {
      let conv = Conv1d(
        Conv1DGeometry(inChannels: 3, outChannels: 4, kernelSize: 5, stride: stride, padding: padding, dilation: dilation),
        bias: true, rng: &rng)
      #expect(Self.inputGradientError(conv, inputShape: [2, 3, 23], training: false) < 2e-3)
    }
  }

  @Test func everyLeafLayer() {
    var rng = SeededRNG(seed: 3)
    let cases: [(any Layer, [Int], Bool)] = [
      (Linear(inFeatures: 6, outFeatures: 4, rng: &rng), [3, 6], false),
      (BatchNorm1d(channels: 3, initialBias: 0.2), [4, 3, 9], true),
      (BatchNorm1d(channels: 3), [4, 3, 9], false),
      (ReLU(), [2, 3, 11], false),
      (MaxPool1d(kernelSize: 3, stride: 2, padding: 1), [2, 3, 13], false),
      (MaxPool1d(kernelSize: 2), [2, 3, 13], false),
      (AvgPool1d(kernelSize: 2, ceilMode: true), [2, 3, 13], false),
      (GlobalPool1d(.average), [2, 3, 7], false),
      (GlobalPool1d(.maximum), [2, 3, 7], false),
      (GlobalPool1d(.concat), [2, 3, 7], false),
      (Flatten(), [2, 3, 4], false),
      (Identity(), [2, 3, 4], false),
    ]
    for (layer, shape, training) in cases {
      let error = Self.inputGradientError(
        layer, inputShape: shape, training: training, separated: layer.kind.contains("Max")
          || layer.kind.contains("Concat"))
      #expect(error < 2e-3, "\(layer.kind): relative error \(error)")
    }
  }

  @Test func xresnetBottleneckBlockInTrainingMode() throws {
    let model = try ModelZoo.make("xresnet1d50", classes: 3, seed: 4)
    let block = try #require(model.layer(named: "features.5.0"))  // stride 2, AvgPool shortcut
    // Give the zero-initialised last BN a non-zero scale so the conv path matters.
    for case let bn as BatchNorm1d in block.allLayers { bn.weight.value = bn.weight.value.map { _ in 0.7 } }
    let error = Self.inputGradientError(block, inputShape: [2, 256, 15], training: true, probes: 30)
    #expect(error < 5e-3, "bottleneck block relative error \(error)")
  }

  /// Parameter gradients of a convolution equal finite differences in the weights.
  @Test func convolutionWeightGradient() {
    var rng = SeededRNG(seed: 5)
    let conv = Conv1d(Conv1DGeometry(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1), bias: true, rng: &rng)
    let x = Tensor.randomNormal([3, 2, 10], using: &rng)
    let y = conv.run(x, options: .training, hooks: PassHooks())
    let w = Tensor.randomNormal(y.shape, using: &rng)
    _ = conv.runBackward(w, options: .training, hooks: PassHooks())
    func loss() -> Double {
      let out = conv.run(x, options: .inference, hooks: PassHooks())
      return zip(out.scalars, w.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for parameter in [conv.weight, conv.bias!] {
      for i in 0..<parameter.value.count {
        let original = parameter.value.scalars[i]
        parameter.value.scalars[i] = original + 1e-2
        let plus = loss()
        parameter.value.scalars[i] = original - 1e-2
        let minus = loss()
        parameter.value.scalars[i] = original
        let numeric = Float((plus - minus) / 2e-2)
        #expect(abs(numeric - parameter.gradient.scalars[i]) < 2e-3 * max(1, abs(numeric)))
      }
    }
  }
}
