import ECGNet
import ECGTensor
import Foundation
import Testing

/// Forward logits and input gradients equal PyTorch's (tools/reference/torch_models.py) on the
/// same weights and inputs, BN in eval mode with non-trivial running statistics.
@Suite struct PyTorchAgreementTests {
  /// Both the fused inference path (BN folded into convolutions, no hooks) and the layer-by-layer
  /// path (forced by a no-op hook, as LRP/TCAV/GradCAM run) must match.
  @Test(arguments: ["lenet1d", "xresnet1d50"], [true, false])
  func forwardAndInputGradientMatchPyTorch(arch: String, fused: Bool) throws {
    let model = try ModelZoo.make(arch, classes: 5)
    try model.loadWeights(from: Fixtures.url("\(arch).safetensors"))
    let io = try Fixtures.tensors("\(arch)_io.safetensors")
    let x = try #require(io["x"])
    var hooks = PassHooks()
    if !fused { hooks.forwardOutput = { _, _, _ in nil } }
    let logits = model.forward(x, hooks: hooks)
    let forwardError = relativeError(logits, try #require(io["logits"]))
    #expect(forwardError <= 1e-4, "forward relative error \(forwardError)")
    let gradient = model.inputGradient(x, target: 1, hooks: hooks)
    let reference = try #require(io["grad_target1"])
    let gradientError = relativeError(gradient, reference)
    print("pytorch agreement \(arch) \(fused ? "fused" : "layer-by-layer"): forward \(forwardError), input gradient \(gradientError)")
    if fused && GEMM.kernelInstructionSet != "baseline" {
      #expect(gradientError <= 1e-4, "input-gradient relative error \(gradientError)")
    } else {
      // Layer by layer, BN is applied after the convolution as in PyTorch, but its rounding
      // differs from PyTorch's by an ulp; where a pre-activation lies within rounding of 0 a ReLU
      // gate flips and the input gradient differs over that unit's receptive field (xresnet1d50:
      // one unit, ~300 of 24,000 inputs). Everything else must agree to 1e-4. The same holds for
      // the fused path on baseline x86-64 (ECGXAI_ISA=baseline: no FMA, so every product is
      // rounded separately; xresnet1d50's relative error there is 8.9e-4 from one such flip).
      let scale = reference.scalars.map(abs).max() ?? 1
      let close = zip(gradient.scalars, reference.scalars).filter { abs($0 - $1) <= 1e-4 * scale }.count
      #expect(Double(close) / Double(reference.count) >= 0.98, "only \(close) of \(reference.count) within 1e-4")
      #expect(gradientError <= 1e-2, "input-gradient relative error \(gradientError)")
    }
  }

  @Test(arguments: ["lenet1d", "xresnet1d18", "xresnet1d34", "xresnet1d50", "xresnet1d101"])
  func parameterCountEqualsPyTorch(arch: String) throws {
    let model = try ModelZoo.make(arch, classes: 5)
    let text = try String(contentsOf: Fixtures.url("\(arch)_params.txt"), encoding: .utf8)
    let expected = try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(model.parameterCount == expected)
  }

  /// A model saved by ecgxai loads back identically, and a mismatched architecture is refused
  /// with an error naming the tensor.
  @Test func saveLoadRoundTripAndMismatchErrors() throws {
    let model = try ModelZoo.make("lenet1d", classes: 5, seed: 3)
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("ecgxai-weights-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try model.save(to: directory)
    let loaded = try Model.load(from: directory)
    var rng = SeededRNG(seed: 9)
    let x = Tensor.randomNormal([2, 12, 300], using: &rng)
    #expect(loaded.forward(x) == model.forward(x))

    let wrongClasses = try ModelZoo.make("lenet1d", classes: 7)
    #expect(throws: WeightsError.self) {
      try wrongClasses.loadWeights(from: directory.appendingPathComponent("weights.safetensors"))
    }
    let wrongArch = try ModelZoo.make("xresnet1d50", classes: 5)
    do {
      try wrongArch.loadWeights(from: directory.appendingPathComponent("weights.safetensors"))
      Issue.record("loading lenet weights into xresnet must fail")
    } catch let error as WeightsError {
      #expect(error.description.contains("features.0.0.weight"))
    }
  }

  @Test func truncatedFileIsAClearError() throws {
    let data = try Data(contentsOf: Fixtures.url("lenet1d.safetensors"))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trunc-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try data.prefix(data.count / 2).write(to: url)
    let model = try ModelZoo.make("lenet1d", classes: 5)
    #expect(throws: WeightsError.self) { try model.loadWeights(from: url) }
  }
}
