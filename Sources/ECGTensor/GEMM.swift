import _ECGKernels
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Single-precision general matrix multiply, BLAS `sgemm` semantics, row-major:
///
///     C[m × n] = alpha · op(A)[m × k] · op(B)[k × n] + beta · C
///
/// `op(X)` is `X` or its transpose. `lda`, `ldb`, `ldc` are row strides (leading dimensions) of
/// the stored matrices. If `beta == 0`, `C` is not read (NaNs in it do not propagate), as in BLAS.
///
/// This is the entry point every layer uses; the kernel behind it is chosen at run time
/// (see `GEMM.backend`). `threads` bounds the worker threads of the Swift kernel (default: all
/// cores for large products, 1 for small ones; pass 1 when calling from inside a parallel loop).
public enum GEMM {
  /// Computes `C = alpha · op(A) · op(B) + beta · C` (row-major).
  ///
  /// - Precondition: `m, n, k >= 0`; leading dimensions cover the stored rows.
  public static func multiply(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int? = nil
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
    precondition(ldc >= n, "GEMM: ldc \(ldc) < n \(n)")
    precondition(lda >= (transposeA ? m : k), "GEMM: lda too small")
    precondition(ldb >= (transposeB ? k : n), "GEMM: ldb too small")
    let flops = m * n * k
    let threadCount = threads ?? (flops >= 1 << 21 ? parallelThreadCount : 1)
    if backend == .blas, let blas = RuntimeBLAS.shared, flops >= 4096 {
      blas.sgemm(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    swiftMultiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threadCount)
  }

  /// `multiply` with op(A) already packed (Swift kernel) — used by convolutions, whose weight
  /// matrix is shared by every record of a batch. Falls back to `multiply` when BLAS is active.
  static func multiply(
    prepacked packedA: PackedMatrixA?, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
  ) {
    if backend == .blas || packedA == nil {
      multiply(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b,
        ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
      return
    }
    swiftMultiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads, prepackedA: packedA)
  }

  /// A packed copy of op(A) for repeated products, or nil when BLAS is active.
  static func pack(_ a: UnsafePointer<Float>, lda: Int, transposed: Bool, m: Int, k: Int) -> PackedMatrixA? {
    backend == .blas ? nil : PackedMatrixA(a, lda: lda, transposed: transposed, m: m, k: k)
  }

  /// Which kernel `multiply` uses.
  public enum Backend: String, Sendable {
    /// The built-in blocked SIMD Swift kernel (always available).
    case swift
    /// A system BLAS (`cblas_sgemm`) found at run time (OpenBLAS on Linux, Accelerate on Apple).
    case blas
  }

  /// The active backend, chosen once per process by `ECGXAI_BLAS`:
  /// - `off` (or `swift`): the Swift kernel;
  /// - `on` (or `blas`): the run-time BLAS if one was found, else the Swift kernel;
  /// - unset or `auto`: the Swift kernel when its micro-kernel runs with AVX-512 or AVX2+FMA on
  ///   this CPU; the run-time BLAS (if found) only when the kernel would fall back to baseline
  ///   x86-64, where it is several times slower. The choice depends on the CPU alone, never on
  ///   timing, so the same machine always computes the same bits (audits merge shards byte for
  ///   byte). On the 2-core AVX-512 project machine OpenBLAS 0.3 matches the Swift kernel on bare
  ///   GEMMs, 175–200 GFLOP/s, yet makes xresnet1d50 forward 2× and saliency 25 % slower,
  ///   because the Swift path packs weights once per batch and fuses BN/ReLU.
  /// Small products (< 4096 multiply-adds) always use Swift.
  public static let backend: Backend = {
    let value = getenv("ECGXAI_BLAS").map { String(cString: $0).lowercased() } ?? "auto"
    if value == "off" || value == "0" || value == "swift" { return .swift }
    guard RuntimeBLAS.shared != nil else { return .swift }
    if value == "on" || value == "1" || value == "blas" { return .blas }
    return kernelInstructionSet == "baseline" ? .blas : .swift
  }()

  /// The instruction set the C kernels run with (the GEMM's micro-kernel and the element-wise
  /// kernels): `avx512f`, `avx2+fma` or `baseline` — the best this CPU supports, unless the
  /// environment variable `ECGXAI_ISA` (`avx512`, `avx2`, `baseline`, `auto`) pins a lower one, so
  /// that any path can be benchmarked and tested on any host.
  ///
  /// See also `supportedInstructionSet`, `instructionSetProblem`.
  public static var kernelInstructionSet: String { String(cString: ecg_sgemm_micro_isa()) }

  /// The best instruction set this CPU supports for the kernels (`avx512f`, `avx2+fma`,
  /// `baseline`), whatever `ECGXAI_ISA` says.
  public static var supportedInstructionSet: String { String(cString: ecg_isa_best()) }

  /// Why `ECGXAI_ISA` could not be followed — an unknown value, or an instruction set this CPU
  /// lacks (the best supported one runs instead) — or nil. The CLI refuses to start with it.
  public static var instructionSetProblem: String? { ecg_isa_problem().map { String(cString: $0) } }

  /// A description of the BLAS library found at run time, or nil if none was found.
  public static var blasLibrary: String? { RuntimeBLAS.shared?.libraryName }

  /// Runs the Swift kernel regardless of `backend` (for tests and benchmarks).
  public static func multiplySwift(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil
  ) {
    swiftMultiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
      threads: threads ?? parallelThreadCount)
  }

  /// Runs the run-time BLAS if one was found; returns false (and does nothing) otherwise.
  @discardableResult
  public static func multiplyBLAS(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) -> Bool {
    guard let blas = RuntimeBLAS.shared else { return false }
    blas.sgemm(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    return true
  }

  /// A plain triple loop, used as the reference in tests. Never fast; always right.
  public static func referenceMultiply(
    transposeA: Bool, transposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Float,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = 0
        for p in 0..<k {
          let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
          let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum += aValue * bValue
        }
        let previous = beta == 0 ? 0 : beta * c[i * ldc + j]
        c[i * ldc + j] = alpha * sum + previous
      }
    }
  }
}

extension Tensor {
  /// The matrix product of two rank-2 tensors, `self [m, k] · other [k, n] → [m, n]`.
  public func matmul(_ other: Tensor) -> Tensor {
    precondition(rank == 2 && other.rank == 2, "matmul: rank-2 tensors expected")
    precondition(shape[1] == other.shape[0], "matmul: \(shape) · \(other.shape)")
    let m = shape[0]
    let k = shape[1]
    let n = other.shape[1]
    var result = Tensor(zeros: [m, n])
    scalars.withUnsafeBufferPointer { a in
      other.scalars.withUnsafeBufferPointer { b in
        result.scalars.withUnsafeMutableBufferPointer { c in
          GEMM.multiply(
            transposeA: false, transposeB: false, m: m, n: n, k: k,
            a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
            c: c.baseAddress!, ldc: n)
        }
      }
    }
    return result
  }
}
