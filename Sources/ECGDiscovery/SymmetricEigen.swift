import Foundation

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (double
/// precision; accurate to rounding for the k × k problems of the subspace iteration).
enum SymmetricEigen {
  /// Eigenvalues in decreasing order and the matching eigenvectors as rows [k, k].
  static func decompose(_ matrix: [Double], size k: Int) -> (values: [Double], vectors: [Double]) {
    precondition(matrix.count == k * k, "SymmetricEigen: matrix is not k × k")
    var a = matrix
    var v = [Double](repeating: 0, count: k * k)
    for i in 0..<k { v[i * k + i] = 1 }
    for _ in 0..<100 {
      var off = 0.0
      for i in 0..<k { for j in (i + 1)..<max(k, i + 1) { off += a[i * k + j] * a[i * k + j] } }
      if off < 1e-30 * max(1, (0..<k).reduce(0) { $0 + a[$1 * k + $1] * a[$1 * k + $1] }) { break }
      for p in 0..<k {
        for q in (p + 1)..<max(k, p + 1) {
          let apq = a[p * k + q]
          if abs(apq) < 1e-300 { continue }
          let theta = (a[q * k + q] - a[p * k + p]) / (2 * apq)
          let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot(), s = t * c
          for r in 0..<k {
            let arp = a[r * k + p], arq = a[r * k + q]
            a[r * k + p] = c * arp - s * arq
            a[r * k + q] = s * arp + c * arq
          }
          for r in 0..<k {
            let apr = a[p * k + r], aqr = a[q * k + r]
            a[p * k + r] = c * apr - s * aqr
            a[q * k + r] = s * apr + c * aqr
          }
          for r in 0..<k {
            let vrp = v[r * k + p], vrq = v[r * k + q]
            v[r * k + p] = c * vrp - s * vrq
            v[r * k + q] = s * vrp + c * vrq
          }
        }
      }
    }
    let order = (0..<k).sorted { a[$0 * k + $0] > a[$1 * k + $1] }
    let values = order.map { a[$0 * k + $0] }
    var vectors = [Double](repeating: 0, count: k * k)
    for (row, column) in order.enumerated() { for r in 0..<k { vectors[row * k + r] = v[r * k + column] } }
    return (values, vectors)
  }
}
