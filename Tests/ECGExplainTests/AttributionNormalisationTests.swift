import ECGExplain
import ECGTensor
import Testing

/// `AttributionNormalisation` scales records (max-abs) or leads (per-lead) to a largest
/// |relevance| of 1, keeps signs and ratios, and leaves all-zero records and leads at zero.
@Suite struct AttributionNormalisationTests {
  // Two records, two leads, three samples; record 1's lead 1 is all zero.
  let values = Tensor(shape: [2, 2, 3], scalars: [1, -4, 2, 0.5, 0, -1, 3, 0, -6, 0, 0, 0])

  @Test func maxAbsDividesEachRecordByItsLargestMagnitude() {
    let result = AttributionNormalisation.maxAbs.apply(values)
    #expect(result.scalars == [0.25, -1, 0.5, 0.125, 0, -0.25, 0.5, 0, -1, 0, 0, 0])
  }

  @Test func perLeadDividesEachLeadByItsLargestMagnitude() {
    let result = AttributionNormalisation.perLead.apply(values)
    #expect(result.scalars == [0.25, -1, 0.5, 0.5, 0, -1, 0.5, 0, -1, 0, 0, 0])
  }

  @Test func noneIsTheIdentity() {
    #expect(AttributionNormalisation.none.apply(values).scalars == values.scalars)
    #expect(AttributionNormalisation(rawValue: "max-abs") == .maxAbs && AttributionNormalisation(rawValue: "per-lead") == .perLead)
  }
}
