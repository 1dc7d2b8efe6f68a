import _ECGKernels

/// Geometry of a 1-D convolution with PyTorch `Conv1d` semantics (zero padding on both sides,
/// no groups).
public struct Conv1DGeometry: Sendable, Equatable, Codable {
  /// Input channels (`Cin`).
  public var inChannels: Int
  /// Output channels (`Cout`).
  public var outChannels: Int
  /// Kernel width in samples (`K`).
  public var kernelSize: Int
  /// Step between output positions, in input samples.
  public var stride: Int
  /// Zeros added at each end of the input, in samples.
  public var padding: Int
  /// Spacing between kernel taps, in samples.
  public var dilation: Int

  /// Creates a geometry. Every value must be positive (padding non-negative).
  public init(
    inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    dilation: Int = 1
  ) {
    precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0, "Conv1D: empty geometry")
    precondition(stride > 0 && dilation > 0 && padding >= 0, "Conv1D: invalid stride/padding")
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
  }

  /// Output length for an input of `inputLength` samples:
  /// ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1 (0 if the kernel does not fit).
  public func outputLength(inputLength: Int) -> Int {
    let span = inputLength + 2 * padding - dilation * (kernelSize - 1) - 1
    return span < 0 ? 0 : span / stride + 1
  }

  /// True when the convolution is a plain matrix product (k = 1, stride 1, no padding).
  var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }

  /// Rows of the im2col matrix: Cin · K.
  var columnRows: Int { inChannels * kernelSize }
}

/// Convolution kernels on [batch, channels, time] tensors: im2col + GEMM, parallel over the
/// batch (one GEMM per sample; point-wise convolutions skip im2col).
public enum Convolution1D {
  /// input [N, Cin, L], weight [Cout, Cin, K], bias [Cout] or nil → [N, Cout, Lout].
  /// With `relu`, max(0, ·) is applied to the result in the same pass (fused epilogue).
  public static func forward(
    _ input: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv1DGeometry,
    relu: Bool = false
  ) -> Tensor {
    precondition(input.rank == 3 && input.shape[1] == g.inChannels, "Conv1D: input \(input.shape) for \(g)")
    precondition(weight.shape == [g.outChannels, g.inChannels, g.kernelSize], "Conv1D: weight \(weight.shape)")
    precondition(bias == nil || bias!.shape == [g.outChannels], "Conv1D: bias shape")
    let (n, length) = (input.shape[0], input.shape[2])
    let outLength = g.outputLength(inputLength: length)
    if n == 0 || outLength == 0 { return Tensor(zeros: [n, g.outChannels, outLength]) }
    // Every element is written by the GEMM (beta = 0), so no zero fill.
    var output = Tensor(shape: [n, g.outChannels, outLength]) { _ in }
    let workers = min(parallelThreadCount, n)
    let gemmThreads = workers == 1 ? parallelThreadCount : 1
    let columnCount = g.isPointwise ? 0 : g.columnRows * outLength
    let biasValues = bias?.scalars
    input.withUnsafeBufferPointer { x in
      weight.withUnsafeBufferPointer { w in
        output.withUnsafeMutableBufferPointer { y in
          let xs = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
          let ws = SendablePointer(UnsafeMutablePointer(mutating: w.baseAddress!))
          let ys = SendablePointer(y.baseAddress!)
          let packedW = n > 1 ? GEMM.pack(w.baseAddress!, lda: g.columnRows, transposed: false, m: g.outChannels, k: g.columnRows) : nil
          parallelFor(workers) { worker in
            let columns = UnsafeMutablePointer<Float>.allocate(capacity: max(columnCount, 1))
            defer { columns.deallocate() }
            var sample = worker
            while sample < n {
              let xSample = xs.pointer + sample * g.inChannels * length
              let ySample = ys.pointer + sample * g.outChannels * outLength
              let b = columnMatrix(xSample, length: length, geometry: g, outLength: outLength, scratch: columns)
              GEMM.multiply(
                prepacked: packedW, transposeA: false, transposeB: false, m: g.outChannels,
                n: outLength, k: g.columnRows, a: ws.pointer, lda: g.columnRows, b: b,
                ldb: outLength, c: ySample, ldc: outLength, threads: gemmThreads)
              if biasValues != nil || relu {
                for o in 0..<g.outChannels {
                  let value = biasValues?[o] ?? 0
                  ecg_add_scalar(outLength, value, relu ? 1 : 0, ySample + o * outLength)
                }
              }
              sample += workers
            }
          }
        }
      }
    }
    return output
  }

  /// What `backwardInput` does to each record's upstream [Cout, Lout] before the product with
  /// Wᵀ — fused into the same parallel pass, so no extra tensor is written.
  public enum UpstreamTransform: Sendable {
    /// The upstream as it is.
    case none
    /// Zero where the recorded output (same shape as the upstream) is not positive: the backward
    /// of a ReLU fused into the convolution's epilogue.
    case reluGate(Tensor)
    /// upstream / (z + ε·sign z) with sign(0) = +1, z the recorded output (LRP's ε-rule, Zennit's
    /// `stabilize`).
    case stabilisedDivision(by: Tensor, epsilon: Float)
  }

  /// gradOutput [N, Cout, Lout] → gradient of the loss with respect to the input [N, Cin, L].
  ///
  /// `transform` is applied to the upstream first (see `UpstreamTransform`); with `multiplying`
  /// (a tensor [N, Cin, L], usually the recorded input) the result is multiplied by it element
  /// by element. Both together give LRP's ε-rule in one pass: x ⊙ Wᵀ(R / stab(z)).
  public static func backwardInput(
    _ gradOutput: Tensor, weight: Tensor, inputLength: Int, geometry g: Conv1DGeometry,
    transform: UpstreamTransform = .none, multiplying factor: Tensor? = nil
  ) -> Tensor {
    let n = gradOutput.shape[0]
    let outLength = g.outputLength(inputLength: inputLength)
    precondition(gradOutput.shape == [n, g.outChannels, outLength], "Conv1D: gradOutput shape")
    precondition(factor == nil || factor!.shape == [n, g.inChannels, inputLength], "Conv1D: factor shape")
    if n == 0 || outLength == 0 { return Tensor(zeros: [n, g.inChannels, inputLength]) }
    // Every element is written by the GEMM (point-wise) or by col2im, which zero-fills first.
    var gradInput = Tensor(shape: [n, g.inChannels, inputLength]) { _ in }
    let workers = min(parallelThreadCount, n)
    let gemmThreads = workers == 1 ? parallelThreadCount : 1
    let columnCount = g.isPointwise ? 0 : g.columnRows * outLength
    let upstreamCount = g.outChannels * outLength
    let (gate, epsilon): (Tensor?, Float)
    switch transform {
    case .none: (gate, epsilon) = (nil, 0)
    case .reluGate(let output): (gate, epsilon) = (output, 0)
    case .stabilisedDivision(let output, let e): (gate, epsilon) = (output, e)
    }
    let divide = if case .stabilisedDivision = transform { true } else { false }
    precondition(gate == nil || gate!.shape == gradOutput.shape, "Conv1D: gate shape")
    let gateTensor = gate ?? gradOutput
    let factorTensor = factor ?? gradOutput
    gradOutput.withUnsafeBufferPointer { gy in
      weight.withUnsafeBufferPointer { w in
        gateTensor.withUnsafeBufferPointer { z in
          factorTensor.withUnsafeBufferPointer { f in
            gradInput.withUnsafeMutableBufferPointer { gx in
              let gys = SendablePointer(UnsafeMutablePointer(mutating: gy.baseAddress!))
              let zs = SendablePointer(UnsafeMutablePointer(mutating: z.baseAddress!))
              let fs = SendablePointer(UnsafeMutablePointer(mutating: f.baseAddress!))
              let ws = SendablePointer(UnsafeMutablePointer(mutating: w.baseAddress!))
              let gxs = SendablePointer(gx.baseAddress!)
              let packedW = n > 1 ? GEMM.pack(w.baseAddress!, lda: g.columnRows, transposed: true, m: g.columnRows, k: g.outChannels) : nil
              let hasGate = gate != nil
              let hasFactor = factor != nil
              parallelFor(workers) { worker in
                let columns = UnsafeMutablePointer<Float>.allocate(capacity: max(columnCount, 1))
                let upstream = UnsafeMutablePointer<Float>.allocate(capacity: hasGate ? upstreamCount : 1)
                defer {
                  columns.deallocate()
                  upstream.deallocate()
                }
                var sample = worker
                while sample < n {
                  var gySample = UnsafePointer(gys.pointer + sample * upstreamCount)
                  if hasGate {
                    let zSample = zs.pointer + sample * upstreamCount
                    if divide {
                      ecg_stabilised_divide(upstreamCount, gySample, zSample, epsilon, upstream)
                    } else {
                      ecg_relu_gate(upstreamCount, gySample, zSample, upstream)
                    }
                    gySample = UnsafePointer(upstream)
                  }
                  let gxSample = gxs.pointer + sample * g.inChannels * inputLength
                  let target = g.isPointwise ? gxSample : columns
                  GEMM.multiply(
                    prepacked: packedW, transposeA: true, transposeB: false, m: g.columnRows,
                    n: outLength, k: g.outChannels, a: ws.pointer, lda: g.columnRows, b: gySample,
                    ldb: outLength, c: target, ldc: outLength, threads: gemmThreads)
                  if !g.isPointwise {
                    col2im(columns, length: inputLength, geometry: g, outLength: outLength, into: gxSample)
                  }
                  if hasFactor {
                    let fSample = fs.pointer + sample * g.inChannels * inputLength
                    ecg_multiply_in_place(g.inChannels * inputLength, fSample, gxSample)
                  }
                  sample += workers
                }
              }
            }
          }
        }
      }
    }
    return gradInput
  }

  /// Gradients of the loss with respect to weight [Cout, Cin, K] and bias [Cout], summed over
  /// the batch.
  public static func backwardParameters(
    _ gradOutput: Tensor, input: Tensor, geometry g: Conv1DGeometry
  ) -> (weight: Tensor, bias: Tensor) {
    let (n, length) = (input.shape[0], input.shape[2])
    let outLength = g.outputLength(inputLength: length)
    precondition(gradOutput.shape == [n, g.outChannels, outLength], "Conv1D: gradOutput shape")
    let weightCount = g.outChannels * g.columnRows
    let workers = max(1, min(parallelThreadCount, n))
    let gemmThreads = workers == 1 ? parallelThreadCount : 1
    var partial = [Float](repeating: 0, count: weightCount * workers)
    let columnCount = g.isPointwise ? 0 : g.columnRows * outLength
    if n > 0 && outLength > 0 {
      gradOutput.withUnsafeBufferPointer { gy in
        input.withUnsafeBufferPointer { x in
          partial.withUnsafeMutableBufferPointer { acc in
            let gys = SendablePointer(UnsafeMutablePointer(mutating: gy.baseAddress!))
            let xs = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            let accs = SendablePointer(acc.baseAddress!)
            parallelFor(workers) { worker in
              let columns = UnsafeMutablePointer<Float>.allocate(capacity: max(columnCount, 1))
              defer { columns.deallocate() }
              var sample = worker
              while sample < n {
                let xSample = xs.pointer + sample * g.inChannels * length
                let b = columnMatrix(xSample, length: length, geometry: g, outLength: outLength, scratch: columns)
                GEMM.multiply(
                  transposeA: false, transposeB: true, m: g.outChannels, n: g.columnRows,
                  k: outLength, a: gys.pointer + sample * g.outChannels * outLength,
                  lda: outLength, b: b, ldb: outLength, beta: 1,
                  c: accs.pointer + worker * weightCount, ldc: g.columnRows, threads: gemmThreads)
                sample += workers
              }
            }
          }
        }
      }
    }
    var weightGrad = [Float](repeating: 0, count: weightCount)
    for w in 0..<workers {
      for i in 0..<weightCount { weightGrad[i] += partial[w * weightCount + i] }
    }
    var biasGrad = [Float](repeating: 0, count: g.outChannels)
    gradOutput.withUnsafeBufferPointer { gy in
      for s in 0..<n {
        for o in 0..<g.outChannels {
          let row = gy.baseAddress! + (s * g.outChannels + o) * outLength
          var sum: Float = 0
          for t in 0..<outLength { sum += row[t] }
          biasGrad[o] += sum
        }
      }
    }
    return (
      Tensor(shape: [g.outChannels, g.inChannels, g.kernelSize], scalars: weightGrad),
      Tensor(shape: [g.outChannels], scalars: biasGrad)
    )
  }

  /// The [C·K, outLength] column matrix of one sample [C, length]: the sample itself for a
  /// pointwise convolution (K = 1, stride 1, no padding), else its im2col written into `scratch`
  /// (at least C·K·outLength floats).
  @inline(__always)
  static func columnMatrix(
    _ x: UnsafeMutablePointer<Float>, length: Int, geometry g: Conv1DGeometry, outLength: Int,
    scratch: UnsafeMutablePointer<Float>
  ) -> UnsafePointer<Float> {
    if g.isPointwise { return UnsafePointer(x) }
    im2col(x, length: length, geometry: g, outLength: outLength, into: scratch)
    return UnsafePointer(scratch)
  }

  /// columns[(c·K + j), t] = x[c, t·s − p + j·d] (0 outside the input).
  @inline(__always)
  static func im2col(
    _ x: UnsafePointer<Float>, length: Int, geometry g: Conv1DGeometry, outLength: Int,
    into columns: UnsafeMutablePointer<Float>
  ) {
    for c in 0..<g.inChannels {
      let xRow = x + c * length
      for j in 0..<g.kernelSize {
        let row = columns + (c * g.kernelSize + j) * outLength
        let offset = j * g.dilation - g.padding
        if g.stride == 1 {
          // Valid range of t: 0 ≤ t + offset < length.
          let lower = max(0, -offset)
          let upper = min(outLength, length - offset)
          if upper <= lower {
            row.update(repeating: 0, count: outLength)
            continue
          }
          if lower > 0 { row.update(repeating: 0, count: lower) }
          (row + lower).update(from: xRow + lower + offset, count: upper - lower)
          if upper < outLength { (row + upper).update(repeating: 0, count: outLength - upper) }
        } else {
          ecg_strided_row(xRow, length, offset, g.stride, outLength, row)
        }
      }
    }
  }

  /// The adjoint of `im2col`: accumulates columns back into x[c, t·s − p + j·d] (x is overwritten).
  @inline(__always)
  static func col2im(
    _ columns: UnsafePointer<Float>, length: Int, geometry g: Conv1DGeometry, outLength: Int,
    into x: UnsafeMutablePointer<Float>
  ) {
    x.update(repeating: 0, count: g.inChannels * length)
    for c in 0..<g.inChannels {
      let xRow = x + c * length
      for j in 0..<g.kernelSize {
        let row = columns + (c * g.kernelSize + j) * outLength
        let offset = j * g.dilation - g.padding
        if g.stride == 1 {
          let lower = max(0, -offset)
          let upper = min(outLength, length - offset)
          if upper > lower {
            let target = xRow + offset
            for t in lower..<upper { target[t] += row[t] }
          }
          continue
        }
        ecg_strided_row_add(row, outLength, offset, g.stride, length, xRow)
      }
    }
  }
}
