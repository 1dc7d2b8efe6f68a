import ECGEvaluate
import ECGExplain
import ECGNet
import ECGTensor
import Testing

/// Region perturbation removes samples in the attribution's order: removing everything equals
/// the output change to an all-zero input, the random baseline is reproducible, and on a model
/// that reads only one lead an attribution on that lead beats the random order.
@Suite struct FaithfulnessTests {
  @Test func curveEndsAtTheZeroInputAndRandomIsSeeded() throws {
    let model = try ModelZoo.make("lenet1d", classes: 2, seed: 3)
    var rng = SeededRNG(seed: 5)
    let x = Tensor.randomNormal([3, 12, 400], using: &rng)
    let a = try Saliency().attribute(model, input: x, targets: [0, 1, 0]).values
    let curve = Faithfulness.regionPerturbation(model, input: x, attribution: a, targets: [0, 1, 0], fractions: [0, 1])
    #expect(curve.change[0] == 0)
    let zero = model.forward(Tensor(zeros: x.shape)), original = model.forward(x)
    let expected = (0..<3).map { r in Double(abs(original[r, [0, 1, 0][r]] - zero[r, [0, 1, 0][r]])) }.reduce(0, +) / 3
    #expect(abs(curve.change[1] - expected) < 1e-6)
    let r1 = Faithfulness.regionPerturbation(model, input: x, attribution: a, targets: [0, 1, 0], random: true, seed: 2)
    let r2 = Faithfulness.regionPerturbation(model, input: x, attribution: a, targets: [0, 1, 0], random: true, seed: 2)
    #expect(r1 == r2)
  }

  @Test func anAttributionOnTheOnlyReadLeadBeatsRandom() throws {
    // Zero every first-layer weight except those reading lead 4: the model sees only lead 4.
    let model = try ModelZoo.make("lenet1d", classes: 1, seed: 3)
    let weight = try #require(model.namedParameters.first { $0.name == "sequential.0.weight" }?.parameter)
    var w = weight.value
    let perOutput = 12 * 5
    for i in w.scalars.indices where (i % perOutput) / 5 != 4 { w.scalars[i] = 0 }
    weight.value = w
    var rng = SeededRNG(seed: 6)
    let x = Tensor.randomNormal([4, 12, 400], using: &rng)
    var onLead4 = Tensor(zeros: x.shape)
    for r in 0..<4 { for t in 0..<400 { onLead4.scalars[r * 4800 + 4 * 400 + t] = abs(x.scalars[r * 4800 + 4 * 400 + t]) + 1 } }
    let targets = [0, 0, 0, 0]
    let ours = Faithfulness.regionPerturbation(model, input: x, attribution: onLead4, targets: targets)
    let random = Faithfulness.regionPerturbation(model, input: x, attribution: onLead4, targets: targets, random: true)
    #expect(ours.aopc > random.aopc, "AOPC \(ours.aopc) vs random \(random.aopc)")
  }
}
