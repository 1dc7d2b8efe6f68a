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
        guard let a = features.leads[lead] else { continue }
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

/// Unusual records give a clear error or a flagged result, never a trap or a silent number.
@Suite struct FeatureInputTests {
  static let phantom = try! PhantomCohort(PhantomConfig(recordCount: 2, seed: 9, rates: [500])).render(ecgID: 1)

  func record(leads: [Int], rate: Double = 500, modify: (inout [Float]) -> Void = { _ in }) -> ECGRecord {
    var samples = leads.flatMap { Array(Self.phantom.signals500[($0 * 5000)..<(($0 + 1) * 5000)]) }
    modify(&samples)
    return ECGRecord(name: "x", leadNames: leads.map { ECGRecord.standardLeadNames[$0] }, samplingRateHz: rate, samples: samples)
  }

  @Test func eightAndFifteenLeadsAndAFlatLead() throws {
    // I, II, V1–V6 only: measured; the missing limb leads are simply absent.
    let eight = ECGFeatures(try Delineator().delineate(record(leads: [0, 1, 6, 7, 8, 9, 10, 11])))
    #expect(eight.lead("V5") != nil && eight.lead("aVF") == nil && eight.frontalAxisDeg == nil)
    // 12 + 3 extra leads: the extra ones are carried along.
    var fifteen = record(leads: Array(0..<12))
    fifteen = ECGRecord(name: "x", leadNames: fifteen.leadNames + ["X", "Y", "Z"], samplingRateHz: 500,
                        samples: fifteen.samples + Array(fifteen.samples[0..<15000]))
    #expect(ECGFeatures(try Delineator().delineate(fifteen)).leads.count == 15)
    // V1 flat: flagged, no amplitudes, Sokolow-Lyon unavailable.
    let flat = ECGFeatures(try Delineator().delineate(record(leads: Array(0..<12)) { s in
      for i in (6 * 5000)..<(7 * 5000) { s[i] = 0.2 }
    }))
    #expect(flat.unusableLeads == ["V1"] && flat.lead("V1") == nil && flat.sokolowLyonMv == nil)
  }

  @Test func badRecordsThrow() throws {
    #expect(throws: SignalError.self) { try Delineator().delineate(record(leads: Array(0..<12)) { $0[17] = .infinity }) }
    #expect(throws: SignalError.self) {
      try Delineator().delineate(ECGRecord(name: "x", leadNames: ["I"], samplingRateHz: 500, samples: []))
    }
    #expect(throws: SignalError.self) { try Delineator().delineate(record(leads: [0, 1], rate: 40)) }
  }
}
