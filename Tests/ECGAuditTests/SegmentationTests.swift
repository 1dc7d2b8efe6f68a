@testable import ECGAudit
import ECGAuditStore
import ECGSignal
import Foundation
import Testing

/// The soft segmentation follows its definition, and cell aggregation sums what it should.
@Suite struct SegmentationTests {
  /// Two beats at 100 Hz; the second has no P wave.
  static func landmarks() -> [BeatLandmarks] {
    [
      BeatLandmarks(points: [10, 14, 18, 22, 24, 26, 28, 31, 37, 42, 48, 54]),
      BeatLandmarks(points: [nil, nil, nil, 72, nil, 76, 78, 81, 87, 92, 98, 104]),
    ]
  }

  @Test func weightsArePartitionsWithPointsCentredOnTheirFiducials() {
    let s = SoftSegmentation(landmarks: Array(repeating: Self.landmarks(), count: 12), sampleCount: 120, rate: 100)
    let dense = s.dense()  // [T, 12, 24]
    func w(_ t: Int, _ lead: Int, _ c: SegmentClass) -> Float { dense[(t * 12 + lead) * 24 + c.rawValue] }
    for t in 0..<120 {
      let total = (0..<24).map { dense[(t * 12 + 3) * 24 + $0] }.reduce(0, +)
      #expect(abs(total - 1) < 1e-6, "sample \(t): weights sum to \(total)")
    }
    #expect(w(0, 0, .tp) == 1, "before the first beat: tp")
    #expect(w(10, 0, .pOnset) == 1 && w(26, 0, .rPeak) == 1 && w(48, 0, .tPeak) == 1)
    #expect(w(11, 0, .pOnset) == 0.5 && w(11, 0, .pRise) == 0.5, "20 ms half-width = 2 samples at 100 Hz")
    #expect(w(24, 0, .qPeak) == 1 && w(25, 0, .qr) == 1, "points 2 samples apart: windows narrowed to 1 sample")
    #expect(w(34, 0, .qj) == 1, "between QRS offset and J point")
    #expect(w(65, 0, .tp) == 1, "no P in beat 2: tp runs up to the QRS onset")
    #expect(w(74, 0, .qDown) == 1, "no Q peak in beat 2: (q runs from QRS onset to R")
    #expect(s.beatCounts == Array(repeating: 2, count: 12))
  }

  @Test func landmarksFindTheLeadsOwnQRSPeaks() {
    // qRs: dip at 24, peak at 27, trough at 30, QRS 22…32 (samples at 100 Hz).
    var lead = [Float](repeating: 0, count: 60)
    lead[24] = -0.2; lead[27] = 1.5; lead[30] = -0.4
    let f = WaveFiducials(pOnset: 0.10, pPeak: 0.14, pOffset: 0.18, qrsOnset: 0.22, rPeak: 0.26, qrsOffset: 0.32, tOnset: 0.42, tPeak: 0.48, tOffset: 0.54)
    let l = lead.withUnsafeBufferPointer { BeatLandmarks(fiducials: f, lead: $0, rate: 100) }
    #expect(l.points[4] == 24 && l.points[5] == 27 && l.points[6] == 30)
    #expect(abs(l.points[8]! - 37) < 1e-9, "J-point class: QRS offset + 60 ms (38) lies past halfway to the T onset (37), so it is clamped there")
    let flat = [Float](repeating: 0, count: 60)
    let m = flat.withUnsafeBufferPointer { BeatLandmarks(fiducials: f, lead: $0, rate: 100) }
    #expect(m.points[4] == nil && m.points[6] == nil, "no deflection: no Q, no S")
  }

  @Test func cellRelevanceSumsWeightedRelevance() {
    let s = SoftSegmentation(landmarks: Array(repeating: Self.landmarks(), count: 12), sampleCount: 120, rate: 100)
    var a = [Float](repeating: 0, count: 12 * 120)
    for t in 0..<120 { a[5 * 120 + t] = t % 2 == 0 ? 2 : -1 }  // lead aVF only
    let r = a.withUnsafeBufferPointer { CellRelevance(attribution: $0, segmentation: s) }
    let lead5 = (0..<24).map { 5 * 24 + $0 }
    #expect(abs(lead5.map { r.support[$0] }.reduce(0, +) - 120) < 1e-4, "support sums to the record length")
    #expect(abs(lead5.map { r.positive[$0] }.reduce(0, +) - 120) < 1e-3 && abs(lead5.map { r.negative[$0] }.reduce(0, +) + 60) < 1e-3)
    #expect(abs(r.share.filter(\.isFinite).reduce(0, +) - 1) < 1e-5)
    #expect(r.absolute[0..<(5 * 24)].allSatisfy { $0 == 0 }, "other leads carry nothing")
    let m = r.meanAbsolute[AuditCell(lead: 5, segment: .tp).index]
    #expect(m > 1 && m < 2, "mean |A| of a mixed 2 / −1 signal")
  }

  @Test func rulesParseAndRejectUnknownNames() throws {
    let rules = ExpertRules.builtIn
    let lvh = try #require(rules.rules["LVH"])
    #expect(lvh.cells.count == 6 * CoarseSegment.qrs.classes.count)
    #expect(lvh.cells.contains(AuditCell(lead: AuditLeads.index(of: "aVL")!, segment: .rPeak)))
    #expect(rules.rules["1AVB"]!.cells.count == 12)
    #expect(throws: AuditError.self) { try ExpertRules(yaml: "LVH:\n  cells:\n    - leads: [V7]\n      segments: [QRS]\n") }
    #expect(throws: AuditError.self) { try ExpertRules(yaml: "LVH:\n  cells:\n    - leads: [V5]\n      segments: [QRST]\n") }
    #expect(throws: AuditError.self) { try ExpertRules(yaml: "- just a list") }
    let fine = try ExpertRules(yaml: "X:\n  cells:\n    - leads: [all]\n      segments: [R-Peak, qr]\n")
    #expect(fine.rules["X"]!.cells.count == 24)
  }
}
