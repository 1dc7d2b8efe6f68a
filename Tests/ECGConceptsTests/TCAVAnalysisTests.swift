@testable import ECGConcepts
import ECGNet
import ECGTensor
import Foundation
import Testing

/// The protocol's plumbing on small data: optimality of the CAV solver, disjoint runs,
/// determinism, and clear errors.
@Suite struct TCAVAnalysisTests {
  @Test func svmSolutionSatisfiesTheOptimalityConditions() {
    // 40 rows × 5 features, overlapping classes: the solution has margin violations on both sides.
    var rng = SeededRNG(seed: 3)
    let rows = 40, features = 5
    let x = Tensor(shape: [rows, features], scalars: (0..<(rows * features)).map { i in
      Float(Double.random(in: -1...1, using: &rng) + (i / features < 20 && i % features == 0 ? 0.8 : 0))
    })
    let value = { (r: Int, f: Int) in Double(x.scalars[r * features + f]) }
    let y = (0..<rows).map { $0 < 20 ? 1.0 : -1.0 }
    // The solver on the exact (double) Gram matrix: the primal gradient of
    // (1/n) Σ max(0, 1 − y(w·x + b))² + (α/2)‖w‖² must vanish at w = Σ αᵢ xᵢ.
    var gram = [Double](repeating: 0, count: rows * rows)
    for i in 0..<rows { for j in 0..<rows { gram[i * rows + j] = (0..<features).reduce(0) { $0 + value(i, $1) * value(j, $1) } } }
    let trainer = CAVTrainer(classifier: .svm)
    let solution = KernelLBFGS(loss: .squaredHinge, lossWeight: 1 / Double(rows), penalty: trainer.svmAlpha).solve(gram: gram, labels: y)
    var w = [Double](repeating: 0, count: features)
    for r in 0..<rows { for f in 0..<features { w[f] += solution.alpha[r] * value(r, f) } }
    var gradient = w.map { trainer.svmAlpha * $0 }, gradientB = 0.0
    for r in 0..<rows {
      let slack = max(0, 1 - y[r] * (0..<features).reduce(solution.intercept) { $0 + w[$1] * value(r, $1) })
      for f in 0..<features { gradient[f] += -2 * slack * y[r] * value(r, f) / Double(rows) }
      gradientB += -2 * slack * y[r] / Double(rows)
    }
    let norm = (gradient.reduce(0) { $0 + $1 * $1 } + gradientB * gradientB).squareRoot()
    #expect(norm < 1e-6, "‖∇J‖ = \(norm) at the SVM solution")
    // CAVTrainer (float32 Gram from the GEMM) finds the same direction.
    let cav = trainer.fit(x, positives: Array(0..<20), negatives: Array(20..<40), train: Array(0..<40), test: [])
    let wNorm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let cosine = zip(cav.direction, w).reduce(0) { $0 + Double($1.0) * $1.1 } / wNorm
    #expect(cosine > 1 - 1e-6, "direction cosine \(cosine)")
    #expect(abs(cav.weightNorm - wNorm) < 1e-3 * wNorm)
  }

  static func pool() -> Tensor {
    let length = 250
    let concept = (0..<60).flatMap { ReferenceAgreementTests.record($0, concept: true, length: length) }
    let plain = (0..<60).flatMap { ReferenceAgreementTests.record(200 + $0, concept: false, length: length) }
    return Tensor(shape: [120, 12, length], scalars: concept + plain)
  }

  func analyse(_ settings: TCAVSettings, concepts: [ConceptExamples]) throws -> TCAVAnalysis.Output {
    let model = try ReferenceAgreementTests.model()
    let x = Self.pool()
    let target = TCAVTarget(name: "class 1", output: 1, members: Array(stride(from: 60, to: 120, by: 3)))
    return try TCAVAnalysis(model: model, settings: settings).run(
      poolSize: 120, concepts: concepts, targets: [target],
      inputs: { positions in
        Tensor(shape: [positions.count, 12, 250], scalars: positions.flatMap { Array(x.scalars[($0 * 3000)..<(($0 + 1) * 3000)]) })
      })
  }

  @Test func bumpConceptRunsDisjointAndIsLearnedAboveChance() throws {
    let settings = TCAVSettings(layers: ["sequential.9", "sequential.13"], runs: 3, randomRuns: 5, minExamples: 6, nullConcepts: 2)
    let concepts = [ConceptExamples(name: "bump", members: Array(0..<60)), ConceptExamples(name: "tiny", members: [1, 2, 3])]
    let output = try analyse(settings, concepts: concepts)
    let result = output.result
    let bump = try #require(result.concepts.first { $0.name == "bump" })
    #expect(bump.perRun == 20 && bump.disjointRuns, "60 examples, R = 3: 20 disjoint examples per run")
    #expect(result.skipped["tiny"]?.contains("at least 6") == true)
    #expect(result.cells.filter { $0.concept == "bump" }.count == 2, "one cell per layer × target")
    #expect(result.cells.allSatisfy { $0.signCounts.count == 3 && $0.randomSignCounts.count == 5 })
    #expect(result.bonferroniTests == 2, "null concepts are not counted in the family")
    let accuracy = try #require(result.accuracies.first { $0.concept == "bump" && $0.layer == "sequential.9" })
    let random = try #require(result.accuracies.first { $0.concept == "random m=20" && $0.layer == "sequential.9" })
    #expect(accuracy.mean > random.mean + 0.1, "the bump is linearly visible at sequential.9: \(accuracy.mean) vs random \(random.mean)")
    #expect(output.cavs["sequential.9"]?["bump"]?.count == 3)
    #expect(result.nullCalibration?.concepts == 2)
    // Same seed, same numbers.
    let again = try analyse(settings, concepts: concepts).result
    #expect(again.cells == result.cells && again.accuracies == result.accuracies)
  }

  @Test func badLayersAndConceptsAreClearErrors() throws {
    #expect(throws: ConceptError.unknownLayer(name: "sequential.99", available: try ReferenceAgreementTests.model().layerNames)) {
      try analyse(TCAVSettings(layers: ["sequential.99"]), concepts: [ConceptExamples(name: "bump", members: Array(0..<60))])
    }
    do {
      _ = try analyse(TCAVSettings(layers: ["sequential.9"]), concepts: [ConceptExamples(name: "tiny", members: [1, 2])])
      Issue.record("a concept with 2 records cannot be analysed")
    } catch let error as ConceptError {
      #expect(error.description.contains("no concept has enough records"))
    }
    #expect(throws: ConceptError.self) { try TCAVSettings(runs: 1).validate() }
  }
}
