import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// Global delineation lands within 10 ms (median |error|) of the phantom's exact fiducials for
/// P onset/offset, QRS onset/offset and T offset at the default noise, at 100 and 500 Hz.
@Suite struct DelineatorTests {
  static let cohort = try! PhantomCohort(PhantomConfig(recordCount: 60, seed: 5, rates: [100, 500]))

  static func median(_ x: [Double]) -> Double {
    let s = x.sorted()
    return s.isEmpty ? .nan : s[s.count / 2]
  }

  @Test(arguments: [100, 500])
  func matchesPhantomFiducials(rate: Int) throws {
    var errors: [String: [Double]] = [:]
    for id in 1...Self.cohort.specs.count {
      let r = Self.cohort.render(ecgID: id)
      let record = ECGRecord(
        name: "\(id)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: Double(rate),
        samples: rate == 100 ? r.signals100 : r.signals500)
      let delineation = try Delineator().delineate(record)
      for beat in delineation.beats {
        guard let truth = r.beats.min(by: { abs($0.rPeak - beat.rPeak) < abs($1.rPeak - beat.rPeak) }),
          abs(truth.rPeak - beat.rPeak) <= 0.05, truth.qrsOnset > 0.05, truth.tOffset < record.durationSeconds - 0.05
        else { continue }
        func add(_ key: String, _ ours: Double?, _ theirs: Double?) {
          if let ours, let theirs { errors[key, default: []].append((ours - theirs) * 1000) }
        }
        add("P on", beat.pOnset, truth.pOnset)
        add("P off", beat.pOffset, truth.pOffset)
        add("QRS on", beat.qrsOnset, truth.qrsOnset)
        add("QRS off", beat.qrsOffset, truth.qrsOffset)
        add("T peak", beat.tPeak, truth.tPeak)
        add("T off", beat.tOffset, truth.tOffset)
      }
    }
    let summary = errors.sorted { $0.key < $1.key }.map { key, e in
      "\(key): median |e| \(String(format: "%.1f", Self.median(e.map(abs)))) ms, bias \(String(format: "%+.1f", Self.median(e))) ms (n \(e.count))"
    }
    print("delineation \(rate) Hz: " + summary.joined(separator: "; "))
    for key in ["P on", "P off", "QRS on", "QRS off", "T off"] {
      #expect(Self.median((errors[key] ?? []).map(abs)) <= 10, "\(key) at \(rate) Hz")
    }
    #expect((errors["P on"]?.count ?? 0) > 400, "P waves found in sinus beats")
  }

  @Test func needsTwoRPeaksAndGivesTheMedianBeat() throws {
    let r = Self.cohort.render(ecgID: 1)
    let record = ECGRecord(name: "1", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 100, samples: r.signals100)
    let one = RPeaks(samples: [500], usableLeads: [Bool](repeating: true, count: 12), samplingRateHz: 100)
    #expect(throws: SignalError.self) { try Delineator().delineate(record, rPeaks: one) }
    let d = try Delineator().delineate(record)
    #expect(d.template.samplingRateHz == 500 && d.template.leadNames.count == 12)
    #expect(d.template.beatCount >= d.beats.count - 3)
    #expect(d.beats.count == d.rPeaks.samples.count)
  }
}
