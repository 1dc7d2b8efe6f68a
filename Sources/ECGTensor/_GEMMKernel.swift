import _ECGKernels

// The built-in SGEMM: Goto-style blocking with packed panels (Swift) around a 6 × 32 register
// micro-kernel (C, `_ECGKernels`: 12 accumulators of 16 floats, fused multiply-adds, AVX-512 /
// AVX2 / baseline chosen at run time). Swift does not contract `c += a * b` into an FMA, which
// halves throughput; the C kernel gets FMAs from the compiler.
//
// Loop nest (row-major C[m × n] += A[m × k] · B[k × n]):
//   for jc in n by NC:   for pc in k by KC:  pack B[pc.., jc..] into KC × 32 column panels
//     for ic in m by MC (parallel):          pack A[ic.., pc..] into 6 × KC row panels
//       for each 6 × 32 tile: micro-kernel over KC
// Transposes are absorbed by the packing routines, so the micro-kernel sees one layout.

@usableFromInline let kernelRows = 6
@usableFromInline let kernelColumns = 32
@usableFromInline let blockK = 256
@usableFromInline let blockM = 144
@usableFromInline let blockN = 4096

/// Packs rows [i0, i0 + mc) × columns [p0, p0 + kc) of op(A) into 6-row panels: panel r holds,
/// for each p, the 6 values op(A)[i0 + 6r + 0..5, p0 + p], zero-padded past `mc` (C kernel
/// `ecg_pack_a`, cloned per instruction set).
@inline(__always)
func packA(
  _ a: UnsafePointer<Float>, lda: Int, transposed: Bool,
  i0: Int, mc: Int, p0: Int, kc: Int, into packed: UnsafeMutablePointer<Float>
) {
  ecg_pack_a(a, lda, transposed ? 1 : 0, i0, mc, p0, kc, packed)
}

/// Packs rows [p0, p0 + kc) × columns [j0, j0 + nc) of op(B) into 32-column panels, zero-padded,
/// each value times `alpha` (C kernel `ecg_pack_b`).
@inline(__always)
func packB(
  _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool,
  p0: Int, kc: Int, j0: Int, nc: Int, alpha: Float = 1, into packed: UnsafeMutablePointer<Float>
) {
  ecg_pack_b(b, ldb, transposed ? 1 : 0, p0, kc, j0, nc, alpha, packed)
}

/// The blocked, packed, multi-threaded Swift SGEMM: `C = alpha · op(A) · op(B) + beta · C`.
func swiftMultiply(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
  prepackedA: PackedMatrixA? = nil
) {
  if m == 0 || n == 0 { return }
  if threads > 1 && (m >= 2 * kernelRows * threads || n >= 2 * kernelColumns * threads) {
    // Split C into independent slices (columns if N is the larger dimension, else rows), one
    // single-threaded GEMM each: packing then runs in parallel too.
    let splitColumns = n >= m
    let extent = splitColumns ? n : m
    let unit = splitColumns ? kernelColumns : kernelRows
    let chunk = ((extent + threads - 1) / threads + unit - 1) / unit * unit
    let parts = (extent + chunk - 1) / chunk
    let sa = SendablePointer(UnsafeMutablePointer(mutating: a))
    let sb = SendablePointer(UnsafeMutablePointer(mutating: b))
    let sc = SendablePointer(c)
    parallelFor(parts) { part in
      let start = part * chunk
      let size = min(chunk, extent - start)
      if splitColumns {
        swiftMultiply(
          transposeA: transposeA, transposeB: transposeB, m: m, n: size, k: k, alpha: alpha,
          a: sa.pointer, lda: lda, b: sb.pointer + (transposeB ? start * ldb : start), ldb: ldb,
          beta: beta, c: sc.pointer + start, ldc: ldc, threads: 1, prepackedA: prepackedA)
      } else {
        swiftMultiply(
          transposeA: transposeA, transposeB: transposeB, m: size, n: n, k: k, alpha: alpha,
          a: sa.pointer + (transposeA ? start : start * lda), lda: lda, b: sb.pointer, ldb: ldb,
          beta: beta, c: sc.pointer + start * ldc, ldc: ldc, threads: 1)
      }
    }
    return
  }
  // Scale C by beta first. With beta == 0 and k > 0 the first K block overwrites C instead
  // (NaNs in C are never read, as in BLAS).
  let overwriteFirstBlock = beta == 0 && k > 0 && alpha != 0
  if beta != 1 && !overwriteFirstBlock {
    for i in 0..<m {
      let row = c + i * ldc
      if beta == 0 { row.update(repeating: 0, count: n) } else {
        for j in 0..<n { row[j] *= beta }
      }
    }
  }
  if k == 0 || alpha == 0 { return }
  let nc = min(blockN, n)
  let packedBCount = blockK * ((nc + kernelColumns - 1) / kernelColumns) * kernelColumns
  let packedB = UnsafeMutablePointer<Float>.allocate(capacity: packedBCount)
  defer { packedB.deallocate() }
  let mBlocks = (m + blockM - 1) / blockM
  let workers = max(1, min(threads, mBlocks))
  let packedACount = blockM * blockK
  let packedAAll = UnsafeMutablePointer<Float>.allocate(capacity: packedACount * workers)
  defer { packedAAll.deallocate() }
  let sharedA = SendablePointer(UnsafeMutablePointer(mutating: a))
  let sharedB = SendablePointer(packedB)
  let sharedC = SendablePointer(c)
  let sharedPackA = SendablePointer(packedAAll)

  var jc = 0
  while jc < n {
    let ncBlock = min(nc, n - jc)
    var pc = 0
    while pc < k {
      let kc = min(blockK, k - pc)
      // alpha is folded into the packed B block.
      packB(b, ldb: ldb, transposed: transposeB, p0: pc, kc: kc, j0: jc, nc: ncBlock, alpha: alpha, into: packedB)
      let jcNow = jc
      let pcNow = pc
      let work: @Sendable (Int) -> Void = { worker in
        let packA_ = sharedPackA.pointer + worker * packedACount
        var block = worker
        while block < mBlocks {
          let ic = block * blockM
          let mc = min(blockM, m - ic)
          let panelA: UnsafePointer<Float>
          if let prepackedA {
            panelA = prepackedA.block(pc: pcNow, ic: ic)
          } else {
            packA(
              sharedA.pointer, lda: lda, transposed: transposeA, i0: ic, mc: mc, p0: pcNow, kc: kc,
              into: packA_)
            panelA = UnsafePointer(packA_)
          }
          var jr = 0
          while jr < ncBlock {
            let columns = min(kernelColumns, ncBlock - jr)
            let bPanel = sharedB.pointer + (jr / kernelColumns) * kernelColumns * kc
            var ir = 0
            while ir < mc {
              let rows = min(kernelRows, mc - ir)
              ecg_sgemm_micro_6x32(
                kc, panelA + (ir / kernelRows) * kernelRows * kc, bPanel,
                sharedC.pointer + (ic + ir) * ldc + jcNow + jr, ldc,
                Int32(rows), Int32(columns), overwriteFirstBlock && pcNow == 0 ? 0 : 1)
              ir += kernelRows
            }
            jr += kernelColumns
          }
          block += workers
        }
      }
      if workers == 1 { work(0) } else { parallelFor(workers, work) }
      pc += kc
    }
    jc += ncBlock
  }
}

/// op(A) [m × k] packed once for every K and M block, so that many products with the same A
/// (one per record of a batch in a convolution) skip re-packing it.
final class PackedMatrixA: @unchecked Sendable {
  let m: Int
  let k: Int
  private let mBlocks: Int
  private let storage: UnsafeMutablePointer<Float>

  init(_ a: UnsafePointer<Float>, lda: Int, transposed: Bool, m: Int, k: Int) {
    self.m = m
    self.k = k
    mBlocks = (m + blockM - 1) / blockM
    let kBlocks = (k + blockK - 1) / blockK
    let blockSize = ((blockM + kernelRows - 1) / kernelRows) * kernelRows * blockK
    storage = .allocate(capacity: max(1, kBlocks * mBlocks * blockSize))
    for kb in 0..<kBlocks {
      let pc = kb * blockK
      let kc = min(blockK, k - pc)
      for mb in 0..<mBlocks {
        let ic = mb * blockM
        packA(
          a, lda: lda, transposed: transposed, i0: ic, mc: min(blockM, m - ic), p0: pc, kc: kc,
          into: storage + (kb * mBlocks + mb) * blockSize)
      }
    }
  }

  deinit { storage.deallocate() }

  /// The packed panels of the block starting at row `ic`, depth `pc`.
  func block(pc: Int, ic: Int) -> UnsafePointer<Float> {
    let blockSize = ((blockM + kernelRows - 1) / kernelRows) * kernelRows * blockK
    return UnsafePointer(storage + ((pc / blockK) * mBlocks + ic / blockM) * blockSize)
  }
}
