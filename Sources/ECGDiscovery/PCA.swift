import Foundation
import _ECGKernels

/// Principal component analysis of rows of a data matrix, as scikit-learn's `PCA(n_components:
/// k, whiten:)`: centred data, components = the top-k eigenvectors of the covariance
/// (rows [k, features], unit length, sign fixed so the largest-magnitude entry of each is
/// positive — compare up to sign), explained variance = eigenvalues (divided by n − 1),
/// whitened scores divided by √(explained variance).
///
/// Solved by subspace iteration on the covariance with k + 10 vectors and a Rayleigh–Ritz step
/// (converged to 1e-12 in the subspace), exact for the leading components the way a full SVD is.
public struct PCA: Sendable, Codable, Equatable {
  /// Feature means [features].
  public var mean: [Double]
  /// Principal axes, row-major [components, features].
  public var components: [Double]
  /// Variance along each axis [components] (eigenvalues of the covariance, ddof 1).
  public var explainedVariance: [Double]
  /// Share of the total variance along each axis.
  public var explainedVarianceRatio: [Double]
  /// Whether `transform` divides by √(explained variance).
  public var whiten: Bool
  /// Number of features.
  public var featureCount: Int { mean.count }
  /// Number of components.
  public var componentCount: Int { explainedVariance.count }

  /// Fits k components to `data` [rows, features] (row-major).
  /// - Precondition: 1 ≤ k ≤ min(rows − 1, features).
  public init(_ data: [Double], rows n: Int, features d: Int, components k: Int, whiten: Bool = false) {
    precondition(data.count == n * d && n >= 2 && k >= 1 && k <= min(n - 1, d), "PCA: \(k) components of [\(n), \(d)]")
    var mean = [Double](repeating: 0, count: d)
    for r in 0..<n { for f in 0..<d { mean[f] += data[r * d + f] } }
    for f in 0..<d { mean[f] /= Double(n) }
    var centred = data
    for r in 0..<n { for f in 0..<d { centred[r * d + f] -= mean[f] } }
    // Covariance C = XᵀX / (n − 1), [d, d].
    var covariance = [Double](repeating: 0, count: d * d)
    centred.withUnsafeBufferPointer { x in
      covariance.withUnsafeMutableBufferPointer { c in
        for r in 0..<n {
          let row = r * d
          for i in 0..<d {
            let xi = x[row + i]
            if xi == 0 { continue }
            let base = i * d
            for j in i..<d { c[base + j] += xi * x[row + j] }
          }
        }
      }
    }
    for i in 0..<d { for j in i..<d { covariance[i * d + j] /= Double(n - 1); covariance[j * d + i] = covariance[i * d + j] } }
    let total = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] }
    let (values, vectors) = Self.leadingEigenvectors(covariance, size: d, count: k)
    self.mean = mean
    self.components = vectors
    self.explainedVariance = values
    self.explainedVarianceRatio = values.map { total > 0 ? $0 / total : 0 }
    self.whiten = whiten
  }

  /// Scores of `data` [rows, features] → [rows, components].
  public func transform(_ data: [Double], rows n: Int) -> [Double] {
    let d = featureCount, k = componentCount
    precondition(data.count == n * d, "PCA.transform: expected \(n) × \(d) values")
    var out = [Double](repeating: 0, count: n * k)
    for r in 0..<n {
      for c in 0..<k {
        var s = 0.0
        for f in 0..<d { s += (data[r * d + f] - mean[f]) * components[c * d + f] }
        out[r * k + c] = whiten ? s / explainedVariance[c].squareRoot() : s
      }
    }
    return out
  }

  /// Maps scores [rows, components] back to feature space (`inverse_transform`).
  public func inverseTransform(_ scores: [Double], rows n: Int) -> [Double] {
    let d = featureCount, k = componentCount
    var out = [Double](repeating: 0, count: n * d)
    for r in 0..<n {
      for f in 0..<d { out[r * d + f] = mean[f] }
      for c in 0..<k {
        let s = whiten ? scores[r * k + c] * explainedVariance[c].squareRoot() : scores[r * k + c]
        for f in 0..<d { out[r * d + f] += s * components[c * d + f] }
      }
    }
    return out
  }

  /// The `count` leading eigenpairs of a symmetric positive semi-definite matrix [size, size].
  static func leadingEigenvectors(_ matrix: [Double], size d: Int, count k: Int) -> (values: [Double], vectors: [Double]) {
    let q = min(d, k + 10)
    if q == d {  // small: decompose directly
      let (values, vectors) = SymmetricEigen.decompose(matrix, size: d)
      return (Array(values.prefix(k)), signFixed(Array(vectors.prefix(k * d)), k, d))
    }
    // Deterministic start: a fixed pseudo-random basis.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var basis = (0..<(q * d)).map { _ -> Double in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53) - 0.5
    }
    orthonormalise(&basis, q, d)
    var previous = [Double](repeating: .infinity, count: k)
    var values = [Double](repeating: 0, count: q)
    var ritz = basis
    // Rows times the matrix (= C times the rows, C symmetric).
    // The row update is a C kernel cloned for AVX-512 / AVX2 / baseline (bit-identical to the
    // Swift loop it replaced, which made `discover` 2.3x slower once built without
    // `-Ounchecked -target-cpu native`).
    func timesMatrix(_ rows: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: q * d)
      rows.withUnsafeBufferPointer { rows in
        matrix.withUnsafeBufferPointer { matrix in
          out.withUnsafeMutableBufferPointer { out in
            let (rows, matrix, out) = (rows.baseAddress!, matrix.baseAddress!, out.baseAddress!)
            for r in 0..<q {
              let outRow = out + r * d
              for i in 0..<d {
                let v = rows[r * d + i]
                if v == 0 { continue }
                ecg_daxpy(d, v, matrix + i * d, outRow)
              }
            }
          }
        }
      }
      return out
    }
    // One product with C per iteration: C·ritz = W·(C·Z) is the next iteration's C·basis.
    var product = timesMatrix(basis)
    for _ in 0..<2000 {
      // Z = orthonormalised C·Q, then Rayleigh–Ritz on the subspace spanned by Z.
      var z = product
      orthonormalise(&z, q, d)
      let cz = timesMatrix(z)
      var small = [Double](repeating: 0, count: q * q)  // Zᵀ C Z
      for a in 0..<q { for b in 0..<q { var s = 0.0; for j in 0..<d { s += z[a * d + j] * cz[b * d + j] }; small[a * q + b] = s } }
      for a in 0..<q { for b in (a + 1)..<max(q, a + 1) { let m = (small[a * q + b] + small[b * q + a]) / 2; small[a * q + b] = m; small[b * q + a] = m } }
      let (v, w) = SymmetricEigen.decompose(small, size: q)
      values = v
      ritz = [Double](repeating: 0, count: q * d)
      product = [Double](repeating: 0, count: q * d)
      for r in 0..<q {
        for a in 0..<q {
          let c = w[r * q + a]
          for j in 0..<d { ritz[r * d + j] += c * z[a * d + j]; product[r * d + j] += c * cz[a * d + j] }
        }
      }
      let change = zip(values.prefix(k), previous).map { abs($0 - $1) / max(abs($0), 1e-300) }.max() ?? 0
      previous = Array(values.prefix(k))
      // Residual of the k leading Ritz pairs: ‖C v − λ v‖ / λ.
      if change < 1e-14 {
        var worst = 0.0
        for r in 0..<k {
          var norm = 0.0
          for i in 0..<d { let e = product[r * d + i] - values[r] * ritz[r * d + i]; norm += e * e }
          worst = max(worst, norm.squareRoot() / max(values[r], 1e-300))
        }
        if worst < 1e-10 { break }
      }
    }
    return (Array(values.prefix(k)), signFixed(Array(ritz.prefix(k * d)), k, d))
  }

  /// Modified Gram–Schmidt on rows.
  static func orthonormalise(_ rows: inout [Double], _ count: Int, _ d: Int) {
    for r in 0..<count {
      for p in 0..<r {
        var dot = 0.0
        for j in 0..<d { dot += rows[r * d + j] * rows[p * d + j] }
        for j in 0..<d { rows[r * d + j] -= dot * rows[p * d + j] }
      }
      var norm = 0.0
      for j in 0..<d { norm += rows[r * d + j] * rows[r * d + j] }
      norm = norm.squareRoot()
      for j in 0..<d { rows[r * d + j] = norm > 0 ? rows[r * d + j] / norm : 0 }
    }
  }

  /// Each row's largest-magnitude entry made positive (deterministic signs).
  static func signFixed(_ rows: [Double], _ count: Int, _ d: Int) -> [Double] {
    var out = rows
    for r in 0..<count {
      let row = out[(r * d)..<((r + 1) * d)]
      if let big = row.max(by: { abs($0) < abs($1) }), big < 0 { for j in 0..<d { out[r * d + j] = -out[r * d + j] } }
    }
    return out
  }
}
