import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// Features measured from the signals agree with the phantom's true template measurements:
/// amplitudes within 0.05 mV and intervals within 10 ms (medians over records and leads).
@Suite struct ECGFeaturesTests {
  static let cohort = try! PhantomCohort(PhantomConfig(recordCount: 60, seed: 8, rates: [100, 500]))

  static func median(_ x: [Double]) -> Double {
    let s = x.sorted()
    return s.isEmpty ? .nan : s[s.count / 2]
  }

  @Test(arguments: [100, 500])
  func matchTheTruth(rate: Int) throws {
    var errors: [String: [Double]] = [:]
    func add(_ key: String, _ ours: Double?, _ theirs: Double?) {
      if let ours, let theirs, ours.isFinite { errors[key, default: []].append(ours - theirs) }
    }
    for id in 1...Self.cohort.specs.count {
      let r = Self.cohort.render(ecgID: id)
      let record = ECGRecord(
        name: "\(id)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: Double(rate),
        samples: rate == 100 ? r.signals100 : r.signals500)
      let features = ECGFeatures(try Delineator().delineate(record))
      let truth = r.measurements
      add("HR bpm", features.heartRateBpm, truth.heartRateBpm)
      add("PR ms", features.prMs, truth.prMs)
      add("QRS ms", features.qrsMs, truth.qrsMs)
      add("QT ms", features.qtMs, truth.qtMs)
      for lead in 0..<12 {
        let a = features.leads[lead]
        add("P mV", a.p, truth.pAmplitude[lead])
        add("Q mV", a.q, truth.qAmplitude[lead])
        add("R mV", a.r, truth.rAmplitude[lead])
        add("S mV", a.s, truth.sAmplitude[lead])
        add("T mV", a.t, truth.tAmplitude[lead])
        add("ST mV", a.st, truth.stAmplitude[lead])
      }
    }
    print("features \(rate) Hz: " + errors.sorted { $0.key < $1.key }.map { key, e in
      "\(key) median |e| \(String(format: "%.3f", Self.median(e.map(abs)))) bias \(String(format: "%+.3f", Self.median(e))) (n \(e.count))"
    }.joined(separator: "; "))
    for key in ["P mV", "Q mV", "R mV", "S mV", "T mV", "ST mV"] {
      #expect(Self.median((errors[key] ?? []).map(abs)) <= 0.05, "\(key)")
    }
    for key in ["PR ms", "QRS ms", "QT ms"] {
      #expect(Self.median((errors[key] ?? []).map(abs)) <= 10, "\(key)")
    }
  }
}
