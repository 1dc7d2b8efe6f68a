import Foundation

/// Exact t-SNE (van der Maaten & Hinton 2008) to two dimensions for plots, with scikit-learn's
/// `TSNE` defaults: perplexity 30 (Gaussian bandwidths by binary search on the entropy),
/// symmetrised affinities, early exaggeration 12 for 250 iterations with momentum 0.5, then 0.8,
/// learning rate max(n / 12 / 4, 50), 1,000 iterations, gains as in the reference implementation,
/// initialised from the first two principal components scaled to standard deviation 1e-4.
/// O(n²) per iteration: meant for the few thousand records of one class.
public enum TSNE {
  /// The embedding of `data` [rows, features] as [rows, 2].
  public static func embed(_ data: [Double], rows n: Int, features d: Int, perplexity: Double = 30, iterations: Int = 1000) -> [Double] {
    precondition(n >= 4 && data.count == n * d, "TSNE: need at least 4 rows")
    let target = log(min(perplexity, Double(n - 1) / 3))
    // Conditional affinities by binary search on β = 1 / 2σ².
    let distance = squaredDistances(data, rows: n, features: d)
    var p = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      var (lo, hi, beta) = (0.0, Double.infinity, 1.0)
      for _ in 0..<100 {
        var sum = 0.0, weighted = 0.0
        for j in 0..<n where j != i {
          let v = exp(-distance[i * n + j] * beta)
          p[i * n + j] = v
          sum += v
          weighted += distance[i * n + j] * v
        }
        let entropy = sum > 0 ? log(sum) + beta * weighted / sum : 0
        for j in 0..<n where j != i { p[i * n + j] = sum > 0 ? p[i * n + j] / sum : 0 }
        if abs(entropy - target) < 1e-5 { break }
        if entropy > target { lo = beta; beta = hi.isInfinite ? beta * 2 : (beta + hi) / 2 } else { hi = beta; beta = (beta + lo) / 2 }
      }
    }
    var joint = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n where j != i { joint[i * n + j] = max((p[i * n + j] + p[j * n + i]) / (2 * Double(n)), 1e-12) } }
    // PCA initialisation.
    let pca = PCA(data, rows: n, features: d, components: min(2, d, n - 1))
    var y = pca.transform(data, rows: n)
    if pca.componentCount < 2 { y = (0..<n).flatMap { [y[$0], 0] } }
    let sd = (y.enumerated().filter { $0.offset % 2 == 0 }.map { $0.element * $0.element }.reduce(0, +) / Double(n)).squareRoot()
    y = y.map { sd > 0 ? $0 / sd * 1e-4 : 0 }
    let rate = max(Double(n) / 12 / 4, 50)
    var velocity = [Double](repeating: 0, count: n * 2), gains = [Double](repeating: 1, count: n * 2)
    var q = [Double](repeating: 0, count: n * n)
    for iteration in 0..<iterations {
      let exaggeration = iteration < 250 ? 12.0 : 1.0
      let momentum = iteration < 250 ? 0.5 : 0.8
      var total = 0.0
      for i in 0..<n {
        for j in (i + 1)..<max(n, i + 1) {
          let dx = y[i * 2] - y[j * 2], dy = y[i * 2 + 1] - y[j * 2 + 1]
          let v = 1 / (1 + dx * dx + dy * dy)
          q[i * n + j] = v
          q[j * n + i] = v
          total += 2 * v
        }
      }
      for i in 0..<n {
        var gx = 0.0, gy = 0.0
        for j in 0..<n where j != i {
          let w = q[i * n + j]
          let force = (exaggeration * joint[i * n + j] - w / total) * w
          gx += force * (y[i * 2] - y[j * 2])
          gy += force * (y[i * 2 + 1] - y[j * 2 + 1])
        }
        for (axis, g) in [(0, 4 * gx), (1, 4 * gy)] {
          let k = i * 2 + axis
          gains[k] = (g > 0) != (velocity[k] > 0) ? gains[k] + 0.2 : max(gains[k] * 0.8, 0.01)
          velocity[k] = momentum * velocity[k] - rate * gains[k] * g
        }
      }
      for k in 0..<(n * 2) { y[k] += velocity[k] }
    }
    return y
  }
}
