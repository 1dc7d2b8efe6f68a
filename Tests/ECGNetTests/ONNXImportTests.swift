import ECGNet
import ECGTensor
import Foundation
import Testing

/// ONNX import (tools/reference/onnx_fixtures.py): ecgxai's forward on imported models equals
/// onnxruntime's; errors name the file, node and operator; damaged files never stop the process.
@Suite struct ONNXImportTests {
  static func fixture(_ name: String) -> URL { Fixtures.url("onnx/\(name)") }

  static func reference(_ name: String) throws -> [String: Tensor] { try Fixtures.tensors("onnx/\(name)_ref.safetensors") }

  @Test(arguments: ["lenet1d", "xresnet1d50", "foreign", "foreign_opset11", "ops", "ops_opset21"])
  func forwardEqualsOnnxRuntime(name: String) throws {
    let model = try ONNXImporter.load(Self.fixture("\(name).onnx"))
    let reference = try Self.reference(name)
    let x = try #require(reference["x"])
    let expected = try #require(reference["ort"])
    let y = model.forward(x)
    #expect(y.shape == expected.shape)
    let error = relativeError(y, expected)
    print("onnx forward \(name): relative error \(error) against onnxruntime")
    #expect(error <= 1e-4, "\(name): \(error)")
    // Batches of one give the same rows.
    let single = model.forward(x.slice(1..<2))
    #expect(relativeError(single, y.slice(1..<2)) <= 1e-5)
  }

  /// ONNX requires topologically sorted nodes; files that break the rule are reordered.
  @Test func unsortedNodesAreSorted() throws {
    let model = try ONNXImporter.load(Self.fixture("ops_unsorted.onnx"))
    let reference = try Self.reference("ops")
    let y = model.forward(try #require(reference["x"]))
    #expect(relativeError(y, try #require(reference["ort"])) <= 1e-4)
  }

  @Test func importedXResNetEqualsNative() throws {
    let imported = try ONNXImporter.load(Self.fixture("xresnet1d50.onnx"))
    let native = try ModelZoo.make("xresnet1d50", classes: 5)
    try native.loadWeights(from: Fixtures.url("xresnet1d50.safetensors"))
    let x = try #require(try Self.reference("xresnet1d50")["x"])
    let error = relativeError(imported.forward(x), native.forward(x))
    #expect(error <= 1e-4, "\(error)")
    // The fixture input has no near-tied max-pooling window and no ReLU input within rounding of 0
    // (onnx_fixtures.py), so the gradient meets ReferenceAgreementTests' criterion element by element:
    // |Δ| ≤ 1e-4 · |native| + 1e-5 · max |native|.
    let (a, b) = (imported.inputGradient(x, target: 1), native.inputGradient(x, target: 1))
    let gradientError = relativeError(a, b)
    let scale = b.scalars.map(abs).max() ?? 0
    let missing = zip(a.scalars, b.scalars).filter { abs($0 - $1) > 1e-4 * abs($1) + 1e-5 * scale }.count
    print("onnx xresnet1d50 imported vs native: forward \(error), input gradient \(gradientError), elements missing the criterion \(missing)")
    #expect(missing == 0 && gradientError <= 1e-5, "input gradient: \(gradientError), \(missing) elements")
  }

  @Test func layersCarryModulePaths() throws {
    let model = try ONNXImporter.load(Self.fixture("xresnet1d50.onnx"))
    let names = Set(model.layerNames)
    for expected in ["features.0", "features.3", "features.4.0", "features.7", "features.7.2.act", "features.8", "l1", "bn"] {
      #expect(names.contains(expected), "\(expected) missing from \(model.layerNames.prefix(30))")
    }
    #expect(model.layer(named: "features.3") is MaxPool1d)
    #expect(model.layer(named: "l1") is Linear)
    #expect(model.architecture.name == "xresnet1d50.onnx")
    #expect(model.architecture.inputChannels == 12 && model.architecture.classes == 5)
    let graph = try #require(model.root as? LayerGraph)
    #expect(graph.lastFeatureLayer(forInput: [1, 12, 1000]) == "features.7")
    let foreign = try ONNXImporter.load(Self.fixture("foreign.onnx"))
    #expect(foreign.architecture.classNames == ["NORM", "MI", "STTC", "CD", "HYP"])
    #expect(foreign.layer(named: "block1.convs.1") is BatchNorm1d)
    #expect(foreign.layer(named: "branches.b.0") is Pad1d)
  }

  @Test func hooksReadModuleOutputs() throws {
    let model = try ONNXImporter.load(Self.fixture("lenet1d.onnx"))
    let native = try ModelZoo.make("lenet1d", classes: 5)
    try native.loadWeights(from: Fixtures.url("lenet1d.safetensors"))
    let x = try #require(try Self.reference("lenet1d")["x"])
    nonisolated(unsafe) var captured: [String: Tensor] = [:]
    var hooks = PassHooks()
    hooks.forwardOutput = { path, _, output in
      if path == "sequential.10" || path == "sequential.14" { captured[path] = output }
      return nil
    }
    _ = model.forward(x, hooks: hooks)
    let imported = captured
    captured = [:]
    _ = native.forward(x, hooks: hooks)
    for key in ["sequential.10", "sequential.14"] {
      let a = try #require(imported[key], "\(key) not reached in the imported model")
      let b = try #require(captured[key])
      #expect(a.shape == b.shape && relativeError(a, b) <= 1e-4, "\(key)")
    }
  }

  @Test func unsupportedOperatorNamesNodeOpAndFile() throws {
    let url = Self.fixture("unsupported.onnx")
    #expect {
      _ = try ONNXImporter.load(url)
    } throws: { error in
      guard let e = error as? ONNXError, case .unsupportedOperator(let path, let node, let op, _) = e else { return false }
      let text = e.description
      return path == url.path && node == "/branches/b/b.3/Tanh" && op == "LpNormalization"
        && text.contains("LpNormalization") && text.contains("/branches/b/b.3/Tanh") && text.contains(url.path)
        && text.contains("Conv") && text.contains("BatchNormalization")
    }
  }

  @Test func corruptAndTruncatedFilesAreClearErrors() throws {
    let data = try Data(contentsOf: Self.fixture("foreign.onnx"))
    for cut in [0, 1, 17, data.count / 3, data.count - 1] {
      #expect(throws: ONNXError.self) { _ = try ONNXImporter.load(data: data.prefix(cut), path: "cut.onnx") }
    }
    #expect(throws: ONNXError.self) { _ = try ONNXImporter.load(data: Data("not a model at all".utf8), path: "text.onnx") }
    #expect(throws: ONNXError.self) { _ = try ONNXImporter.load(URL(fileURLWithPath: "/nonexistent/m.onnx")) }
  }

  /// 200 damaged files per run (every kind; the 10,000-file run is `ecgxai bench onnx-fuzz`):
  /// each imports and runs, or throws an ONNXError. A trap would end the test process.
  @Test func damagedFilesNeverTrap() throws {
    let base = try Data(contentsOf: Self.fixture("foreign.onnx"))
    let mutator = ONNXMutator(base)
    var rng = SeededRNG(seed: 12)
    var outcomes: [String: Int] = [:]
    let x = Tensor.randomNormal([1, 12, 1000], standardDeviation: 1, using: &rng)
    for i in 0..<200 {
      let kind = ONNXMutator.Kind.allCases[i % ONNXMutator.Kind.allCases.count]
      let data = mutator.mutate(kind, rng: &rng)
      do {
        let model = try ONNXImporter.load(data: data, path: "mutant-\(i).onnx")
        if model.architecture.inputChannels == 12, model.inputShapeProblem(x.shape) == nil {
          _ = model.forward(x)
          _ = model.inputGradient(x, target: 0)
          outcomes["runs", default: 0] += 1
        } else {
          outcomes["loads, refuses the input", default: 0] += 1
        }
      } catch let error as ONNXError {
        #expect(!error.description.isEmpty)
        outcomes[error.kind, default: 0] += 1
      }
    }
    print("onnx fuzz (200): \(outcomes.sorted { $0.key < $1.key })")
    #expect(outcomes.values.reduce(0, +) == 200)
    #expect(outcomes["runs", default: 0] > 0 && outcomes.count >= 3)
  }
}
