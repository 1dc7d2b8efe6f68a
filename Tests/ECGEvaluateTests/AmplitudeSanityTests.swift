import ECGEvaluate
import Testing

/// The paper's sanity scores behave as defined: a map on one lead is fully specific, a uniform
/// map scores 1/√12; the beat profile averages the per-sample lead norm around R peaks; R² and
/// MAE match their textbook values.
@Suite struct AmplitudeSanityTests {
  @Test func spatialSpecificity() throws {
    var onLead3 = [Float](repeating: 0, count: 12 * 10)
    for t in 0..<10 { onLead3[3 * 10 + t] = Float(t) - 4.5 }
    #expect(AmplitudeSanity.spatialSpecificity(onLead3[...], leads: 12, lead: 3) == 1)
    #expect(AmplitudeSanity.spatialSpecificity(onLead3[...], leads: 12, lead: 4) == 0)
    let uniform = [Float](repeating: 0.5, count: 12 * 10)
    let s = try #require(AmplitudeSanity.spatialSpecificity(uniform[...], leads: 12, lead: 0))
    #expect(abs(s - 1 / 12.0.squareRoot()) < 1e-12)
    #expect(AmplitudeSanity.spatialSpecificity([Float](repeating: 0, count: 24)[...], leads: 12, lead: 0) == nil)
  }

  @Test func beatProfileAndShare() throws {
    // Two leads, 20 samples; relevance 3 and 4 on both leads 2 samples after each R (norm 5).
    var a = [Float](repeating: 0, count: 2 * 20)
    for r in [5, 12] { a[r + 2] = 3; a[20 + r + 2] = 4 }
    let p = try #require(AmplitudeSanity.beatProfile(a[...], leads: 2, rPeaks: [5, 12, 19], before: 2, after: 4))
    #expect(p == [0, 0, 0, 0, 5, 0, 0])  // R at 19 lacks a full window and is skipped
    #expect(AmplitudeSanity.share(AmplitudeSanity.unitNorm(p), inside: 4..<5) == 1)
  }

  @Test func regressionScores() {
    let y: [Float] = [1, 2, 3, 4, 5, 6]  // [3, 2]
    #expect(RegressionScores.r2(predictions: y, targets: y, outputs: 2) == 1)
    #expect(abs(RegressionScores.r2(predictions: [3, 4, 3, 4, 3, 4], targets: y, outputs: 2)) < 1e-12)  // column means
    #expect(RegressionScores.mae(predictions: [0, 0], targets: [1, -3]) == 2)
    let spread = RegressionScores.bootstrap(rows: 6, seed: 1) { rows in Double(rows.count) }
    #expect(spread.mean == 6 && spread.std == 0)
  }
}
