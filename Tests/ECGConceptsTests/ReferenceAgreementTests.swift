import ECGConcepts
import ECGNet
import ECGTensor
import Foundation
import Testing

/// TCAV scores equal Captum's and CAV accuracies scikit-learn's on lenet1d weights
/// (tools/reference/tcav_fixtures.py → Tests/Fixtures/ECGConcepts/tcav.json).
@Suite struct ReferenceAgreementTests {
  struct Fixture: Decodable {
    struct Layer: Decodable {
      struct Scores: Decodable { var sign_count: [Double]; var magnitude: [Double] }
      struct SKLearn: Decodable { var accuracy: Double; var coef: [Double]; var train_accuracy: Double }
      var name: String
      var features: Int
      var captum: Scores
      var fastcav: [Float]
      var sklearn: SKLearn
    }
    var target: Int
    var length: Int
    var layers: [Layer]
  }

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
  static let fixture = try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtures.appendingPathComponent("ECGConcepts/tcav.json")))

  /// The fixture's records, by the same integer-hash formula as the reference script.
  static func record(_ n: Int, concept: Bool, length: Int) -> [Float] {
    var x = [Float](repeating: 0, count: 12 * length)
    for lead in 0..<12 {
      let f = 1 + Double((7 * n + 3 * lead) % 11) / 2
      let phase = 0.4 * Double((5 * n + lead) % 13)
      for t in 0..<length {
        let h = UInt64((n * 73_856_093) ^ (lead * 19_349_663) ^ (t * 83_492_791)) % 4_294_967_296
        var v = 0.5 * sin(2 * Double.pi * f * Double(t) / 100 + phase) + 0.3 * (Double(h) / 4_294_967_296.0 - 0.5)
        if concept && (lead + n) % 3 == 0 { v += 0.6 * Double(n % 5) * exp(-pow((Double(t) - 125) / 8.0, 2)) }
        x[lead * length + t] = Float(v)
      }
    }
    return x
  }

  static func batch(_ ids: Range<Int>, concept: Bool) -> Tensor {
    let length = fixture.length
    return Tensor(shape: [ids.count, 12, length], scalars: ids.flatMap { record($0, concept: concept, length: length) })
  }

  static func model() throws -> Model {
    let model = try ModelZoo.make("lenet1d", classes: 5)
    try model.loadWeights(from: fixtures.appendingPathComponent("ECGNet/lenet1d.safetensors"))
    return model
  }

  @Test func signCountAndMagnitudeEqualCaptum() throws {
    let model = try Self.model()
    let layers = Self.fixture.layers.map(\.name)
    let concepts = LayerProbe.activations(model, input: Self.batch(0..<30, concept: true), layers: layers)
    let randoms = LayerProbe.activations(model, input: Self.batch(100..<130, concept: false), layers: layers)
    let gradients = LayerProbe.gradients(model, input: Self.batch(1000..<1010, concept: false), target: Self.fixture.target, layers: layers)
    for (i, layer) in Self.fixture.layers.enumerated() {
      // FastCAV on all 60 records equals the reference's mean difference (so the activations agree).
      let stacked = Tensor(shape: [60, layer.features], scalars: concepts[i].scalars + randoms[i].scalars)
      let cav = CAVTrainer(classifier: .fastCAV).fit(stacked, positives: Array(0..<30), negatives: Array(30..<60), train: Array(0..<60), test: [])
      let reference = layer.fastcav
      let referenceNorm = reference.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
      #expect(abs(cav.weightNorm - referenceNorm) <= 1e-4 * referenceNorm, "\(layer.name): ‖w‖ \(cav.weightNorm) vs \(referenceNorm)")
      let cosine = zip(cav.direction, reference).reduce(0) { $0 + Double($1.0) * Double($1.1) } / referenceNorm
      #expect(cosine > 1 - 1e-6, "\(layer.name): FastCAV direction cosine \(cosine)")
      // Captum's scores from the same CAV vectors (the reference's w for the concept, −w for random).
      let cavs = Tensor(shape: [2, layer.features], scalars: reference + reference.map { -$0 })
      let scores = TCAVScore.scores(gradients: gradients[i], cavs: cavs)
      print("TCAV \(layer.name): sign_count \(scores.map(\.signCount)) magnitude \(scores.map(\.magnitude)) (Captum \(layer.captum.sign_count) \(layer.captum.magnitude))")
      for k in 0..<2 {
        #expect(abs(scores[k].signCount - layer.captum.sign_count[k]) <= 1e-6, "\(layer.name) sign_count \(scores[k].signCount) vs Captum \(layer.captum.sign_count[k])")
        let m = layer.captum.magnitude[k]
        #expect(abs(scores[k].magnitude - m) <= 1e-6 + 1e-4 * abs(m), "\(layer.name) magnitude \(scores[k].magnitude) vs Captum \(m)")
      }
    }
  }

  @Test func logisticCAVMatchesScikitLearn() throws {
    let model = try Self.model()
    let layers = Self.fixture.layers.map(\.name)
    let concepts = LayerProbe.activations(model, input: Self.batch(0..<30, concept: true), layers: layers)
    let randoms = LayerProbe.activations(model, input: Self.batch(100..<130, concept: false), layers: layers)
    for (i, layer) in Self.fixture.layers.enumerated() {
      let stacked = Tensor(shape: [60, layer.features], scalars: concepts[i].scalars + randoms[i].scalars)
      // The reference's split: every third record (of the 60, concept examples first) is held out.
      let test = (0..<60).filter { $0 % 3 == 0 }, train = (0..<60).filter { $0 % 3 != 0 }
      let cav = CAVTrainer(classifier: .logistic).fit(stacked, positives: Array(0..<30), negatives: Array(30..<60), train: train, test: test)
      #expect(abs(cav.accuracy - layer.sklearn.accuracy) <= 0.02, "\(layer.name): hold-out accuracy \(cav.accuracy) vs scikit-learn \(layer.sklearn.accuracy)")
      let cosine = zip(cav.direction, layer.sklearn.coef).reduce(0) { $0 + Double($1.0) * $1.1 }
      print("CAV \(layer.name): accuracy \(cav.accuracy) (scikit-learn \(layer.sklearn.accuracy)), direction cosine \(cosine)")
      #expect(cosine > 0.999, "\(layer.name): direction cosine with scikit-learn's coefficients \(cosine)")
    }
  }
}
