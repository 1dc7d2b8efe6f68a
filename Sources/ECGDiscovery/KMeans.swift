import ECGTensor
import Foundation

/// k-means clustering as scikit-learn's `KMeans` (Lloyd's algorithm): greedy k-means++ seeding
/// (2 + ⌊ln k⌋ candidates per centre), `inits` restarts keeping the lowest inertia, iterations until
/// the squared centre shift is at most `tolerance` × the mean feature variance.
public struct KMeans: Sendable, Codable, Equatable {
  /// Cluster centres, row-major [k, features].
  public var centres: [Double]
  /// Cluster of every row.
  public var labels: [Int]
  /// Sum of squared distances of the rows to their centres.
  public var inertia: Double
  /// Lloyd iterations of the kept run.
  public var iterations: Int

  /// Clusters `data` [rows, features] into k groups, seeded with k-means++ (`inits` restarts).
  public init(_ data: [Double], rows n: Int, features d: Int, clusters k: Int, inits: Int = 10, seed: UInt64 = 0, maxIterations: Int = 300, tolerance: Double = 1e-4) {
    precondition(k >= 1 && k <= n && data.count == n * d, "KMeans: \(k) clusters of [\(n), \(d)]")
    var best: KMeans?
    for run in 0..<max(1, inits) {
      var rng = SeededRNG.stream(seed: seed, index: UInt64(run))
      let start = Self.plusPlus(data, n, d, k, &rng)
      let result = KMeans(data, rows: n, features: d, initialCentres: start, maxIterations: maxIterations, tolerance: tolerance)
      if best == nil || result.inertia < best!.inertia { best = result }
    }
    self = best!
  }

  /// Lloyd's algorithm from given centres [k, features] (scikit-learn `KMeans(init=centres,
  /// n_init=1)`).
  public init(_ data: [Double], rows n: Int, features d: Int, initialCentres: [Double], maxIterations: Int = 300, tolerance: Double = 1e-4) {
    let k = initialCentres.count / d
    precondition(k >= 1 && initialCentres.count == k * d, "KMeans: initial centres are not [k, \(d)]")
    var variance = 0.0
    for f in 0..<d {
      var m = 0.0, s = 0.0
      for r in 0..<n { m += data[r * d + f] }
      m /= Double(n)
      for r in 0..<n { let e = data[r * d + f] - m; s += e * e }
      variance += s / Double(n)
    }
    let threshold = tolerance * variance / Double(d)
    var centres = initialCentres
    var labels = [Int](repeating: 0, count: n)
    var iterations = 0
    for iteration in 1...maxIterations {
      iterations = iteration
      labels = Self.assign(data, n, d, centres, k).labels
      var next = [Double](repeating: 0, count: k * d)
      var counts = [Int](repeating: 0, count: k)
      for r in 0..<n { counts[labels[r]] += 1; for f in 0..<d { next[labels[r] * d + f] += data[r * d + f] } }
      for c in 0..<k {
        if counts[c] == 0 {  // empty cluster: keep its centre (as scikit-learn relocates, rarely needed)
          for f in 0..<d { next[c * d + f] = centres[c * d + f] }
        } else {
          for f in 0..<d { next[c * d + f] /= Double(counts[c]) }
        }
      }
      let shift = zip(next, centres).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      centres = next
      if shift <= threshold { break }
    }
    let final = Self.assign(data, n, d, centres, k)
    self.centres = centres
    self.labels = final.labels
    self.inertia = final.inertia
    self.iterations = iterations
  }

  /// Nearest centre of every row and the inertia.
  static func assign(_ data: [Double], _ n: Int, _ d: Int, _ centres: [Double], _ k: Int) -> (labels: [Int], inertia: Double) {
    var labels = [Int](repeating: 0, count: n)
    var inertia = 0.0
    for r in 0..<n {
      var best = Double.infinity, index = 0
      for c in 0..<k {
        var s = 0.0
        for f in 0..<d { let e = data[r * d + f] - centres[c * d + f]; s += e * e }
        if s < best { best = s; index = c }
      }
      labels[r] = index
      inertia += best
    }
    return (labels, inertia)
  }

  /// Greedy k-means++ (Arthur & Vassilvitskii 2007, scikit-learn's variant).
  static func plusPlus(_ data: [Double], _ n: Int, _ d: Int, _ k: Int, _ rng: inout SeededRNG) -> [Double] {
    func distance(_ a: Int, _ centre: ArraySlice<Double>) -> Double {
      var s = 0.0
      for (f, c) in zip(0..<d, centre) { let e = data[a * d + f] - c; s += e * e }
      return s
    }
    var centres: [Double] = []
    let first = Int.random(in: 0..<n, using: &rng)
    centres += data[(first * d)..<((first + 1) * d)]
    var closest = (0..<n).map { distance($0, data[(first * d)..<((first + 1) * d)]) }
    let trials = 2 + Int(log(Double(k)))
    for _ in 1..<k {
      let total = closest.reduce(0, +)
      var bestCandidate = 0, bestPotential = Double.infinity, bestClosest = closest
      for _ in 0..<trials {
        var target = Double.random(in: 0..<max(total, 1e-300), using: &rng)
        var candidate = n - 1
        for (i, value) in closest.enumerated() { target -= value; if target < 0 { candidate = i; break } }
        let row = data[(candidate * d)..<((candidate + 1) * d)]
        let updated = (0..<n).map { min(closest[$0], distance($0, row)) }
        let potential = updated.reduce(0, +)
        if potential < bestPotential { bestPotential = potential; bestCandidate = candidate; bestClosest = updated }
      }
      centres += data[(bestCandidate * d)..<((bestCandidate + 1) * d)]
      closest = bestClosest
    }
    return centres
  }
}
