/// Squared Euclidean distances between all rows of `data` [rows, features]: a symmetric
/// [rows, rows] matrix with zeros on the diagonal (t-SNE's affinities, Ward's starting distances).
func squaredDistances(_ data: [Double], rows n: Int, features d: Int) -> [Double] {
  var distance = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in (i + 1)..<max(n, i + 1) {
      var s = 0.0
      for f in 0..<d { let e = data[i * d + f] - data[j * d + f]; s += e * e }
      distance[i * n + j] = s
      distance[j * n + i] = s
    }
  }
  return distance
}
