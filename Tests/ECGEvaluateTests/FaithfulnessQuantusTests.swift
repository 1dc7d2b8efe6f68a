import ECGEvaluate
import ECGNet
import ECGTensor
import Foundation
import Testing

/// Deletion and insertion curves over lead windows and faithfulness correlation equal Quantus's
/// RegionPerturbation and FaithfulnessCorrelation on the lenet1d fixture weights, the same
/// attributions, subsets and baselines (tools/reference/sanity_fixtures.py). The window order is
/// identical; the curves are differences of logits, and Quantus runs the model in float64 while
/// ecgxai runs it in float32: ecgxai's forward itself differs from the float64 logits (|logit| ≤ 6)
/// by up to ~5e-6, so the curves are held to 1e-5 in logit units and the correlations (ratios of
/// such differences) to 1e-6.
@Suite struct FaithfulnessQuantusTests {
  struct Fixture: Decodable {
    var shape: [Int]
    var window: Int
    var targets: [Int]
    var x: [[Float]]
    var attribution: [[Float]]
    var subsets: [[[Int]]]
    var order: [[Int]]
    var logits: [[Double]]
    var curves: [String: [[Double]]]
    var correlations: [String: [Double]]

    enum CodingKeys: String, CodingKey { case shape, window, targets, x, attribution, subsets, order, logits }
    struct AnyKey: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }
    init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      shape = try c.decode([Int].self, forKey: .shape)
      window = try c.decode(Int.self, forKey: .window)
      targets = try c.decode([Int].self, forKey: .targets)
      x = try c.decode([[Float]].self, forKey: .x)
      attribution = try c.decode([[Float]].self, forKey: .attribution)
      subsets = try c.decode([[[Int]]].self, forKey: .subsets)
      order = try c.decode([[Int]].self, forKey: .order)
      logits = try c.decode([[Double]].self, forKey: .logits)
      let all = try decoder.container(keyedBy: AnyKey.self)
      curves = [:]
      correlations = [:]
      for key in all.allKeys {
        if key.stringValue.hasPrefix("deletion_") || key.stringValue.hasPrefix("insertion_") {
          curves[key.stringValue] = try all.decode([[Double]].self, forKey: key)
        } else if key.stringValue.hasPrefix("correlation_") {
          correlations[String(key.stringValue.dropFirst("correlation_".count))] = try all.decode([Double].self, forKey: key)
        }
      }
    }
  }

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
  static let fixture: Fixture = {
    try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: root.appendingPathComponent("ECGEvaluate/faithfulness.json")))
  }()

  static func setUp() throws -> (Model, Tensor, Tensor) {
    let f = fixture
    let model = try ModelZoo.make("lenet1d", classes: 5)
    try model.loadWeights(from: root.appendingPathComponent("ECGNet/lenet1d.safetensors"))
    let shape = [f.x.count] + f.shape
    return (model, Tensor(shape: shape, scalars: f.x.flatMap { $0 }), Tensor(shape: shape, scalars: f.attribution.flatMap { $0 }))
  }

  @Test(arguments: Faithfulness.Baseline.allCases, Faithfulness.Direction.allCases)
  func curvesEqualQuantusRegionPerturbation(baseline: Faithfulness.Baseline, direction: Faithfulness.Direction) throws {
    let f = Self.fixture
    let (model, x, a) = try Self.setUp()
    let expected = try #require(f.curves["\(direction.rawValue)_\(baseline.rawValue)"])
    let windows = expected[0].count
    let curve = Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, window: f.window,
                                         baseline: baseline, direction: direction, windowsPerStep: 1, steps: windows)
    #expect(curve.windows == Array(1...windows))
    for r in expected.indices {
      for s in expected[r].indices {
        #expect(abs(curve.change[r][s] - expected[r][s]) <= 1e-5, "\(direction) \(baseline) record \(r) step \(s): \(curve.change[r][s]) vs \(expected[r][s])")
      }
    }
    // Several windows per step read the same curve at every third window.
    let coarse = Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, window: f.window,
                                          baseline: baseline, direction: direction, windowsPerStep: 3, steps: 100)
    #expect(coarse.windows == Array(stride(from: 3, through: windows, by: 3)))
    for r in expected.indices {
      for (s, w) in coarse.windows.enumerated() { #expect(abs(coarse.change[r][s] - expected[r][w - 1]) <= 1e-5) }
    }
  }

  @Test func windowOrderAndForwardAgree() throws {
    let f = Self.fixture
    let (model, x, a) = try Self.setUp()
    let size = f.shape[0] * f.shape[1]
    for r in f.order.indices {
      #expect(Faithfulness.windowOrder(a.scalars[(r * size)..<((r + 1) * size)], leads: f.shape[0], window: f.window) == f.order[r])
    }
    let logits = model.forward(x)
    var worst = 0.0
    for r in f.logits.indices { for c in f.logits[r].indices { worst = max(worst, abs(Double(logits[r, c]) - f.logits[r][c])) } }
    #expect(worst < 1e-5, "float32 forward vs float64 logits: \(worst)")
  }

  @Test(arguments: Faithfulness.Baseline.allCases)
  func correlationEqualsQuantus(baseline: Faithfulness.Baseline) throws {
    let f = Self.fixture
    let (model, x, a) = try Self.setUp()
    let expected = try #require(f.correlations[baseline.rawValue])
    let ours = FaithfulnessCorrelation.scores(model, input: x, attribution: a, targets: f.targets, subsets: f.subsets, baseline: baseline)
    for r in expected.indices {
      #expect(abs(ours[r] - expected[r]) <= 1e-6, "record \(r): ecgxai \(ours[r]), Quantus \(expected[r])")
    }
  }

  @Test func randomOrdersAndSubsetsAreSeeded() throws {
    let f = Self.fixture
    let (model, x, a) = try Self.setUp()
    let one = Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, randomSeed: 4)
    #expect(one == Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, randomSeed: 4))
    #expect(one != Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, randomSeed: 5))
    let s = FaithfulnessCorrelation.subsets(records: 2, runs: 3, size: 10, features: 40, seed: 1)
    #expect(s == FaithfulnessCorrelation.subsets(records: 2, runs: 3, size: 10, features: 40, seed: 1))
    #expect(s.allSatisfy { $0.allSatisfy { Set($0).count == 10 && $0.allSatisfy { (0..<40).contains($0) } } })
    // Deleting every window ends at the baseline's output; inserting every window at the record's.
    let all = 12 * ((f.shape[1] + 15) / 16)
    let deletion = Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, window: 16, windowsPerStep: all, steps: 1)
    let insertion = Faithfulness.windowCurve(model, input: x, attribution: a, targets: f.targets, window: 16, direction: .insertion,
                                             windowsPerStep: all, steps: 1)
    for r in 0..<3 { #expect(abs(deletion.change[r][0] - insertion.change[r][0]) < 1e-6) }
  }
}
