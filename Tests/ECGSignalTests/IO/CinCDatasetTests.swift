import ECGSignal
import ECGTensor
import Foundation
import Testing

/// A PhysioNet/CinC 2020–2021 folder (`.hea` + MATLAB 4 `.mat`, `#Age/#Sex/#Dx`) written at run
/// time reads as a dataset: labels mapped from SNOMED CT, folds deterministic and stratified,
/// records resampled to the rate asked for and cut or zero-padded to 10 s.
@Suite struct CinCDatasetTests {
  static let leads = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]

  /// A 12-lead record: lead k is a 1.3 Hz sine of amplitude (k + 1) · 0.1 mV.
  static func sine(name: String, rateHz: Double, seconds: Double) -> ECGRecord {
    let n = Int(rateHz * seconds)
    var samples = [Float](repeating: 0, count: 12 * n)
    for lead in 0..<12 {
      for t in 0..<n {
        samples[lead * n + t] = Float(
          Double(lead + 1) * 0.1 * sin(2 * .pi * 1.3 * Double(t) / rateHz))
      }
    }
    return ECGRecord(name: name, leadNames: leads, samplingRateHz: rateHz, samples: samples)
  }

  static func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("cinc-\(UUID().uuidString)")
  }

  /// Four records in two subfolders: 500 Hz × 8 s, 257 Hz × 15 s, 500 Hz × 10 s, 257 Hz × 8 s.
  static func writeSample(_ root: URL) throws {
    try CinCDataset.write(
      sine(name: "A0001", rateHz: 500, seconds: 8), to: root.appendingPathComponent("cpsc"),
      age: 53, female: false, snomed: ["426783006"])
    try CinCDataset.write(
      sine(name: "I0002", rateHz: 257, seconds: 15), to: root.appendingPathComponent("incart"),
      age: nil, female: true, snomed: ["164873001", "426783006", "713427006"])
    try CinCDataset.write(
      sine(name: "A0003", rateHz: 500, seconds: 10), to: root.appendingPathComponent("cpsc"),
      age: 71.5, female: nil, snomed: ["164889003", "999999999"])
    try CinCDataset.write(
      sine(name: "I0004", rateHz: 257, seconds: 8), to: root.appendingPathComponent("incart"),
      age: 40, female: false, snomed: ["164865005", "429622005"])
  }

  @Test func matFilesReadBackAsWritten() throws {
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let record = Self.sine(name: "E0001", rateHz: 257, seconds: 3)
    try CinCDataset.write(record, to: dir, age: 60, female: true, snomed: ["164889003"])
    let header = try String(contentsOf: dir.appendingPathComponent("E0001.hea"), encoding: .utf8)
    #expect(header.hasPrefix("E0001 12 257 771\nE0001.mat 16+24 1000/mV 16 0 "))
    #expect(header.hasSuffix("#Age: 60\n#Sex: Female\n#Dx: 164889003\n"))
    let read = try WFDB.read(dir.appendingPathComponent("E0001"))
    #expect(read.samplingRateHz == 257 && read.sampleCount == 771 && read.leadCount == 12)
    let worst = zip(read.samples, record.samples).map { abs($0 - $1) }.max()!
    #expect(worst <= 0.0005 + 1e-6, "int16 at 1000/mV: within half an LSB, got \(worst) mV")
  }

  @Test func labelsAgeSexAndIDsComeFromTheHeaders() throws {
    let root = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try Self.writeSample(root)
    #expect(CinCDataset.isCinCFolder(root))
    let data = try PTBXLDataset.open(root)
    #expect(data.layout == .cinc)
    #expect(
      data.entries.map(\.filenameHR) == [
        "cpsc/A0001", "cpsc/A0003", "incart/I0002", "incart/I0004",
      ])
    #expect(data.entries.map(\.ecgID) == [1, 2, 3, 4])
    #expect(data.entries.map(\.age) == [53, 71.5, nil, 40])
    #expect(data.entries.map(\.sex) == [0, nil, 1, 0])
    #expect(Set(data.entries[0].scpCodes.keys) == ["NORM", "SR"], "sinus rhythm alone is normal")
    #expect(
      Set(data.entries[1].scpCodes.keys) == ["AFIB", "snomed:999999999"], "unmapped codes kept raw")
    #expect(
      Set(data.entries[2].scpCodes.keys) == ["LVH", "SR", "CRBBB"], "no NORM beside a finding")
    #expect(Set(data.entries[3].scpCodes.keys) == ["MI", "STD_"])
    let superclasses = data.labels(task: .superdiagnostic)
    #expect(superclasses.classes == ["CD", "HYP", "MI", "NORM", "STTC"])
    #expect(superclasses.entryIndices == [0, 2, 3], "the AF record has no diagnostic superclass")
    #expect(superclasses.matrix.scalars == [0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1])
    #expect(data.labels(task: .rhythm).classes == ["AFIB", "SR"])
    #expect(data.labels(task: .all).classes.contains("snomed:999999999"))
    #expect(data.labelsAtEveryLevel(data.entries[2]).isSuperset(of: ["CRBBB", "CD", "LVH", "HYP"]))
  }

  @Test func recordsAreResampledAndCutOrPaddedToTenSeconds() throws {
    let root = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try Self.writeSample(root)
    let data = try PTBXLDataset.open(root)
    for rate in [100, 500] {
      let x = try data.batch(Array(data.entries.indices), rate: rate)
      #expect(x.shape == [4, 12, 10 * rate])
    }
    // Each record against the sine it holds, resampled: 8 s records end in 2 s of zeros, the
    // 15 s record keeps its first 10 s.
    for (index, seconds) in [(0, 8.0), (2, 15.0), (3, 8.0)] {
      let record = try data.twelveLeadRecord(at: index, rate: 100)
      #expect(record.samplingRateHz == 100 && record.sampleCount == 1000)
      let valid = Int(min(seconds, 10) * 100)
      for lead in [0, 11] {
        let values = record.lead(lead)
        let amplitude = Double(lead + 1) * 0.1
        var worst = 0.0
        // Away from the edges (the resampling filter's transients).
        for t in 50..<(valid - 50) {
          let expected = amplitude * sin(2 * .pi * 1.3 * Double(t) / 100)
          worst = max(worst, abs(Double(values[values.startIndex + t]) - expected))
        }
        #expect(worst < 0.01 * amplitude + 0.001, "record \(index) lead \(lead): \(worst) mV")
        if valid < 1000 {
          #expect(values.suffix(1000 - valid).allSatisfy { $0 == 0 }, "zero-padded at the end")
        }
      }
    }
    let conformed = try CinCDataset.conform(
      Self.sine(name: "x", rateHz: 100, seconds: 10), rateHz: 100)
    #expect(
      conformed == Self.sine(name: "x", rateHz: 100, seconds: 10), "10 s at the rate: unchanged")
  }

  @Test func foldsAreDeterministicStratifiedAndIndependentOfOrder() throws {
    let names = (1...200).map { String(format: "HR%05d", $0) }
    let strata = names.indices.map { ["NORM", "MI", "CD|HYP", ""][$0 % 4] }
    let folds = CinCDataset.folds(names: names, strata: strata)
    #expect(folds.allSatisfy { (1...10).contains($0) })
    #expect(folds == CinCDataset.folds(names: names, strata: strata))
    let order = Array(names.indices.reversed())
    let shuffled = CinCDataset.folds(
      names: order.map { names[$0] }, strata: order.map { strata[$0] })
    #expect(
      order.enumerated().allSatisfy { shuffled[$0.offset] == folds[$0.element] },
      "file order does not matter")
    for stratum in Set(strata) {
      var counts = [Int](repeating: 0, count: 11)
      for i in names.indices where strata[i] == stratum { counts[folds[i]] += 1 }
      #expect(
        counts.dropFirst().allSatisfy { $0 == 5 },
        "50 records of \(stratum) → 5 per fold: \(counts)")
    }
    let byPosition = names.indices.map { $0 % 10 + 1 }
    #expect(folds != byPosition, "dealt by hash within each stratum, not by position")
  }

  @Test func foldersThatAreNotCinCAreRecognised() throws {
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try WFDB.write(Self.sine(name: "plain", rateHz: 100, seconds: 2), to: dir)
    #expect(!CinCDataset.isCinCFolder(dir), "a WFDB header without #Dx:")
    #expect(throws: CinCError.notACinCFolder(path: dir.path)) { try PTBXLDataset.open(dir) }
    #expect(throws: CinCError.notACinCFolder(path: dir.path)) { try CinCDataset.load(root: dir) }
  }
}
