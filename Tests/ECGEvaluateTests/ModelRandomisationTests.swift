import ECGEvaluate
import ECGExplain
import ECGNet
import ECGTensor
import Testing

/// The cascading and independent randomisation visit every parameterised layer from the output,
/// lower the similarity of saliency maps, leave the model exactly as it was, and agree on the
/// first step (the same random output layer); the random-logit test picks another output.
@Suite struct ModelRandomisationTests {
  @Test func cascadeRandomisesFromTheOutputAndRestores() throws {
    let model = try ModelZoo.make("lenet1d", classes: 3, seed: 4)
    var rng = SeededRNG(seed: 9)
    let x = Tensor.randomNormal([4, 12, 500], using: &rng)
    let before = model.forward(x)
    let steps = try ModelRandomisation.cascading(model, method: Saliency(), input: x, targets: [0, 1, 2, 0], seed: 1)
    #expect(steps.first?.layer == "sequential.15" && steps.last?.layer == "sequential.0")
    #expect(steps.count == 8)  // 3 conv, 3 BN, 2 linear
    #expect(steps.last!.spearman < 0.5, "fully randomised saliency still correlates \(steps.last!.spearman)")
    #expect(steps.last!.scores.topKIntersection < steps.first!.scores.topKIntersection + 0.2)
    #expect(model.forward(x) == before)
  }

  @Test func independentRandomisesOneLayerAtATime() throws {
    let model = try ModelZoo.make("lenet1d", classes: 3, seed: 4)
    var rng = SeededRNG(seed: 9)
    let x = Tensor.randomNormal([3, 12, 500], using: &rng)
    let before = model.forward(x)
    let cascading = try ModelRandomisation.run(model, method: Saliency(), input: x, targets: [0, 1, 2], order: .cascading, seed: 2)
    let independent = try ModelRandomisation.run(model, method: Saliency(), input: x, targets: [0, 1, 2], order: .independent, seed: 2)
    #expect(independent.map(\.layer) == cascading.map(\.layer))
    #expect(independent[0] == cascading[0])  // step 1 randomises the same layer with the same values
    #expect(model.forward(x) == before)
    // From step 2 on the cascade keeps the output layer random, the independent test restores it.
    #expect(independent[1] != cascading[1])
    // An identity check: an "attribution" that ignores the model (the input itself) stays at 1.
    struct InputItself: AttributionMethod {
      var name = "input"
      func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
        var result = try Saliency().attribute(model, input: input, targets: targets)
        result.values = input
        return result
      }
    }
    let blind = try ModelRandomisation.run(model, method: InputItself(), input: x, targets: [0, 1, 2], order: .independent)
    #expect(blind.allSatisfy { $0.scores.spearman == 1 && $0.scores.topKIntersection == 1 })
  }

  @Test func randomLogitPicksAnotherOutput() throws {
    let off = RandomLogit.offTargets(Array(repeating: 2, count: 200) + [0, 4], classes: 5, seed: 3)
    #expect(zip(off, Array(repeating: 2, count: 200) + [0, 4]).allSatisfy { $0 != $1 })
    #expect(Set(off.prefix(200)) == [0, 1, 3, 4])  // every other class is drawn
    #expect(off == RandomLogit.offTargets(Array(repeating: 2, count: 200) + [0, 4], classes: 5, seed: 3))
    let model = try ModelZoo.make("lenet1d", classes: 4, seed: 1)
    var rng = SeededRNG(seed: 2)
    let x = Tensor.randomNormal([3, 12, 300], using: &rng)
    let result = try RandomLogit.test(model, method: Saliency(), input: x, targets: [0, 1, 2], seed: 5)
    #expect(result.offTargets == RandomLogit.offTargets([0, 1, 2], classes: 4, seed: 5))
    #expect(result.scores.spearman < 1 && result.scores.ssim < 1)
    let same = try RandomLogit.test(model, method: Saliency(), input: x, targets: [0, 1, 2], offTargets: [1, 0, 3])
    #expect(same.offTargets == [1, 0, 3])
  }
}
