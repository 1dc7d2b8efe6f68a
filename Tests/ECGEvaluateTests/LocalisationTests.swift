import ECGEvaluate
import Foundation
import Testing

/// Localisation scores equal Quantus' on the same attributions and masks
/// (tools/reference/localisation_fixtures.py), signed and absolute.
@Suite struct LocalisationTests {
  struct Fixture: Decodable {
    var attributions: [[Float]]
    var masks: [[Float]]
    var k: Int
    var signed: [String: [Double]]
    var abs: [String: [Double]]
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/ECGEvaluate/localisation.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  @Test(arguments: [false, true])
  func equalsQuantus(absolute: Bool) throws {
    let f = Self.fixture
    let expected = absolute ? f.abs : f.signed
    for (r, (a, m)) in zip(f.attributions, f.masks).enumerated() {
      let ours: [String: Double?] = [
        "relevance_mass_accuracy": Localisation.relevanceMassAccuracy(a, mask: m, absolute: absolute),
        "relevance_rank_accuracy": Localisation.relevanceRankAccuracy(a, mask: m, absolute: absolute),
        "pointing_game": Localisation.pointingGame(a, mask: m, absolute: absolute),
        "auc": Localisation.auc(a, mask: m, absolute: absolute),
        "top_k_intersection": Localisation.topKIntersection(a, mask: m, k: f.k, absolute: absolute),
      ]
      for (name, value) in ours {
        let theirs = try #require(expected[name])[r]
        let v = try #require(value)
        #expect(abs(v - theirs) <= 1e-5 * max(1, abs(theirs)), "\(name) record \(r): ecgxai \(v), Quantus \(theirs)")
      }
    }
  }

  @Test func emptyMaskGivesNoScore() {
    let a: [Float] = [1, 2, 3], empty: [Float] = [0, 0, 0]
    #expect(Localisation.relevanceMassAccuracy(a, mask: empty) == nil)
    #expect(Localisation.pointingGame(a, mask: empty) == nil)
    #expect(Localisation.topKIntersection(a, mask: empty, k: 2) == nil)
    #expect(Localisation.auc(a, mask: [1, 0, 0]) == 0)
    #expect(Localisation.auc(a, mask: [0, 0, 1]) == 1)
  }
}
