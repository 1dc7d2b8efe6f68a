import ECGEvaluate
import Testing

/// Percentile bootstrap intervals: NumPy-equal linear quantiles, a constant sample has a zero-width
/// interval, the interval of a mean covers it and shrinks with more records, seeds reproduce.
@Suite struct BootstrapCITests {
  @Test func quantilesMatchNumPy() {
    // np.percentile([1, 2, 4, 8], [2.5, 50, 97.5]) → 1.075, 3.0, 7.7
    #expect(abs(BootstrapCI.quantile([1, 2, 4, 8], 0.025) - 1.075) < 1e-12)
    #expect(abs(BootstrapCI.quantile([1, 2, 4, 8], 0.5) - 3.0) < 1e-12)
    #expect(abs(BootstrapCI.quantile([1, 2, 4, 8], 0.975) - 7.7) < 1e-12)
  }

  @Test func intervalsOfTheMean() throws {
    let constant = try #require(BootstrapCI.mean([Double](repeating: 0.3, count: 20)))
    #expect(abs(constant.lower - 0.3) < 1e-12 && abs(constant.upper - 0.3) < 1e-12 && abs(constant.estimate - 0.3) < 1e-12)
    let small = try #require(BootstrapCI.mean((0..<20).map { Double($0 % 5) }, seed: 1))
    let large = try #require(BootstrapCI.mean((0..<2000).map { Double($0 % 5) }, seed: 1))
    #expect(small.lower < 2 && small.upper > 2 && large.lower < 2 && large.upper > 2)
    #expect(large.upper - large.lower < (small.upper - small.lower) / 3)
    #expect(BootstrapCI.mean((0..<20).map { Double($0 % 5) }, seed: 1) == small)
    #expect(BootstrapCI.mean([.nan]) == nil)
  }
}
