import ECGTensor
import Foundation

/// A Gaussian mixture with full covariances fitted by EM, as scikit-learn's
/// `GaussianMixture(covariance_type="full")`: responsibilities initialised from k-means, a
/// regularisation `regularisation` × I added to every covariance, iterations until the mean
/// log-likelihood changes by less than `tolerance`, the best of `inits` restarts.
public struct GaussianMixture: Sendable, Codable, Equatable {
  /// Mixing weights [k].
  public var weights: [Double]
  /// Means, row-major [k, features].
  public var means: [Double]
  /// Covariances, [k, features, features].
  public var covariances: [Double]
  /// Most probable component of every row.
  public var labels: [Int]
  /// Mean log-likelihood per row at convergence.
  public var logLikelihood: Double
  /// Whether EM converged within the iteration limit.
  public var converged: Bool
  /// Bayesian information criterion: −2·n·logLikelihood + parameters·ln n.
  public var bic: Double

  /// Fits k components to `data` [rows, features].
  public init(
    _ data: [Double], rows n: Int, features d: Int, components k: Int, inits: Int = 10, seed: UInt64 = 0,
    maxIterations: Int = 100, tolerance: Double = 1e-3, regularisation: Double = 1e-6
  ) {
    precondition(k >= 1 && k <= n && data.count == n * d, "GaussianMixture: \(k) components of [\(n), \(d)]")
    var best: GaussianMixture?
    for run in 0..<max(1, inits) {
      let start = KMeans(data, rows: n, features: d, clusters: k, inits: 1, seed: seed &+ UInt64(run) &* 7919).labels
      var responsibilities = [Double](repeating: 0, count: n * k)
      for r in 0..<n { responsibilities[r * k + start[r]] = 1 }
      var model = Self.maximise(data, n, d, k, responsibilities, regularisation)
      var previous = -Double.infinity
      var converged = false
      for _ in 0..<maxIterations {
        let (resp, ll) = Self.expect(data, n, d, k, model)
        if abs(ll - previous) < tolerance { converged = true; previous = ll; break }
        previous = ll
        model = Self.maximise(data, n, d, k, resp, regularisation)
      }
      let (resp, ll) = Self.expect(data, n, d, k, model)
      let labels = (0..<n).map { r in (0..<k).max { resp[r * k + $0] < resp[r * k + $1] }! }
      let parameters = Double(k - 1 + k * d + k * d * (d + 1) / 2)
      let candidate = GaussianMixture(
        weights: model.weights, means: model.means, covariances: model.covariances, labels: labels,
        logLikelihood: ll, converged: converged, bic: -2 * Double(n) * ll + parameters * log(Double(n)))
      if best == nil || candidate.logLikelihood > best!.logLikelihood { best = candidate }
    }
    self = best!
  }

  private init(weights: [Double], means: [Double], covariances: [Double], labels: [Int], logLikelihood: Double, converged: Bool, bic: Double) {
    self.weights = weights
    self.means = means
    self.covariances = covariances
    self.labels = labels
    self.logLikelihood = logLikelihood
    self.converged = converged
    self.bic = bic
  }

  struct Parameters { var weights: [Double]; var means: [Double]; var covariances: [Double] }

  static func maximise(_ x: [Double], _ n: Int, _ d: Int, _ k: Int, _ resp: [Double], _ reg: Double) -> Parameters {
    var weights = [Double](repeating: 0, count: k)
    var means = [Double](repeating: 0, count: k * d)
    var covariances = [Double](repeating: 0, count: k * d * d)
    for c in 0..<k {
      var nk = 10 * Double.ulpOfOne
      for r in 0..<n { nk += resp[r * k + c] }
      weights[c] = nk / Double(n)
      for r in 0..<n { let w = resp[r * k + c]; if w == 0 { continue }; for f in 0..<d { means[c * d + f] += w * x[r * d + f] } }
      for f in 0..<d { means[c * d + f] /= nk }
      var diff = [Double](repeating: 0, count: d)
      for r in 0..<n {
        let w = resp[r * k + c]
        if w == 0 { continue }
        for f in 0..<d { diff[f] = x[r * d + f] - means[c * d + f] }
        for i in 0..<d { let wi = w * diff[i]; for j in i..<d { covariances[c * d * d + i * d + j] += wi * diff[j] } }
      }
      for i in 0..<d {
        for j in i..<d {
          let v = covariances[c * d * d + i * d + j] / nk + (i == j ? reg : 0)
          covariances[c * d * d + i * d + j] = v
          covariances[c * d * d + j * d + i] = v
        }
      }
    }
    return Parameters(weights: weights, means: means, covariances: covariances)
  }

  /// Responsibilities and the mean log-likelihood.
  static func expect(_ x: [Double], _ n: Int, _ d: Int, _ k: Int, _ p: Parameters) -> ([Double], Double) {
    var logProb = [Double](repeating: 0, count: n * k)
    for c in 0..<k {
      let (chol, logDet) = cholesky(Array(p.covariances[(c * d * d)..<((c + 1) * d * d)]), d)
      var z = [Double](repeating: 0, count: d)
      for r in 0..<n {
        // Solve L z = x − μ.
        var quad = 0.0
        for i in 0..<d {
          var s = x[r * d + i] - p.means[c * d + i]
          for j in 0..<i { s -= chol[i * d + j] * z[j] }
          z[i] = s / chol[i * d + i]
          quad += z[i] * z[i]
        }
        logProb[r * k + c] = log(p.weights[c]) - 0.5 * (Double(d) * log(2 * Double.pi) + logDet + quad)
      }
    }
    var total = 0.0
    var resp = [Double](repeating: 0, count: n * k)
    for r in 0..<n {
      let m = (0..<k).map { logProb[r * k + $0] }.max()!
      let sum = (0..<k).reduce(0) { $0 + exp(logProb[r * k + $1] - m) }
      let norm = m + log(sum)
      total += norm
      for c in 0..<k { resp[r * k + c] = exp(logProb[r * k + c] - norm) }
    }
    return (resp, total / Double(n))
  }

  /// Lower Cholesky factor and log-determinant of a symmetric positive-definite matrix.
  static func cholesky(_ a: [Double], _ d: Int) -> ([Double], Double) {
    var l = [Double](repeating: 0, count: d * d)
    var logDet = 0.0
    for i in 0..<d {
      for j in 0...i {
        var s = a[i * d + j]
        for m in 0..<j { s -= l[i * d + m] * l[j * d + m] }
        if i == j {
          let v = max(s, 1e-300).squareRoot()
          l[i * d + i] = v
          logDet += 2 * log(v)
        } else {
          l[i * d + j] = s / l[j * d + j]
        }
      }
    }
    return (l, logDet)
  }
}
