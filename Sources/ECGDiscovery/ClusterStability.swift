import ECGTensor

/// Bootstrap stability of a clustering (Hennig 2007): the rows are resampled with replacement,
/// clustered again, and each original cluster is matched to its most similar bootstrap cluster
/// by the Jaccard index over the resampled rows; the mean over resamples per cluster (≥ 0.75:
/// stable, ≤ 0.5: dissolved).
public enum ClusterStability {
  /// Mean Jaccard per cluster of `labels` over `resamples` bootstraps; `cluster` reclusters a
  /// resampled data matrix [rows, features] and returns its labels.
  public static func jaccard(
    _ data: [Double], rows n: Int, features d: Int, labels: [Int], resamples: Int = 20, seed: UInt64 = 0,
    cluster: ([Double], Int) -> [Int]
  ) -> [Double] {
    let clusters = Array(Set(labels)).sorted()
    var sums = [Double](repeating: 0, count: clusters.count)
    for b in 0..<resamples {
      var rng = SeededRNG.stream(seed: seed, index: UInt64(b))
      let picks = (0..<n).map { _ in Int.random(in: 0..<n, using: &rng) }
      var sample = [Double](repeating: 0, count: n * d)
      for (i, p) in picks.enumerated() { for f in 0..<d { sample[i * d + f] = data[p * d + f] } }
      let boot = cluster(sample, n)
      // Compare on the distinct resampled rows (a row drawn twice counts once).
      var bootOf: [Int: Int] = [:]
      for (i, p) in picks.enumerated() where bootOf[p] == nil { bootOf[p] = boot[i] }
      let rowsIn = Array(bootOf.keys)
      for (c, original) in clusters.enumerated() {
        let a = Set(rowsIn.filter { labels[$0] == original })
        guard !a.isEmpty else { continue }
        var best = 0.0
        for k in Set(boot) {
          let bSet = Set(rowsIn.filter { bootOf[$0] == k })
          let union = a.union(bSet).count
          best = max(best, union == 0 ? 0 : Double(a.intersection(bSet).count) / Double(union))
        }
        sums[c] += best
      }
    }
    return sums.map { $0 / Double(resamples) }
  }
}
