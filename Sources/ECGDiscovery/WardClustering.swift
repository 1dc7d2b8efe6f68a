/// Agglomerative clustering with Ward's criterion (scikit-learn's
/// `AgglomerativeClustering(linkage="ward")`): starting from single rows, repeatedly merge the
/// two clusters whose union increases the within-cluster sum of squares least (Lance–Williams
/// update on squared Euclidean distances), until `clusters` remain. O(n²) memory, O(n³) time:
/// meant for the few thousand records of one class.
public struct WardClustering: Sendable, Codable, Equatable {
  /// Cluster of every row, numbered by first appearance.
  public var labels: [Int]

  /// Clusters `data` [rows, features] into `clusters` groups.
  public init(_ data: [Double], rows n: Int, features d: Int, clusters k: Int) {
    precondition(k >= 1 && k <= n && data.count == n * d, "WardClustering: \(k) clusters of [\(n), \(d)]")
    // Singletons start at ‖xᵢ − xⱼ‖² (twice Ward's increase in inertia: only the order of the
    // merges matters); the Lance–Williams update keeps that scale.
    var distance = squaredDistances(data, rows: n, features: d)
    var size = [Int](repeating: 1, count: n)
    var active = [Bool](repeating: true, count: n)
    var parent = Array(0..<n)
    for _ in 0..<(n - k) {
      var best = Double.infinity, a = 0, b = 0
      for i in 0..<n where active[i] {
        for j in (i + 1)..<max(n, i + 1) where active[j] && distance[i * n + j] < best {
          best = distance[i * n + j]; a = i; b = j
        }
      }
      // Merge b into a.
      for m in 0..<n where active[m] && m != a && m != b {
        let (na, nb, nm) = (Double(size[a]), Double(size[b]), Double(size[m]))
        let updated = ((na + nm) * distance[a * n + m] + (nb + nm) * distance[b * n + m] - nm * distance[a * n + b]) / (na + nb + nm)
        distance[a * n + m] = updated
        distance[m * n + a] = updated
      }
      size[a] += size[b]
      active[b] = false
      for i in 0..<n where parent[i] == b { parent[i] = a }
    }
    var numbering: [Int: Int] = [:]
    labels = parent.map { root in
      if let label = numbering[root] { return label }
      numbering[root] = numbering.count
      return numbering[root]!
    }
  }
}
