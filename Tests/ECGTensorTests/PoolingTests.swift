import Testing
@testable import ECGTensor

/// The pooling kernels against plain loops written from PyTorch's definitions: every window
/// position at the padded ends, odd lengths, ceil-mode tails, and NaN propagation.
@Suite struct PoolingTests {
  @Test(arguments: [(3, 2, 1), (2, 2, 0), (5, 1, 2), (4, 3, 0)])
  func maxPoolingMatchesItsDefinition(kernel: Int, stride: Int, padding: Int) {
    var rng = SeededRNG(seed: 11)
    for length in [1 + kernel, 17, 250] {
      var input = Tensor.randomNormal([2, 3, length], using: &rng)
      input.scalars[5] = .nan
      let outLength = (length + 2 * padding - kernel) / stride + 1
      let (output, indices) = input.maxPooled(kernelSize: kernel, stride: stride, padding: padding, outLength: outLength)
      for row in 0..<6 {
        for t in 0..<outLength {
          let window = max(t * stride - padding, 0)..<min(t * stride - padding + kernel, length)
          let values = window.map { input.scalars[row * length + $0] }
          let got = output.scalars[row * outLength + t]
          if let nanAt = window.last(where: { input.scalars[row * length + $0].isNaN }) {
            #expect(got.isNaN && Int(indices[row * outLength + t]) == nanAt)
          } else {
            let best = values.max()!
            #expect(got == best)
            #expect(Int(indices[row * outLength + t]) == window.first { input.scalars[row * length + $0] == best })
          }
        }
      }
    }
  }

  @Test(arguments: [(2, 2), (3, 2), (2, 1)])
  func averagePoolingMatchesItsDefinitionBitForBit(kernel: Int, stride: Int) {
    var rng = SeededRNG(seed: 12)
    for length in [2, 7, 250, 251] {
      let input = Tensor.randomNormal([2, 2, length], using: &rng)
      let outLength = (length - kernel + stride - 1) / stride + 1  // ceil mode: a cut last window
      let output = input.averagePooled(kernelSize: kernel, stride: stride, outLength: outLength)
      for row in 0..<4 {
        for t in 0..<outLength {
          let window = (t * stride)..<min(t * stride + kernel, length)
          var sum: Float = 0
          for j in window { sum += input.scalars[row * length + j] }
          #expect(output.scalars[row * outLength + t] == sum / Float(window.count))
        }
      }
    }
  }
}
