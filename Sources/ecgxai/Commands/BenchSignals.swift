import ArgumentParser
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai bench signals`: R peaks + delineation + features, records per second.
struct BenchSignals: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "signals",
    abstract: "R-peak detection + delineation + features: 12-lead records per second at 100 and 500 Hz.",
    discussion: """
      Records come from --data (a PTB-XL-layout folder, both rates) or are phantom records generated
      in memory (default difficulty). Reading the files is not timed. Threads: ECGXAI_THREADS
      (default all cores), one record per thread. tools/bench/signals.sh runs the NeuroKit2 peer
      on the same records.
      """)

  @Flag(help: "Print one JSON object.") var json = false
  @Option(help: "PTB-XL-layout folder with records100/ and records500/ (default: phantom records in memory).") var data: String?
  @Option(help: "Records per rate.") var records = 200

  func run() throws {
    var loaded: [Int: [ECGRecord]] = [:]
    if let data {
      let dataset = try DatasetOptions(data: data, rate: 100, folds: nil).load()!
      let count = min(records, dataset.entries.count)
      for rate in [100, 500] { loaded[rate] = try (0..<count).map { try dataset.record(at: $0, rate: rate) } }
    } else {
      let cohort = try PhantomCohort(PhantomConfig(recordCount: records, seed: 42))
      let rendered = (1...records).map { cohort.render(ecgID: $0) }
      loaded[100] = rendered.map { ECGRecord(name: "\($0.spec.ecgID)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 100, samples: $0.signals100) }
      loaded[500] = rendered.map { ECGRecord(name: "\($0.spec.ecgID)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 500, samples: $0.signals500) }
    }
    var results: [(String, Double)] = []
    for rate in [100, 500] {
      let set = loaded[rate]!
      let failures = UnsafeMutableBufferPointer<Int>.allocate(capacity: set.count)
      failures.initialize(repeating: 0)
      defer { failures.deallocate() }
      let out = SendablePointer(failures.baseAddress!)
      let started = Date()
      parallelFor(set.count) { i in
        do {
          let features = ECGFeatures(try Delineator().delineate(set[i]))
          _ = ExpertConcepts.evaluate(features, female: nil, age: nil)
        } catch { out.pointer[i] = 1 }
      }
      let seconds = Date().timeIntervalSince(started)
      results.append(("records_per_s_\(rate)hz", Double(set.count) / seconds))
      results.append(("failed_\(rate)hz", Double(failures.reduce(0, +))))
    }
    if json {
      let fields = results.map { "\"\($0.0)\": \(String(format: "%.3f", $0.1))" }
      print("{" + (fields + ["\"threads\": \(parallelThreadCount)", "\"records\": \(loaded[100]!.count)"]).joined(separator: ", ") + "}")
    } else {
      print("ecgxai bench signals — R peaks + delineation + features, \(loaded[100]!.count) records, threads \(parallelThreadCount)")
      for (key, value) in results { print("  \(key.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%9.1f", value))") }
    }
  }
}
