import ECGStatistics
import Foundation
import Testing

/// The t-test equals SciPy's `ttest_ind` and Bonferroni statsmodels' `multipletests`
/// (tools/reference/tcav_fixtures.py).
@Suite struct StudentTTestTests {
  struct Fixture: Decodable {
    struct Case: Decodable { var name: String; var equal_var: Bool; var a: [Double]; var b: [Double]; var t: Double; var p: Double; var df: Double }
    struct Adjusted: Decodable { var p: [Double]; var adjusted: [Double] }
    var ttest: [Case]
    var bonferroni: Adjusted
  }

  static let fixture = try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/ECGConcepts/tcav.json")))

  @Test func equalsSciPy() throws {
    for c in Self.fixture.ttest {
      let test = try #require(StudentTTest(c.a, c.b, equalVariances: c.equal_var))
      let label = "\(c.name) equal_var=\(c.equal_var)"
      #expect(abs(test.t - c.t) <= 1e-10 * abs(c.t), "\(label): t \(test.t) vs \(c.t)")
      #expect(abs(test.degreesOfFreedom - c.df) <= 1e-10 * c.df, "\(label): df")
      #expect(abs(test.p - c.p) <= 1e-9 * c.p + 1e-300, "\(label): p \(test.p) vs SciPy \(c.p)")
    }
  }

  @Test func bonferroniEqualsStatsmodels() {
    for (a, b) in zip(bonferroniAdjusted(Self.fixture.bonferroni.p), Self.fixture.bonferroni.adjusted) {
      #expect(abs(a - b) <= 1e-15)
    }
  }

  @Test func degenerateSamples() throws {
    #expect(StudentTTest([1], [1, 2]) == nil, "one value has no variance")
    let constant = try #require(StudentTTest([0.5, 0.5, 0.5], [0.5, 0.5]))
    #expect(constant.p.isNaN && constant.t.isNaN, "equal constants: undefined, as SciPy")
    let apart = try #require(StudentTTest([1, 1, 1], [0, 0]))
    #expect(apart.p == 0 && apart.t == .infinity)
  }
}
