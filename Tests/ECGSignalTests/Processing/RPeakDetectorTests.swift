import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// R peaks are found with sensitivity and PPV ≥ 0.99 (±50 ms) on phantom records at the default
/// noise, including atrial fibrillation and bundle-branch blocks, at 100 and 500 Hz; bad records
/// give clear errors.
@Suite struct RPeakDetectorTests {
  /// 40 default-difficulty phantom records, AFIB and CLBBB/CRBBB made frequent.
  static let cohort = try! PhantomCohort(PhantomConfig(
    recordCount: 40, seed: 11, rates: [100, 500],
    prevalence: ["MI": 0.2, "LVH": 0.1, "CLBBB": 0.25, "CRBBB": 0.25, "1AVB": 0.05, "STTC": 0.15, "AFIB": 0.4]))

  @Test(arguments: [100, 500])
  func findsPhantomBeats(rate: Int) throws {
    var tp = 0, found = 0, truth = 0
    var perCondition: [String: (tp: Int, found: Int, truth: Int)] = [:]
    for id in 1...Self.cohort.specs.count {
      let r = Self.cohort.render(ecgID: id)
      let samples = rate == 100 ? r.signals100 : r.signals500
      let record = ECGRecord(name: "\(id)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: Double(rate), samples: samples)
      let peaks = try RPeakDetector().detect(record).seconds
      // Beats whose R peak lies in the interior (0.3 s from either edge) are scored.
      let interior = { (t: Double) in t >= 0.3 && t <= record.durationSeconds - 0.3 }
      let truthR = r.beats.map(\.rPeak).filter(interior)
      let ours = peaks.filter(interior)
      var used = Set<Int>()
      var hits = 0
      for t in truthR {
        if let j = ours.indices.filter({ !used.contains($0) && abs(ours[$0] - t) <= 0.05 }).min(by: { abs(ours[$0] - t) < abs(ours[$1] - t) }) {
          used.insert(j)
          hits += 1
        }
      }
      tp += hits; found += ours.count; truth += truthR.count
      for key in r.spec.findings.keys.map(\.rawValue) + (r.spec.findings.isEmpty ? ["none"] : []) {
        let old = perCondition[key, default: (0, 0, 0)]
        perCondition[key] = (old.tp + hits, old.found + ours.count, old.truth + truthR.count)
      }
    }
    let sensitivity = Double(tp) / Double(truth), ppv = Double(tp) / Double(found)
    print("r-peaks \(rate) Hz: sensitivity \(sensitivity), PPV \(ppv) over \(truth) beats; " +
      perCondition.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.tp)/\($0.value.truth)/\($0.value.found)" }.joined(separator: ", "))
    #expect(sensitivity >= 0.99)
    #expect(ppv >= 0.99)
  }

  @Test func rejectsBadRecords() throws {
    let n = 1000
    var samples = (0..<(12 * n)).map { Float(sin(Double($0) * 0.1)) }
    samples[5] = .nan
    let withNaN = ECGRecord(name: "x", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 100, samples: samples)
    #expect(throws: SignalError.self) { try RPeakDetector().detect(withNaN) }
    let flat = ECGRecord(name: "x", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 100, samples: [Float](repeating: 0, count: 12 * n))
    #expect(throws: SignalError.self) { try RPeakDetector().detect(flat) }
    let short = ECGRecord(name: "x", leadNames: ["I"], samplingRateHz: 100, samples: [Float](repeating: 1, count: 150))
    #expect(throws: SignalError.self) { try RPeakDetector().detect(short) }
  }

  @Test func marksAFlatLeadUnusableAndStillDetects() throws {
    let r = Self.cohort.render(ecgID: 1)
    var samples = r.signals100
    for i in 0..<1000 { samples[6 * 1000 + i] = 0 }  // V1 disconnected
    let record = ECGRecord(name: "1", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 100, samples: samples)
    let peaks = try RPeakDetector().detect(record)
    #expect(peaks.usableLeads[6] == false && peaks.usableLeads.filter { $0 }.count == 11)
    #expect(abs(peaks.samples.count - r.beats.count) <= 1)
  }
}
