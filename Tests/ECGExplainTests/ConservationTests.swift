import ECGExplain
import ECGNet
import ECGTensor
import Testing

/// LRP conservation and IG completeness, the two sums attributions promise.
@Suite struct ConservationTests {
  /// Zero every bias and BatchNorm shift, so that no relevance is absorbed.
  static func zeroBiases(_ model: Model) {
    for layer in model.root.allLayers {
      if let conv = layer as? Conv1d { conv.bias?.value = conv.bias!.value.map { _ in 0 } }
      if let linear = layer as? Linear { linear.bias?.value = linear.bias!.value.map { _ in 0 } }
      if let bn = layer as? BatchNorm1d {
        bn.bias.value = bn.bias.value.map { _ in 0 }
        bn.runningMean.value = bn.runningMean.value.map { _ in 0 }
      }
    }
  }

  /// With ε → 0 and zero biases, Σ input relevance = the target logit (≤ 1e-4 relative), for the
  /// paper's lenet and for xresnet1d50 with relevance split over residual additions.
  @Test(arguments: ["lenet1d", "xresnet1d50"])
  func epsilonLRPConservesTheLogit(arch: String) throws {
    let (model, reference) = try ReferenceAgreementTests.load(arch)
    Self.zeroBiases(model)
    let x = try #require(reference["x"])
    let lrp = LRP(composite: .epsilon(1e-9, stabilizer: 1e-9), residual: .proportional, seedWithOutput: true)
    let result = try lrp.attribute(model, input: x, targets: [1, 3])
    for ratio in try #require(result.diagnostics["conservation"]) {
      #expect(abs(ratio - 1) <= 1e-4, "\(arch): Σ relevance / logit = \(ratio)")
    }
  }

  /// With the model's biases, the share absorbed by them is reported (the ratio is not 1).
  @Test func biasesAbsorbRelevanceAndItIsReported() throws {
    let (model, reference) = try ReferenceAgreementTests.load("lenet1d")
    let result = try LRP(seedWithOutput: true).attribute(model, input: try #require(reference["x"]), targets: [1, 3])
    let ratios = try #require(result.diagnostics["conservation"])
    #expect(ratios.count == 2 && ratios.allSatisfy { $0.isFinite && abs($0 - 1) > 1e-3 })
  }

  /// IG's completeness gap |Σ attribution − (f(x) − f(0))| shrinks as steps grow.
  @Test func integratedGradientsCompletenessImprovesWithSteps() throws {
    let (model, reference) = try ReferenceAgreementTests.load("lenet1d")
    let x = try #require(reference["x"])
    var gaps: [Double] = []
    for steps in [4, 16, 64] {
      let result = try IntegratedGradients(steps: steps, method: .gaussLegendre).attribute(model, input: x, targets: [1, 3])
      gaps.append(try #require(result.diagnostics["completeness_delta"]).map(abs).max()!)
    }
    #expect(gaps[2] < gaps[0], "completeness gaps \(gaps)")
    #expect(gaps[2] < 1e-2, "completeness gaps \(gaps)")
    print("IG completeness (Gauss-Legendre, lenet1d) max |delta| for 4/16/64 steps: \(gaps)")
  }

  @Test func badInputsAreClearErrors() throws {
    let (model, reference) = try ReferenceAgreementTests.load("lenet1d")
    let x = try #require(reference["x"])
    #expect(throws: AttributionError.self) { try Saliency().attribute(model, input: x, targets: [1, 7]) }
    #expect(throws: AttributionError.self) { try Saliency().attribute(model, input: x.reshaped([2, 6, 2000]), targets: [1, 1]) }
    #expect(throws: AttributionError.self) { try Saliency().attribute(model, input: x, targets: [1]) }
  }

  /// Steps past `IntegratedGradients.maximumSteps` (10¹² aborted on allocation) are an error.
  @Test func integratedGradientsBoundsItsSteps() throws {
    let model = try ModelZoo.make("lenet1d", classes: 2)
    let x = Tensor(shape: [1, 12, 100], scalars: [Float](repeating: 0.1, count: 1200))
    #expect { try IntegratedGradients(steps: 1_000_000_000_000).attribute(model, input: x, targets: [0]) } throws: { error in
      "\(error)".contains("at most \(IntegratedGradients.maximumSteps)")
    }
  }
}
