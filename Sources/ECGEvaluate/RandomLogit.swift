import ECGExplain
import ECGNet
import ECGTensor

/// The random-logit test (Sixt, Granz, Landgraf, "When Explanations Lie", ICML 2020; Quantus's
/// `RandomLogit`): the attribution of each record's own output is compared with the attribution
/// of a randomly chosen *other* output. A method that explains the model's decision for a class
/// (or, for the per-lead regression models, for a lead) must give different maps for different
/// outputs; high similarity means the map does not depend on what is explained.
public enum RandomLogit {
  /// The outcome of the test.
  public struct Result: Sendable, Equatable {
    /// The other output chosen for each record.
    public var offTargets: [Int]
    /// Mean similarities between the two attributions over records.
    public var scores: Similarity.Scores
  }

  /// For each target, an output in 0..<classes other than it, uniformly at random (seeded).
  /// `classes` must be at least 2.
  public static func offTargets(_ targets: [Int], classes: Int, seed: UInt64 = 0) -> [Int] {
    precondition(classes >= 2 && targets.allSatisfy { (0..<classes).contains($0) }, "RandomLogit: ≥ 2 classes, targets among them")
    var rng = SeededRNG(seed: seed)
    return targets.map { t in
      let draw = min(classes - 2, Int(rng.nextUniform() * Double(classes - 1)))
      return draw >= t ? draw + 1 : draw
    }
  }

  /// Runs the test on `input` [records, leads, T]: attributions of `targets` against those of
  /// `offTargets` (default: drawn by `offTargets(_:classes:seed:)`), compared by
  /// `Similarity.scores` with top-k size `k`.
  public static func test(
    _ model: Model, method: any AttributionMethod, input: Tensor, targets: [Int], offTargets given: [Int]? = nil,
    k: Int = 120, seed: UInt64 = 0
  ) throws -> Result {
    precondition(input.rank == 3 && targets.count == input.shape[0], "RandomLogit: input [records, leads, T], one target per record")
    let off = given ?? offTargets(targets, classes: model.architecture.classes, seed: seed)
    precondition(off.count == targets.count && zip(off, targets).allSatisfy { $0 != $1 }, "RandomLogit: one other output per record")
    let own = try method.attribute(model, input: input, targets: targets).values
    let other = try method.attribute(model, input: input, targets: off).values
    return Result(offTargets: off, scores: Similarity.meanScores(own, other, k: k))
  }
}
