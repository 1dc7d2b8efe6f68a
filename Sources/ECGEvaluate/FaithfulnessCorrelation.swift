import ECGNet
import ECGTensor

/// Faithfulness correlation (Bhatt, Weller, Moura, IJCAI 2020; Quantus 0.6.0's
/// `FaithfulnessCorrelation`): for `runs` random subsets S of a record's samples (lead × time),
/// the Pearson correlation between Σ_{i∈S} A_i (signed) and the output drop f(x) − f(x_S←baseline)
/// when S is replaced by the baseline. 1: the attribution predicts exactly how much a subset
/// matters. Quantus normalises A by its maximum first; Pearson's correlation does not change
/// under that scaling, so it is not repeated.
public enum FaithfulnessCorrelation {
  /// Seeded random subsets: for each of `records` records, `runs` subsets of `size` distinct
  /// indices in 0..<features (a partial Fisher–Yates shuffle per subset).
  public static func subsets(records: Int, runs: Int, size: Int, features: Int, seed: UInt64 = 0) -> [[[Int]]] {
    precondition(size >= 1 && size < features && runs >= 2, "FaithfulnessCorrelation: 1 ≤ size < features, runs ≥ 2")
    var rng = SeededRNG(seed: seed)
    return (0..<records).map { _ in
      (0..<runs).map { _ in
        var pool = Array(0..<features)
        for i in 0..<size { pool.swapAt(i, i + Int(rng.next() % UInt64(features - i))) }
        return Array(pool.prefix(size))
      }
    }
  }

  /// The score per record for `attribution` ([records, leads, T], as `input`) and output
  /// `targets[r]`; `subsets[r][run]` are flat indices into one record's leads × T samples.
  /// NaN for a record whose sums or drops are constant over its subsets (Pearson undefined).
  public static func scores(
    _ model: Model, input: Tensor, attribution: Tensor, targets: [Int], subsets: [[[Int]]],
    baseline kind: Faithfulness.Baseline = .zero
  ) -> [Double] {
    precondition(input.shape == attribution.shape && input.rank == 3, "FaithfulnessCorrelation: input and attribution [N, leads, T] alike")
    let n = input.shape[0], size = input.count / n
    precondition(targets.count == n && subsets.count == n, "FaithfulnessCorrelation: one target and one subset list per record")
    let runs = subsets.first?.count ?? 0
    precondition(runs >= 2 && subsets.allSatisfy { $0.count == runs }, "FaithfulnessCorrelation: the same number (≥ 2) of subsets per record")
    let base = Faithfulness.baseline(input, kind)
    let original = model.forward(input)
    var sums = [[Double]](repeating: [], count: n), drops = [[Double]](repeating: [], count: n)
    for run in 0..<runs {
      var perturbed = input
      for r in 0..<n {
        var sum = 0.0
        for i in subsets[r][run] {
          precondition(i >= 0 && i < size, "FaithfulnessCorrelation: subset index \(i) outside 0..<\(size)")
          perturbed.scalars[r * size + i] = base.scalars[r * size + i]
          sum += Double(attribution.scalars[r * size + i])
        }
        sums[r].append(sum)
      }
      let output = model.forward(perturbed)
      for r in 0..<n { drops[r].append(Double(original[r, targets[r]]) - Double(output[r, targets[r]])) }
    }
    return (0..<n).map { Similarity.pearson(sums[$0], drops[$0]) ?? .nan }
  }
}
