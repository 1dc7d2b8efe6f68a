import ECGTensor

/// Max pooling over time, PyTorch `nn.MaxPool1d` (padding counts as −∞): [N, C, L] → [N, C, Lout].
public final class MaxPool1d: Layer, @unchecked Sendable {
  public let kind = "MaxPool1d"
  public var path = ""
  public var record = LayerRecord()
  /// Window, stride and padding in samples.
  public let kernelSize: Int, stride: Int, padding: Int
  private var argmax: [Int32] = []

  /// Creates the layer; `stride` defaults to `kernelSize` as in PyTorch.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
    precondition(kernelSize > 0 && padding * 2 <= kernelSize, "MaxPool1d: invalid geometry")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }

  /// Output length for an input of `length` samples (floor mode).
  public func outputLength(_ length: Int) -> Int { (length + 2 * padding - kernelSize) / stride + 1 }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let (output, indices) = input.maxPooled(
      kernelSize: kernelSize, stride: stride, padding: padding, outLength: outputLength(input.shape[2]))
    if options.recordForBackward { argmax = indices }
    return output
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    let (n, c, l) = (input.shape[0], input.shape[1], input.shape[2])
    let lo = upstream.shape[2]
    var grad = Tensor(zeros: input.shape)
    upstream.withUnsafeBufferPointer { g in
      grad.withUnsafeMutableBufferPointer { gx in
        argmax.withUnsafeBufferPointer { index in
          let (gs, gxs, indexes) = (
            SendablePointer(UnsafeMutablePointer(mutating: g.baseAddress!)), SendablePointer(gx.baseAddress!),
            SendablePointer(UnsafeMutablePointer(mutating: index.baseAddress!)))
          // Windows never cross rows, so rows are independent.
          parallelChunks(n * c, minimumChunk: Tensor.rowsPerChunk(l)) { rows in
            for row in rows {
              for t in 0..<lo {
                gxs.pointer[row * l + Int(indexes.pointer[row * lo + t])] += gs.pointer[row * lo + t]
              }
            }
          }
        }
      }
    }
    return grad
  }
}

/// Average pooling over time, PyTorch `nn.AvgPool1d` with zero padding; with `ceilMode` a last
/// partial window is kept and averaged over the samples it covers (PyTorch's divisor).
public final class AvgPool1d: Layer, @unchecked Sendable {
  public let kind = "AvgPool1d"
  public var path = ""
  public var record = LayerRecord()
  /// Window and stride in samples.
  public let kernelSize: Int, stride: Int
  /// Keep a last partial window.
  public let ceilMode: Bool

  /// Creates the layer (no padding); `stride` defaults to `kernelSize`.
  public init(kernelSize: Int, stride: Int? = nil, ceilMode: Bool = false) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.ceilMode = ceilMode
  }

  /// Output length for an input of `length` samples.
  public func outputLength(_ length: Int) -> Int {
    let span = length - kernelSize
    var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
    // PyTorch: the last window must start inside the input.
    if ceilMode && (out - 1) * stride >= length { out -= 1 }
    return max(out, 0)
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    input.averagePooled(kernelSize: kernelSize, stride: stride, outLength: outputLength(input.shape[2]))
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    upstream.averagePoolingBackward(kernelSize: kernelSize, stride: stride, length: recordedInput().shape[2])
  }
}

/// Global pooling over time to length 1: average (`AdaptiveAvgPool1d(1)`), maximum
/// (`AdaptiveMaxPool1d(1)`) or fastai's concat pooling (max ‖ avg → [N, 2C, 1]).
public final class GlobalPool1d: Layer, @unchecked Sendable {
  /// Which statistic is pooled.
  public enum Mode: String, Sendable, Codable { case average, maximum, concat }
  public var kind: String {
    switch mode {
    case .average: "AdaptiveAvgPool1d"
    case .maximum: "AdaptiveMaxPool1d"
    case .concat: "AdaptiveConcatPool1d"
    }
  }
  public var path = ""
  public var record = LayerRecord()
  /// The pooled statistic.
  public let mode: Mode
  private var argmax: [Int32] = []

  /// Creates the layer.
  public init(_ mode: Mode) { self.mode = mode }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let (n, c, l) = (input.shape[0], input.shape[1], input.shape[2])
    precondition(l > 0, "\(kind) '\(path)': empty time axis")
    var maxima = [Float](repeating: 0, count: n * c)
    var means = maxima
    var indices = [Int32](repeating: 0, count: n * c)
    for row in 0..<(n * c) {
      var best = -Float.infinity
      var bestIndex = 0
      var sum: Float = 0
      for j in 0..<l {
        let v = input.scalars[row * l + j]
        sum += v
        if v > best { best = v; bestIndex = j }
      }
      maxima[row] = best
      means[row] = sum / Float(l)
      indices[row] = Int32(bestIndex)
    }
    if options.recordForBackward { argmax = indices }
    switch mode {
    case .average: return Tensor(shape: [n, c, 1], scalars: means)
    case .maximum: return Tensor(shape: [n, c, 1], scalars: maxima)
    case .concat:
      var values = [Float](repeating: 0, count: n * 2 * c)
      for s in 0..<n {
        for ch in 0..<c {
          values[s * 2 * c + ch] = maxima[s * c + ch]
          values[s * 2 * c + c + ch] = means[s * c + ch]
        }
      }
      return Tensor(shape: [n, 2 * c, 1], scalars: values)
    }
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    let (n, c, l) = (input.shape[0], input.shape[1], input.shape[2])
    var grad = Tensor(zeros: input.shape)
    for s in 0..<n {
      for ch in 0..<c {
        let row = s * c + ch
        let (gMax, gAvg): (Float, Float)
        switch mode {
        case .average: (gMax, gAvg) = (0, upstream.scalars[row])
        case .maximum: (gMax, gAvg) = (upstream.scalars[row], 0)
        case .concat: (gMax, gAvg) = (upstream.scalars[s * 2 * c + ch], upstream.scalars[s * 2 * c + c + ch])
        }
        if gAvg != 0 {
          let share = gAvg / Float(l)
          for j in 0..<l { grad.scalars[row * l + j] += share }
        }
        grad.scalars[row * l + Int(argmax[row])] += gMax
      }
    }
    return grad
  }
}

