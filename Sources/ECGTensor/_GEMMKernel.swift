// The pure-Swift SGEMM kernel: Goto-style blocking with packed panels and a 6 × 32 register
// micro-kernel built from SIMD16<Float> (two AVX-512 registers per row, 12 accumulators).
//
// Loop nest (row-major C[m × n] += A[m × k] · B[k × n]):
//   for jc in n by NC:   for pc in k by KC:  pack B[pc.., jc..] into KC × 32 column panels
//     for ic in m by MC (parallel):          pack A[ic.., pc..] into 6 × KC row panels
//       for each 6 × 32 tile: micro-kernel over KC
// Transposes are absorbed by the packing routines, so the micro-kernel sees one layout.

@usableFromInline let kernelRows = 6
@usableFromInline let kernelColumns = 32
@usableFromInline let blockK = 256
@usableFromInline let blockM = 72
@usableFromInline let blockN = 4096

/// Packs rows [i0, i0 + mc) × columns [p0, p0 + kc) of op(A) into 6-row panels: panel r holds,
/// for each p, the 6 values op(A)[i0 + 6r + 0..5, p0 + p], zero-padded past `mc`.
@inline(__always)
func packA(
  _ a: UnsafePointer<Float>, lda: Int, transposed: Bool,
  i0: Int, mc: Int, p0: Int, kc: Int, into packed: UnsafeMutablePointer<Float>
) {
  var panelStart = 0
  var destination = packed
  while panelStart < mc {
    let rows = min(kernelRows, mc - panelStart)
    for p in 0..<kc {
      for r in 0..<kernelRows {
        if r < rows {
          let i = i0 + panelStart + r
          let col = p0 + p
          destination[r] = transposed ? a[col * lda + i] : a[i * lda + col]
        } else {
          destination[r] = 0
        }
      }
      destination += kernelRows
    }
    panelStart += kernelRows
  }
}

/// Packs rows [p0, p0 + kc) × columns [j0, j0 + nc) of op(B) into 32-column panels, zero-padded.
@inline(__always)
func packB(
  _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool,
  p0: Int, kc: Int, j0: Int, nc: Int, into packed: UnsafeMutablePointer<Float>
) {
  var panelStart = 0
  var destination = packed
  while panelStart < nc {
    let columns = min(kernelColumns, nc - panelStart)
    if !transposed && columns == kernelColumns {
      for p in 0..<kc {
        let source = b + (p0 + p) * ldb + j0 + panelStart
        destination.update(from: source, count: kernelColumns)
        destination += kernelColumns
      }
    } else {
      for p in 0..<kc {
        for c in 0..<kernelColumns {
          if c < columns {
            let row = p0 + p
            let col = j0 + panelStart + c
            destination[c] = transposed ? b[col * ldb + row] : b[row * ldb + col]
          } else {
            destination[c] = 0
          }
        }
        destination += kernelColumns
      }
    }
    panelStart += kernelColumns
  }
}

/// C[6 × 32 tile] (+)= packedA-panel · packedB-panel over `kc`. Writes only `rows × columns`.
/// When `accumulate` is false the tile is overwritten (used for the first K block with beta 0).
@inline(__always)
func microKernel(
  kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
  c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
) {
  typealias V = SIMD16<Float>
  var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
  var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
  let rawB = UnsafeRawPointer(b)
  var pa = a
  for p in 0..<kc {
    let b0 = rawB.loadUnaligned(fromByteOffset: p * 128, as: V.self)
    let b1 = rawB.loadUnaligned(fromByteOffset: p * 128 + 64, as: V.self)
    var s = V(repeating: pa[0])
    c00 += s * b0
    c01 += s * b1
    s = V(repeating: pa[1])
    c10 += s * b0
    c11 += s * b1
    s = V(repeating: pa[2])
    c20 += s * b0
    c21 += s * b1
    s = V(repeating: pa[3])
    c30 += s * b0
    c31 += s * b1
    s = V(repeating: pa[4])
    c40 += s * b0
    c41 += s * b1
    s = V(repeating: pa[5])
    c50 += s * b0
    c51 += s * b1
    pa += kernelRows
  }
  if rows == kernelRows && columns == kernelColumns {
    func store(_ row: Int, _ v0: V, _ v1: V) {
      let raw = UnsafeMutableRawPointer(c + row * ldc)
      if accumulate {
        raw.storeBytes(of: raw.loadUnaligned(as: V.self) + v0, as: V.self)
        raw.storeBytes(
          of: raw.loadUnaligned(fromByteOffset: 64, as: V.self) + v1, toByteOffset: 64,
          as: V.self)
      } else {
        raw.storeBytes(of: v0, as: V.self)
        raw.storeBytes(of: v1, toByteOffset: 64, as: V.self)
      }
    }
    store(0, c00, c01)
    store(1, c10, c11)
    store(2, c20, c21)
    store(3, c30, c31)
    store(4, c40, c41)
    store(5, c50, c51)
    return
  }
  let tile = [c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51]
  for r in 0..<rows {
    for col in 0..<columns {
      let value = tile[r * 2 + col / 16][col % 16]
      if accumulate { c[r * ldc + col] += value } else { c[r * ldc + col] = value }
    }
  }
}

/// The blocked, packed, multi-threaded Swift SGEMM: `C = alpha · op(A) · op(B) + beta · C`.
func swiftMultiply(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
) {
  if m == 0 || n == 0 { return }
  // Scale C by beta first (beta == 0 overwrites; NaNs in C are not read).
  if beta != 1 {
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
      packB(b, ldb: ldb, transposed: transposeB, p0: pc, kc: kc, j0: jc, nc: ncBlock, into: packedB)
      if alpha != 1 {
        // Fold alpha into the packed B block.
        let panels = (ncBlock + kernelColumns - 1) / kernelColumns
        for i in 0..<(panels * kernelColumns * kc) { packedB[i] *= alpha }
      }
      let jcNow = jc
      let pcNow = pc
      let work: @Sendable (Int) -> Void = { worker in
        let packA_ = sharedPackA.pointer + worker * packedACount
        var block = worker
        while block < mBlocks {
          let ic = block * blockM
          let mc = min(blockM, m - ic)
          packA(
            sharedA.pointer, lda: lda, transposed: transposeA, i0: ic, mc: mc, p0: pcNow, kc: kc,
            into: packA_)
          var jr = 0
          while jr < ncBlock {
            let columns = min(kernelColumns, ncBlock - jr)
            let bPanel = sharedB.pointer + (jr / kernelColumns) * kernelColumns * kc
            var ir = 0
            while ir < mc {
              let rows = min(kernelRows, mc - ir)
              microKernel(
                kc: kc, a: packA_ + (ir / kernelRows) * kernelRows * kc, b: bPanel,
                c: sharedC.pointer + (ic + ir) * ldc + jcNow + jr, ldc: ldc,
                rows: rows, columns: columns, accumulate: true)
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
