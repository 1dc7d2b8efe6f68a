import _ECGKernels

extension Tensor {
  /// Average pooling over time without padding (PyTorch `AvgPool1d`): self [N, C, L] →
  /// [N, C, outLength], window `kernelSize` samples every `stride` samples; a last window cut by
  /// the end of the signal (ceil mode) is divided by its own length. Rows run in parallel.
  public func averagePooled(kernelSize: Int, stride: Int, outLength: Int) -> Tensor {
    precondition(rank == 3 && kernelSize > 0 && stride > 0 && outLength >= 0, "averagePooled: \(shape)")
    let (rows, length) = (shape[0] * shape[1], shape[2])
    var output = Tensor(zeros: [shape[0], shape[1], outLength])
    withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        let (xs, ys) = (SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!)), SendablePointer(y.baseAddress!))
        parallelChunks(rows, minimumChunk: Self.rowsPerChunk(length)) { chunk in
          ecg_avg_pool(
            chunk.count, length, outLength, kernelSize, stride, xs.pointer + chunk.lowerBound * length,
            ys.pointer + chunk.lowerBound * outLength)
        }
      }
    }
    return output
  }

  /// The adjoint of `averagePooled`: self is the upstream gradient [N, C, outLength]; returns the
  /// gradient [N, C, length] (each window's value / its length, added over the samples it covers).
  public func averagePoolingBackward(kernelSize: Int, stride: Int, length: Int) -> Tensor {
    precondition(rank == 3 && kernelSize > 0 && stride > 0 && length >= 0, "averagePoolingBackward: \(shape)")
    let (rows, outLength) = (shape[0] * shape[1], shape[2])
    var gradient = Tensor(zeros: [shape[0], shape[1], length])
    withUnsafeBufferPointer { g in
      gradient.withUnsafeMutableBufferPointer { gx in
        let (gs, gxs) = (SendablePointer(UnsafeMutablePointer(mutating: g.baseAddress!)), SendablePointer(gx.baseAddress!))
        parallelChunks(rows, minimumChunk: Self.rowsPerChunk(length)) { chunk in
          ecg_avg_pool_backward(
            chunk.count, length, outLength, kernelSize, stride, gs.pointer + chunk.lowerBound * outLength,
            gxs.pointer + chunk.lowerBound * length)
        }
      }
    }
    return gradient
  }

  /// Max pooling over time (PyTorch `MaxPool1d`, floor mode): self [N, C, L] → [N, C, outLength]
  /// and, per output, the input position of its window's first maximum (for the backward pass).
  /// `padding` samples at each end never win; a NaN in a window wins (it propagates, as in
  /// PyTorch). Rows run in parallel.
  public func maxPooled(kernelSize: Int, stride: Int, padding: Int, outLength: Int) -> (Tensor, [Int32]) {
    precondition(rank == 3 && kernelSize > 0 && stride > 0 && padding >= 0 && outLength >= 0, "maxPooled: \(shape)")
    let (rows, length) = (shape[0] * shape[1], shape[2])
    var output = Tensor(zeros: [shape[0], shape[1], outLength])
    var indices = [Int32](repeating: 0, count: rows * outLength)
    withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        indices.withUnsafeMutableBufferPointer { index in
          let (xs, ys, indexes) = (
            SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!)), SendablePointer(y.baseAddress!),
            SendablePointer(index.baseAddress!))
          parallelChunks(rows, minimumChunk: Self.rowsPerChunk(length)) { chunk in
            ecg_max_pool(
              chunk.count, length, outLength, kernelSize, stride, padding,
              xs.pointer + chunk.lowerBound * length, ys.pointer + chunk.lowerBound * outLength,
              indexes.pointer + chunk.lowerBound * outLength)
          }
        }
      }
    }
    return (output, indices)
  }

  /// Rows per `parallelChunks` chunk for rows of `length` samples (about 16 k values a chunk).
  public static func rowsPerChunk(_ length: Int) -> Int { Swift.max(1, (1 << 14) / Swift.max(length, 1)) }
}
