@testable import ECGAudit
import ECGStatistics
import Foundation
import Testing

/// Mann-Whitney U and Holm equal SciPy's `mannwhitneyu` (defaults) and statsmodels'
/// `multipletests(method='holm')` (tools/reference/audit_fixtures.py).
@Suite struct StatisticsTests {
  struct Fixture: Decodable {
    struct Case: Decodable { var name: String; var x: [Double]; var y: [Double]; var u: Double; var p: Double }
    struct Holm: Decodable { var p: [Double]; var adjusted: [Double] }
    var mannwhitneyu: [Case]
    var holm: Holm
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/ECGAudit/statistics.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  @Test func mannWhitneyEqualsSciPy() throws {
    var branches = Set<Bool>()
    for c in Self.fixture.mannwhitneyu {
      let test = try #require(MannWhitneyU(c.x, c.y))
      branches.insert(test.exact)
      #expect(test.u == c.u, "\(c.name): U \(test.u) vs SciPy \(c.u)")
      #expect(abs(test.p - c.p) <= 1e-9 * max(c.p, 1e-300) + 1e-15, "\(c.name): p \(test.p) vs SciPy \(c.p)")
      #expect(abs(test.auc - c.u / Double(c.x.count * c.y.count)) < 1e-15)
    }
    #expect(branches == [true, false], "the fixtures cover the exact and the asymptotic branch")
  }

  @Test func holmEqualsStatsmodels() {
    let ours = holmAdjusted(Self.fixture.holm.p)
    for (a, b) in zip(ours, Self.fixture.holm.adjusted) { #expect(abs(a - b) <= 1e-12, "Holm \(a) vs statsmodels \(b)") }
    let withGap = holmAdjusted([0.01, .nan, 0.02])
    #expect(withGap[1].isNaN && abs(withGap[0] - 0.02) < 1e-15 && abs(withGap[2] - 0.02) < 1e-15, "NaN is skipped, m = 2")
  }

  @Test func bootstrapAUCEqualsTheTestsAUC() throws {
    for c in Self.fixture.mannwhitneyu {
      let test = try #require(MannWhitneyU(c.x, c.y))
      #expect(abs(MannWhitneyU.auc(c.x, c.y) - test.auc) < 1e-12, "\(c.name)")
    }
  }

  @Test func emptySampleHasNoTest() {
    #expect(MannWhitneyU([], [1, 2]) == nil)
  }
}
