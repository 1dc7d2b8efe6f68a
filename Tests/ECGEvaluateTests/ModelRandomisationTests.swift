import ECGEvaluate
import ECGExplain
import ECGNet
import ECGTensor
import Testing

/// Spearman correlation equals SciPy's (ties averaged); the cascading randomisation visits every
/// parameterised layer from the output, lowers the similarity of saliency maps, and leaves the
/// model exactly as it was.
@Suite struct ModelRandomisationTests {
  @Test func spearmanMatchesSciPy() {
    #expect(abs(ModelRandomisation.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12)
    #expect(abs(ModelRandomisation.spearman([1, 1, 2, 3], [4, 3, 3, 1]) - (-0.8333333333333335)) < 1e-12)
  }

  @Test func cascadeRandomisesFromTheOutputAndRestores() throws {
    let model = try ModelZoo.make("lenet1d", classes: 3, seed: 4)
    var rng = SeededRNG(seed: 9)
    let x = Tensor.randomNormal([4, 12, 500], using: &rng)
    let before = model.forward(x)
    let steps = try ModelRandomisation.cascading(model, method: Saliency(), input: x, targets: [0, 1, 2, 0], seed: 1)
    #expect(steps.first?.layer == "sequential.15" && steps.last?.layer == "sequential.0")
    #expect(steps.count == 8)  // 3 conv, 3 BN, 2 linear
    #expect(steps.last!.spearman < 0.5, "fully randomised saliency still correlates \(steps.last!.spearman)")
    #expect(model.forward(x) == before)
  }
}
