#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `cblas_sgemm` from a BLAS library loaded at run time with `dlopen`, so ecgxai builds and runs
/// without any BLAS installed and uses one automatically when present.
///
/// Searched, in order: `$ECGXAI_BLAS_LIBRARY`, OpenBLAS (`libopenblas.so.0`, `libopenblas.so`),
/// the reference/alternative CBLAS (`libcblas.so.3`, `libblas.so.3`), and on Apple the
/// Accelerate framework.
struct RuntimeBLAS: @unchecked Sendable {
  typealias SGEMM = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
    UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
  ) -> Void

  let libraryName: String
  private let function: SGEMM

  static let shared: RuntimeBLAS? = {
    var candidates: [String] = []
    if let custom = getenv("ECGXAI_BLAS_LIBRARY") { candidates.append(String(cString: custom)) }
    #if os(Linux)
      candidates += ["libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3"]
    #else
      candidates += [
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
        "libopenblas.dylib",
      ]
    #endif
    for name in candidates {
      guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
      if let symbol = dlsym(handle, "cblas_sgemm") {
        return RuntimeBLAS(libraryName: name, function: unsafeBitCast(symbol, to: SGEMM.self))
      }
      dlclose(handle)
    }
    return nil
  }()

  func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let rowMajor: Int32 = 101
    let noTrans: Int32 = 111
    let trans: Int32 = 112
    function(
      rowMajor, transposeA ? trans : noTrans, transposeB ? trans : noTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
