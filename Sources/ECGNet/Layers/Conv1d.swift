import ECGTensor

/// 1-D convolution, PyTorch `nn.Conv1d` semantics: input [N, Cin, L] → [N, Cout, Lout],
/// weight [Cout, Cin, K], optional bias [Cout].
public final class Conv1d: Layer, @unchecked Sendable {
  public let kind = "Conv1d"
  public var path = ""
  public var record = LayerRecord()
  /// Channels, kernel, stride, padding, dilation.
  public let geometry: Conv1DGeometry
  /// Weight [Cout, Cin, K].
  public let weight: Parameter
  /// Bias [Cout], or nil for a convolution without bias.
  public internal(set) var bias: Parameter?

  /// Creates a convolution with Kaiming-normal weights (fan-in, gain √2, as fastai's
  /// `init_cnn`) and zero bias.
  public init(_ geometry: Conv1DGeometry, bias: Bool, rng: inout SeededRNG) {
    self.geometry = geometry
    let fanIn = Float(geometry.inChannels * geometry.kernelSize)
    weight = Parameter(
      Tensor.randomNormal(
        [geometry.outChannels, geometry.inChannels, geometry.kernelSize],
        standardDeviation: (2 / fanIn).squareRoot(), using: &rng))
    self.bias = bias ? Parameter(Tensor(zeros: [geometry.outChannels])) : nil
  }

  public var parameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    Convolution1D.forward(input, weight: weight.value, bias: bias?.value, geometry: geometry)
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    if options.parameterGradients {
      let grads = Convolution1D.backwardParameters(upstream, input: input, geometry: geometry)
      weight.gradient += grads.weight
      bias?.gradient += grads.bias
    }
    return Convolution1D.backwardInput(
      upstream, weight: weight.value, inputLength: input.shape[2], geometry: geometry)
  }
}

/// Fully connected layer, PyTorch `nn.Linear`: input [N, in] → [N, out], weight [out, in].
public final class Linear: Layer, @unchecked Sendable {
  public let kind = "Linear"
  public var path = ""
  public var record = LayerRecord()
  /// Weight [out, in].
  public let weight: Parameter
  /// Bias [out], or nil.
  public internal(set) var bias: Parameter?

  /// Creates a layer with Kaiming-normal weights (fan-in, gain √2) and zero bias.
  public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, rng: inout SeededRNG) {
    weight = Parameter(
      Tensor.randomNormal(
        [outFeatures, inFeatures], standardDeviation: (2 / Float(inFeatures)).squareRoot(),
        using: &rng))
    self.bias = bias ? Parameter(Tensor(zeros: [outFeatures])) : nil
  }

  /// Input features.
  public var inFeatures: Int { weight.value.shape[1] }
  /// Output features.
  public var outFeatures: Int { weight.value.shape[0] }

  public var parameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    precondition(input.rank == 2 && input.shape[1] == inFeatures, "Linear '\(path)': input \(input.shape)")
    let n = input.shape[0]
    var output = Tensor(zeros: [n, outFeatures])
    input.withUnsafeBufferPointer { x in
      weight.value.withUnsafeBufferPointer { w in
        output.withUnsafeMutableBufferPointer { y in
          GEMM.multiply(
            transposeA: false, transposeB: true, m: n, n: outFeatures, k: inFeatures,
            a: x.baseAddress!, lda: inFeatures, b: w.baseAddress!, ldb: inFeatures,
            c: y.baseAddress!, ldc: outFeatures)
        }
      }
    }
    if let bias {
      for i in 0..<n {
        for j in 0..<outFeatures { output.scalars[i * outFeatures + j] += bias.value.scalars[j] }
      }
    }
    return output
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let input = recordedInput()
    let n = input.shape[0]
    if options.parameterGradients {
      upstream.withUnsafeBufferPointer { g in
        input.withUnsafeBufferPointer { x in
          weight.gradient.withUnsafeMutableBufferPointer { gw in
            GEMM.multiply(
              transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: n,
              a: g.baseAddress!, lda: outFeatures, b: x.baseAddress!, ldb: inFeatures,
              beta: 1, c: gw.baseAddress!, ldc: inFeatures)
          }
        }
      }
      if let bias {
        for i in 0..<n {
          for j in 0..<outFeatures { bias.gradient.scalars[j] += upstream.scalars[i * outFeatures + j] }
        }
      }
    }
    var gradInput = Tensor(zeros: [n, inFeatures])
    upstream.withUnsafeBufferPointer { g in
      weight.value.withUnsafeBufferPointer { w in
        gradInput.withUnsafeMutableBufferPointer { gx in
          GEMM.multiply(
            transposeA: false, transposeB: false, m: n, n: inFeatures, k: outFeatures,
            a: g.baseAddress!, lda: outFeatures, b: w.baseAddress!, ldb: inFeatures,
            c: gx.baseAddress!, ldc: inFeatures)
        }
      }
    }
    return gradInput
  }
}
