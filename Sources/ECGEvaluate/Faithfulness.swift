import ECGNet
import ECGTensor

/// Faithfulness by region perturbation (Samek et al., IEEE TNNLS 2017): the samples (lead × time)
/// with the largest |attribution| are set to 0 mV (the isoelectric line) in growing fractions,
/// and the change of the attributed output is recorded. A faithful attribution changes the output
/// more, and sooner, than removing random samples. Reported as the perturbation curve and its
/// area over the curve, AOPC = mean over fractions of |f(x) − f(x̃_k)|, averaged over records.
public enum Faithfulness {
  /// A perturbation curve.
  public struct Curve: Sendable, Equatable {
    /// Fractions of the record's samples removed.
    public var fractions: [Double]
    /// Mean over records of |f(x) − f(x̃)| at each fraction.
    public var change: [Double]
    /// Area over the perturbation curve: the mean of `change`.
    public var aopc: Double { change.reduce(0, +) / Double(max(1, change.count)) }
  }

  /// The curve for `attribution` ([N, leads, T], same shape as `input`), or — with `random` — for
  /// a random order of the samples (seeded), the baseline a method must beat.
  public static func regionPerturbation(
    _ model: Model, input: Tensor, attribution: Tensor, targets: [Int],
    fractions: [Double] = [0.01, 0.02, 0.05, 0.1, 0.2], random: Bool = false, seed: UInt64 = 0
  ) -> Curve {
    precondition(input.shape == attribution.shape && input.rank == 3, "Faithfulness: input and attribution [N, leads, T] alike")
    precondition(targets.count == input.shape[0], "Faithfulness: one target per record")
    let n = input.shape[0]
    let size = input.count / n
    let original = model.forward(input)
    var rng = SeededRNG(seed: seed)
    // Per record: the order in which samples are removed.
    let orders: [[Int]] = (0..<n).map { r in
      if random {
        var order = Array(0..<size)
        order.shuffle(using: &rng)
        return order
      }
      let a = attribution.scalars[(r * size)..<((r + 1) * size)].map(abs)
      return a.indices.sorted { a[$0] > a[$1] }
    }
    var change: [Double] = []
    for fraction in fractions {
      let k = min(size, Int((fraction * Double(size)).rounded()))
      var perturbed = input
      for r in 0..<n { for i in orders[r].prefix(k) { perturbed.scalars[r * size + i] = 0 } }
      let output = model.forward(perturbed)
      let total = (0..<n).reduce(0.0) { $0 + Double(abs(original[$1, targets[$1]] - output[$1, targets[$1]])) }
      change.append(total / Double(n))
    }
    return Curve(fractions: fractions, change: change)
  }
}
