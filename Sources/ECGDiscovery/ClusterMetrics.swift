import Foundation

/// Cluster validation scores, as scikit-learn's `sklearn.metrics` defines them.
public enum ClusterMetrics {
  /// The contingency table [true classes, clusters] (classes and clusters in sorted order).
  public static func contingency(_ truth: [Int], _ predicted: [Int]) -> (classes: [Int], clusters: [Int], counts: [[Int]]) {
    precondition(truth.count == predicted.count, "ClusterMetrics: label arrays differ in length")
    let classes = Array(Set(truth)).sorted(), clusters = Array(Set(predicted)).sorted()
    let ci = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    let ki = Dictionary(uniqueKeysWithValues: clusters.enumerated().map { ($1, $0) })
    var counts = [[Int]](repeating: [Int](repeating: 0, count: clusters.count), count: classes.count)
    for (t, p) in zip(truth, predicted) { counts[ci[t]!][ki[p]!] += 1 }
    return (classes, clusters, counts)
  }

  /// Adjusted Rand index (`adjusted_rand_score`; 1 for identical partitions, ≈ 0 by chance).
  public static func adjustedRandIndex(_ truth: [Int], _ predicted: [Int]) -> Double {
    let table = contingency(truth, predicted).counts
    func pairs(_ x: Int) -> Double { Double(x) * Double(x - 1) / 2 }
    let n = truth.count
    let sumCells = table.joined().reduce(0) { $0 + pairs($1) }
    let sumRows = table.map { pairs($0.reduce(0, +)) }.reduce(0, +)
    let columns = (0..<(table.first?.count ?? 0)).map { c in table.reduce(0) { $0 + $1[c] } }
    let sumColumns = columns.map(pairs).reduce(0, +)
    let expected = sumRows * sumColumns / pairs(n)
    let maximum = (sumRows + sumColumns) / 2
    if maximum == expected { return 1 }  // both partitions trivial (scikit-learn's special case)
    return (sumCells - expected) / (maximum - expected)
  }

  /// Normalised mutual information with the arithmetic mean of the entropies
  /// (`normalized_mutual_info_score`, its default).
  public static func normalizedMutualInformation(_ truth: [Int], _ predicted: [Int]) -> Double {
    let table = contingency(truth, predicted).counts
    let n = Double(truth.count)
    let rows = table.map { Double($0.reduce(0, +)) }
    let columns = (0..<(table.first?.count ?? 0)).map { c in Double(table.reduce(0) { $0 + $1[c] }) }
    if rows.count == 1 && columns.count == 1 { return 1 }
    if rows.count == 1 || columns.count == 1 { return 0 }
    var mi = 0.0
    for (i, row) in table.enumerated() {
      for (j, count) in row.enumerated() where count > 0 {
        let c = Double(count)
        mi += c / n * log(c * n / (rows[i] * columns[j]))
      }
    }
    func entropy(_ x: [Double]) -> Double { -x.filter { $0 > 0 }.reduce(0) { $0 + $1 / n * log($1 / n) } }
    let normaliser = (entropy(rows) + entropy(columns)) / 2
    return normaliser > 0 ? max(0, mi) / normaliser : 0
  }

  /// Mean silhouette coefficient with Euclidean distances (`silhouette_score`); rows in a
  /// singleton cluster score 0. Needs 2 ≤ clusters ≤ rows − 1.
  public static func silhouette(_ data: [Double], rows n: Int, features d: Int, labels: [Int]) -> Double {
    let clusters = Array(Set(labels)).sorted()
    precondition(clusters.count >= 2 && clusters.count < n, "silhouette needs 2 … rows − 1 clusters")
    let index = Dictionary(uniqueKeysWithValues: clusters.enumerated().map { ($1, $0) })
    let sizes = clusters.map { c in labels.filter { $0 == c }.count }
    var total = 0.0
    for i in 0..<n {
      var sums = [Double](repeating: 0, count: clusters.count)
      for j in 0..<n where j != i {
        var s = 0.0
        for f in 0..<d { let e = data[i * d + f] - data[j * d + f]; s += e * e }
        sums[index[labels[j]]!] += s.squareRoot()
      }
      let own = index[labels[i]]!
      guard sizes[own] > 1 else { continue }
      let a = sums[own] / Double(sizes[own] - 1)
      let b = (0..<clusters.count).filter { $0 != own }.map { sums[$0] / Double(sizes[$0]) }.min()!
      total += (b - a) / max(a, b)
    }
    return total / Double(n)
  }

  /// Accuracy of the best one-to-one matching of clusters to classes (for k ≤ 8 clusters;
  /// the paper's "accuracy" of 2 clusters against AMI/IMI).
  public static func matchedAccuracy(_ truth: [Int], _ predicted: [Int]) -> Double {
    let (classes, clusters, counts) = contingency(truth, predicted)
    precondition(clusters.count <= 8, "matchedAccuracy: at most 8 clusters")
    var best = 0
    func search(_ cluster: Int, _ used: Set<Int>, _ sum: Int) {
      if cluster == clusters.count { best = max(best, sum); return }
      search(cluster + 1, used, sum)  // cluster matched to no class
      for c in 0..<classes.count where !used.contains(c) { search(cluster + 1, used.union([c]), sum + counts[c][cluster]) }
    }
    search(0, [], 0)
    return Double(best) / Double(truth.count)
  }
}
