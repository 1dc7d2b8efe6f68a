import ECGTensor
import Testing

/// The im2col + GEMM convolution equals a direct loop for stride/padding/dilation combinations.
@Suite struct ConvolutionTests {
  static func direct(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: Conv1DGeometry) -> Tensor {
    let (n, l) = (x.shape[0], x.shape[2])
    let lo = g.outputLength(inputLength: l)
    var y = Tensor(zeros: [n, g.outChannels, lo])
    for s in 0..<n {
      for o in 0..<g.outChannels {
        for t in 0..<lo {
          var sum = Double(b.scalars[o])
          for c in 0..<g.inChannels {
            for j in 0..<g.kernelSize {
              let p = t * g.stride - g.padding + j * g.dilation
              if p >= 0 && p < l { sum += Double(x[s, c, p]) * Double(w[o, c, j]) }
            }
          }
          y[s, o, t] = Float(sum)
        }
      }
    }
    return y
  }

  @Test(arguments: [(1, 0, 1, 5), (2, 2, 1, 5), (1, 3, 2, 7), (3, 0, 1, 3), (1, 0, 1, 1), (2, 0, 1, 1)])
  func forwardEqualsDirectLoop(stride: Int, padding: Int, dilation: Int, kernel: Int) {
    var rng = SeededRNG(seed: 11)
    let g = Conv1DGeometry(inChannels: 5, outChannels: 7, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation)
    let x = Tensor.randomNormal([3, 5, 41], using: &rng)
    let w = Tensor.randomNormal([7, 5, kernel], using: &rng)
    let b = Tensor.randomNormal([7], using: &rng)
    let y = Convolution1D.forward(x, weight: w, bias: b, geometry: g)
    let expected = Self.direct(x, w, b, g)
    #expect(y.shape == expected.shape)
    for i in 0..<y.count { #expect(abs(y.scalars[i] - expected.scalars[i]) < 1e-4) }
  }

  @Test func outputLengthFollowsPyTorch() {
    // PyTorch: Conv1d(12, 32, 5, stride=2) on 1000 samples → 498; padding 2 → 500.
    #expect(Conv1DGeometry(inChannels: 12, outChannels: 32, kernelSize: 5, stride: 2).outputLength(inputLength: 1000) == 498)
    #expect(Conv1DGeometry(inChannels: 12, outChannels: 32, kernelSize: 5, stride: 2, padding: 2).outputLength(inputLength: 1000) == 500)
    #expect(Conv1DGeometry(inChannels: 1, outChannels: 1, kernelSize: 9).outputLength(inputLength: 5) == 0)
  }
}
