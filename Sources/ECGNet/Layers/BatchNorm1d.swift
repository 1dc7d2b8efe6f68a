import ECGTensor

/// Batch normalisation over [N, C, L] (or [N, C]), PyTorch `nn.BatchNorm1d`: per channel
/// y = γ (x − μ) / √(σ² + ε) + β. Training uses batch statistics (biased variance) and updates
/// running statistics with `momentum` (running variance unbiased, as PyTorch); evaluation uses
/// the running statistics.
public final class BatchNorm1d: Layer, @unchecked Sendable {
  public let kind = "BatchNorm1d"
  public var path = ""
  public var record = LayerRecord()
  /// γ [C].
  public let weight: Parameter
  /// β [C].
  public let bias: Parameter
  /// Running mean [C] (buffer).
  public let runningMean: Parameter
  /// Running variance [C] (buffer).
  public let runningVariance: Parameter
  /// Number of training batches seen (PyTorch's `num_batches_tracked`).
  public var batchesTracked: Int = 0
  /// ε added to the variance.
  public let epsilon: Float
  /// Weight of the newest batch in the running statistics.
  public let momentum: Float
  private var batchInverseStd: [Float] = []
  private var batchMean: [Float] = []

  /// Creates a layer with γ = `initialWeight`, β = `initialBias` (fastai: 1 or 0, and 1e-3).
  public init(
    channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, initialWeight: Float = 1,
    initialBias: Float = 0
  ) {
    weight = Parameter(Tensor(zeros: [channels], value: initialWeight))
    bias = Parameter(Tensor(zeros: [channels], value: initialBias))
    runningMean = Parameter(Tensor(zeros: [channels]), isBuffer: true)
    runningVariance = Parameter(Tensor(zeros: [channels], value: 1), isBuffer: true)
    self.epsilon = epsilon
    self.momentum = momentum
  }

  /// Channels.
  public var channels: Int { weight.value.count }

  public var parameters: [(name: String, parameter: Parameter)] {
    [("weight", weight), ("bias", bias), ("running_mean", runningMean),
     ("running_var", runningVariance)]
  }

  /// The per-channel affine map of evaluation mode: y = scale · x + shift.
  public var evaluationAffine: (scale: [Float], shift: [Float]) {
    var scale = [Float](repeating: 0, count: channels)
    var shift = scale
    for c in 0..<channels {
      scale[c] = weight.value.scalars[c] / (runningVariance.value.scalars[c] + epsilon).squareRoot()
      shift[c] = bias.value.scalars[c] - runningMean.value.scalars[c] * scale[c]
    }
    return (scale, shift)
  }

  private func dims(_ x: Tensor) -> (n: Int, c: Int, l: Int) {
    precondition(
      (x.rank == 3 || x.rank == 2) && x.shape[1] == channels,
      "BatchNorm1d '\(path)': input \(x.shape) for \(channels) channels")
    return (x.shape[0], channels, x.rank == 3 ? x.shape[2] : 1)
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let (n, c, l) = dims(input)
    var output = input
    if options.training {
      let count = Double(n * l)
      precondition(n * l > 1, "BatchNorm1d '\(path)': training needs more than one value per channel")
      // Channels in parallel (each sums and writes only its own rows, in the serial order, so
      // the result does not depend on the threads); the running statistics are updated after.
      var means = [Double](repeating: 0, count: c)
      var variances = [Double](repeating: 0, count: c)
      var inverses = [Float](repeating: 0, count: c)
      let (gammas, betas, eps) = (weight.value.scalars, bias.value.scalars, Double(epsilon))
      input.withUnsafeBufferPointer { xBuffer in
        output.withUnsafeMutableBufferPointer { yBuffer in
          means.withUnsafeMutableBufferPointer { meanBuffer in
            variances.withUnsafeMutableBufferPointer { varianceBuffer in
              inverses.withUnsafeMutableBufferPointer { inverseBuffer in
                let x = SendablePointer(UnsafeMutablePointer(mutating: xBuffer.baseAddress!))
                let y = SendablePointer(yBuffer.baseAddress!)
                let meanOut = SendablePointer(meanBuffer.baseAddress!)
                let varianceOut = SendablePointer(varianceBuffer.baseAddress!)
                let inverseOut = SendablePointer(inverseBuffer.baseAddress!)
                parallelFor(c) { ch in
                  var sum = 0.0
                  var sumSquares = 0.0
                  for s in 0..<n {
                    let base = (s * c + ch) * l
                    for t in 0..<l {
                      let v = Double(x.pointer[base + t])
                      sum += v
                      sumSquares += v * v
                    }
                  }
                  let mean = sum / count
                  let variance = max(0, sumSquares / count - mean * mean)
                  let inverse = Float(1 / (variance + eps).squareRoot())
                  meanOut.pointer[ch] = mean
                  varianceOut.pointer[ch] = variance
                  inverseOut.pointer[ch] = inverse
                  let scale = gammas[ch] * inverse
                  let shift = betas[ch] - Float(mean) * scale
                  for s in 0..<n {
                    let base = (s * c + ch) * l
                    for t in 0..<l { y.pointer[base + t] = x.pointer[base + t] * scale + shift }
                  }
                }
              }
            }
          }
        }
      }
      batchMean = means.map { Float($0) }
      batchInverseStd = inverses
      let m = Double(momentum)
      for ch in 0..<c {
        runningMean.value.scalars[ch] = Float((1 - m) * Double(runningMean.value.scalars[ch]) + m * means[ch])
        runningVariance.value.scalars[ch] = Float(
          (1 - m) * Double(runningVariance.value.scalars[ch]) + m * variances[ch] * count / (count - 1))
      }
      batchesTracked += 1
    } else {
      // One pass from input to a new buffer, parallel over (record, channel) rows.
      let (scale, shift) = evaluationAffine
      return input.withUnsafeBufferPointer { x in
        Tensor(shape: input.shape) { y in
          let (xs, ys) = (SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!)), SendablePointer(y.baseAddress!))
          parallelChunks(n * c, minimumChunk: max(1, (1 << 14) / max(l, 1))) { rows in
            for row in rows {
              let (a, b) = (scale[row % c], shift[row % c])
              let (source, target) = (xs.pointer + row * l, ys.pointer + row * l)
              for t in 0..<l { target[t] = source[t] * a + b }
            }
          }
        }
      }
    }
    return output
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    let (n, c, l) = dims(input)
    var gradInput = upstream
    if options.training {
      let count = Float(n * l)
      // Channels in parallel: each reads and writes only its own rows and sums them in the same
      // order as a serial loop, so the result does not depend on the threads.
      var sums = [Double](repeating: 0, count: 2 * c)
      let gammas = weight.value.scalars
      let (means, inverses) = (batchMean, batchInverseStd)
      upstream.withUnsafeBufferPointer { gBuffer in
        input.withUnsafeBufferPointer { xBuffer in
          gradInput.withUnsafeMutableBufferPointer { outBuffer in
            sums.withUnsafeMutableBufferPointer { sumBuffer in
              let g = SendablePointer(UnsafeMutablePointer(mutating: gBuffer.baseAddress!))
              let x = SendablePointer(UnsafeMutablePointer(mutating: xBuffer.baseAddress!))
              let out = SendablePointer(outBuffer.baseAddress!)
              let sumsOut = SendablePointer(sumBuffer.baseAddress!)
              parallelFor(c) { ch in
                var sumG = 0.0
                var sumGX = 0.0
                let (mean, inv) = (means[ch], inverses[ch])
                for s in 0..<n {
                  let base = (s * c + ch) * l
                  for t in 0..<l {
                    let gValue = Double(g.pointer[base + t])
                    sumG += gValue
                    sumGX += gValue * Double((x.pointer[base + t] - mean) * inv)
                  }
                }
                sumsOut.pointer[2 * ch] = sumG
                sumsOut.pointer[2 * ch + 1] = sumGX
                let gamma = gammas[ch]
                let meanG = Float(sumG) / count
                let meanGX = Float(sumGX) / count
                for s in 0..<n {
                  let base = (s * c + ch) * l
                  for t in 0..<l {
                    let xHat = (x.pointer[base + t] - mean) * inv
                    out.pointer[base + t] = gamma * inv * (g.pointer[base + t] - meanG - xHat * meanGX)
                  }
                }
              }
            }
          }
        }
      }
      if options.parameterGradients {
        for ch in 0..<c {
          weight.gradient.scalars[ch] += Float(sums[2 * ch + 1])
          bias.gradient.scalars[ch] += Float(sums[2 * ch])
        }
      }
    } else {
      let (scale, _) = evaluationAffine
      for ch in 0..<c {
        let std = (runningVariance.value.scalars[ch] + epsilon).squareRoot()
        var sumG: Float = 0
        var sumGX: Float = 0
        for s in 0..<n {
          let base = (s * c + ch) * l
          for t in 0..<l {
            let g = upstream.scalars[base + t]
            if options.parameterGradients {
              sumG += g
              sumGX += g * (input.scalars[base + t] - runningMean.value.scalars[ch]) / std
            }
            gradInput.scalars[base + t] = g * scale[ch]
          }
        }
        if options.parameterGradients {
          weight.gradient.scalars[ch] += sumGX
          bias.gradient.scalars[ch] += sumG
        }
      }
    }
    return gradInput
  }
}
