import Testing
@testable import ECGTensor

#if canImport(Glibc)
  import Glibc
#endif

/// Both GEMM paths (the Swift kernel and, when present, the run-time BLAS) agree with the
/// reference triple loop for awkward sizes, all transposes, alpha and beta.
@Suite struct GEMMTests {
  /// Every edge of the 6 × 32 tile (and of AVX2's two 6 × 16 halves): rows 1–6, columns 1, 16,
  /// 17–31 and 32, one K block or several.
  static let sizes = [
    (1, 1, 1), (7, 33, 5), (13, 17, 19), (70, 257, 300), (6, 32, 256), (129, 65, 513),
    (6, 16, 64), (5, 20, 9), (11, 48, 40), (4, 31, 270),
  ]

  static func check(transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float, blas: Bool) {
    var rng = SeededRNG(seed: 7)
    for (m, n, k) in sizes {
      let a = Tensor.randomNormal([m * k], using: &rng).scalars
      let b = Tensor.randomNormal([k * n], using: &rng).scalars
      let c0 = Tensor.randomNormal([m * n], using: &rng).scalars
      var c = c0
      var expected = c0
      let lda = transposeA ? m : k
      let ldb = transposeB ? k : n
      if blas {
        guard GEMM.multiplyBLAS(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: n) else { return }
      } else {
        GEMM.multiplySwift(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: n)
      }
      GEMM.referenceMultiply(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &expected, ldc: n)
      for i in 0..<(m * n) {
        #expect(abs(c[i] - expected[i]) <= 1e-3 * max(1, abs(expected[i])), "m\(m) n\(n) k\(k) at \(i)")
      }
    }
  }

  /// The kernels run with the instruction set `ECGXAI_ISA` pins (CI runs the engine tests once per
  /// set the CPU has), or the best one the CPU supports when it is unset.
  @Test func kernelsRunWithThePinnedInstructionSet() {
    let names = ["avx512": "avx512f", "avx512f": "avx512f", "avx2": "avx2+fma", "baseline": "baseline"]
    if let pinned = getenv("ECGXAI_ISA").map({ String(cString: $0).lowercased() }), pinned != "auto" {
      #expect(GEMM.instructionSetProblem == nil, "\(GEMM.instructionSetProblem ?? "")")
      #expect(GEMM.kernelInstructionSet == names[pinned], "ECGXAI_ISA=\(pinned)")
    } else {
      #expect(GEMM.kernelInstructionSet == GEMM.supportedInstructionSet)
    }
  }

  @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
  func swiftKernelMatchesReference(transposeA: Bool, transposeB: Bool) {
    Self.check(transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, blas: false)
    Self.check(transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 1.5, blas: false)
  }

  /// Runs when a BLAS is installed; CI installs OpenBLAS and sets ECGXAI_REQUIRE_BLAS=1 so that a
  /// missing library fails instead of skipping.
  @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
  func blasMatchesReferenceWhenPresent(transposeA: Bool, transposeB: Bool) {
    if getenv("ECGXAI_REQUIRE_BLAS") != nil { #expect(GEMM.blasLibrary != nil, "no BLAS library found") }
    Self.check(transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 1.5, blas: true)
  }

  /// The Swift kernel and the BLAS give the same product (when a BLAS is present).
  @Test func swiftAndBLASAgree() throws {
    guard GEMM.blasLibrary != nil else { return }
    var rng = SeededRNG(seed: 3)
    let (m, n, k) = (97, 131, 211)
    let a = Tensor.randomNormal([m * k], using: &rng).scalars
    let b = Tensor.randomNormal([k * n], using: &rng).scalars
    var viaSwift = [Float](repeating: 0, count: m * n)
    var viaBLAS = viaSwift
    GEMM.multiplySwift(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &viaSwift, ldc: n)
    GEMM.multiplyBLAS(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &viaBLAS, ldc: n)
    for i in 0..<(m * n) { #expect(abs(viaSwift[i] - viaBLAS[i]) <= 1e-3 * max(1, abs(viaBLAS[i]))) }
  }

  /// With beta = 0, NaNs already in C do not leak into the result (BLAS semantics).
  @Test func betaZeroIgnoresGarbageInC() {
    let a: [Float] = [1, 2, 3, 4]
    var c: [Float] = [.nan, .nan, .nan, .nan]
    GEMM.multiplySwift(transposeA: false, transposeB: false, m: 2, n: 2, k: 2, a: a, lda: 2, b: a, ldb: 2, c: &c, ldc: 2)
    #expect(c == [7, 10, 15, 22])
  }

  @Test func seededGeneratorIsReproducible() {
    var r1 = SeededRNG(seed: 42)
    var r2 = SeededRNG(seed: 42)
    #expect((0..<5).map { _ in r1.next() } == (0..<5).map { _ in r2.next() })
    var r3 = SeededRNG(seed: 43)
    var r4 = SeededRNG(seed: 42)
    #expect(r3.next() != r4.next())
    var normal = SeededRNG(seed: 1)
    let values = (0..<20_000).map { _ in normal.nextNormal() }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
    #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
  }
}
