import Testing
@testable import ECGTensor

/// The public GEMM entry point agrees with the reference triple loop.
@Suite struct GEMMTests {
  @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
  func multiplyMatchesReference(transposeA: Bool, transposeB: Bool) {
    var rng = SeededRNG(seed: 7)
    let (m, n, k) = (13, 17, 19)
    let a = Tensor.randomNormal([m * k], using: &rng).scalars
    let b = Tensor.randomNormal([k * n], using: &rng).scalars
    var c = [Float](repeating: 0, count: m * n)
    var expected = c
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    GEMM.multiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
      a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: n)
    GEMM.referenceMultiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
      a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &expected, ldc: n)
    for i in 0..<(m * n) { #expect(abs(c[i] - expected[i]) <= 1e-4) }
  }
}
