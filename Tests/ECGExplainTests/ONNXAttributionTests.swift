import ECGExplain
import ECGNet
import ECGTensor
import Foundation

import Testing

/// Attributions on imported ONNX models equal Captum's and Zennit's on the original PyTorch
/// modules (tools/reference/onnx_fixtures.py), and an imported xresnet1d50 gives the relevance of
/// the native one with the same weights.
@Suite struct ONNXAttributionTests {
  static let directory = ReferenceAgreementTests.fixtures.appendingPathComponent("ECGNet/onnx")

  static func load(_ name: String) throws -> (Model, [String: Tensor]) {
    let model = try ONNXImporter.load(directory.appendingPathComponent("\(name).onnx"))
    let entries = try SafeTensors.read(directory.appendingPathComponent("\(name)_ref.safetensors"))
    return (model, entries.compactMapValues { if case .float(let t) = $0 { return t } else { return nil } })
  }

  static let methods: [(String, any AttributionMethod)] = [
    ("captum_saliency", Saliency(absolute: true)),
    ("zennit_gradient", Saliency(absolute: false)),
    ("captum_ixg", GradientTimesInput()),
    ("zennit_epsilon", LRP(composite: .epsilon())),
  ]

  /// lenet1d agrees everywhere to 1e-4 (relative to the largest magnitude), xresnet1d50 under
  /// the criteria of ReferenceAgreementTests (near-tied maxima). The foreign network's gradients
  /// agree everywhere; its ε-LRP divides by pre-activations z + ε·sign(z) with ε = 1e-3, and where
  /// z is within rounding of 0 float rounding is amplified: ≥ 99 % of elements within 1e-4, all
  /// within 1e-2.
  @Test(arguments: ["lenet1d", "foreign", "xresnet1d50"])
  func matchesCaptumAndZennitOnTheOriginal(name: String) throws {
    let (model, reference) = try Self.load(name)
    let x = try #require(reference["x"])
    for (key, method) in Self.methods {
      let result = try method.attribute(model, input: x, targets: [1, 3])
      let expected = try #require(reference[key])
      if name == "foreign" && key == "zennit_epsilon" {
        let e = ReferenceAgreementTests.error(result.values, expected)
        let share = ReferenceAgreementTests.shareWithin(result.values, expected)
        print("agreement onnx foreign zennit_epsilon: max relative error \(e), share within 1e-4 \(share)")
        #expect(share >= 0.99 && e <= 1e-2, "foreign zennit_epsilon: \(share) within 1e-4, max \(e)")
      } else {
        print("onnx import of \(name):")
        ReferenceAgreementTests.check(name == "foreign" ? "lenet1d" : name, key, result.values, expected)
      }
    }
  }

  @Test func importedXResNetRelevanceEqualsNative() throws {
    let (imported, reference) = try Self.load("xresnet1d50")
    let native = try ModelZoo.make("xresnet1d50", classes: 5)
    try native.loadWeights(from: ReferenceAgreementTests.fixtures.appendingPathComponent("ECGNet/xresnet1d50.safetensors"))
    let x = try #require(reference["x"])
    for (key, method) in Self.methods + [("lrp-proportional", LRP(composite: .epsilon(), residual: .proportional))] {
      let a = try method.attribute(imported, input: x, targets: [1, 3]).values
      let b = try method.attribute(native, input: x, targets: [1, 3]).values
      ReferenceAgreementTests.check("xresnet1d50", "onnx-vs-native \(key)", a, b)
    }
  }

  /// GradCAM and guided GradCAM at a named module of the imported model equal Captum's on the
  /// original (attribution_fixtures.py: lenet1d `sequential.9`, xresnet1d50 `features.6`). torch
  /// folds lenet's BatchNorm `sequential.9` into the convolution `sequential.8`, whose output is
  /// then the BatchNorm's.
  @Test(arguments: [("lenet1d", "sequential.8"), ("xresnet1d50", "features.6")])
  func gradCAMAtModulePathsMatchesCaptum(name: String, layer: String) throws {
    let (model, reference) = try Self.load(name)
    let captum = try SafeTensors.read(ReferenceAgreementTests.fixtures.appendingPathComponent("ECGExplain/\(name).safetensors"))
      .compactMapValues { if case .float(let t) = $0 { return t } else { return nil } }
    let x = try #require(reference["x"])
    #expect(x == captum["x"])
    for (key, guided) in [("captum_gradcam", false), ("captum_guided_gradcam", true)] {
      let result = try GradCAM(layer: layer, guided: guided).attribute(model, input: x, targets: [1, 3])
      print("onnx import of \(name), GradCAM at \(layer):")
      ReferenceAgreementTests.check(name, key, result.values, try #require(captum[key]))
    }
  }

  /// Unfused BatchNorms of an imported graph are merged for LRP and restored afterwards.
  @Test func canonizerMergesAndRestoresGraphBatchNorms() throws {
    let (model, reference) = try Self.load("foreign")
    let x = try #require(reference["x"])
    let before = model.forward(x)
    let merge = BatchNormMerge(model)
    let merged = model.forward(x)
    merge.restore()
    #expect(ReferenceAgreementTests.error(merged, before) <= 1e-4)
    #expect(model.forward(x) == before)
    let bn = try #require(model.layer(named: "block1.convs.1") as? BatchNorm1d)
    let saved = bn.runningMean.value
    let merge2 = BatchNormMerge(model)
    #expect(bn.runningMean.value.scalars.allSatisfy { $0 == 0 })
    merge2.restore()
    #expect(bn.runningMean.value == saved)
  }
}
