import ECGSignal
import Foundation
import Testing

/// A PhysioNet/CinC-format folder written from the phantom (`.hea` + `.mat` at 500 and 257 Hz,
/// 8, 10 and 15 s, `#Dx:` SNOMED CT codes) goes through `export`, `features`, `predict` and
/// `ecgxai run --data` (train, explain, sanity, audit, features, concepts) to report.html; a
/// folder that is neither PTB-XL nor CinC is refused.
@Suite(.serialized) struct CinCRunTests {
  /// Writes the phantom's records of `ptbxl` (500 Hz, 10 s) as a CinC folder: record i at
  /// 500 Hz × 10 s, 500 Hz × 8 s (cut), 257 Hz × 15 s (its first 5 s appended) or 257 Hz × 8 s,
  /// in subfolders `g0`/`g1`; codes through `CinCLabels.snomed(forStatement:)`, MI statements
  /// as 164865005.
  static func writeCinC(from ptbxl: URL, to root: URL) throws -> Int {
    let data = try PTBXLDataset(root: ptbxl)
    for (i, entry) in data.entries.enumerated() {
      var record = try data.twelveLeadRecord(at: i, rate: 500)
      let n = record.sampleCount
      func rows(_ length: Int, _ source: (Int, Int) -> Float) -> [Float] {
        (0..<12).flatMap { lead in (0..<length).map { source(lead, $0) } }
      }
      switch i % 4 {
      case 1: record.samples = rows(4000) { record.samples[$0 * n + $1] }
      case 2, 3:
        let long = ECGRecord(
          name: "x", leadNames: record.leadNames, samplingRateHz: 500,
          samples: rows(i % 4 == 2 ? 7500 : 4000) { record.samples[$0 * n + $1 % n] })
        record = try Resampler.resample(long, toRate: 257)
      default: break
      }
      record.name = String(format: "%@%05d", i % 2 == 0 ? "HR" : "E", entry.ecgID)
      let snomed = entry.scpCodes.keys.sorted().compactMap { code in
        data.statements[code]?.diagnosticClass == "MI"
          ? "164865005" : CinCLabels.snomed(forStatement: code)
      }
      try CinCDataset.write(
        record, to: root.appendingPathComponent("g\(i % 2)"), age: entry.age,
        female: entry.sex.map { $0 == 1 }, snomed: Array(Set(snomed)).sorted())
    }
    return data.entries.count
  }

  @Test func cincFolderThroughCommandsAndRun() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CommandLineTests.executable.path))
    let dir = CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let ptbxl = dir.appendingPathComponent("phantom")
    let synth = try CommandLineTests.run([
      "synth", "--out", ptbxl.path, "--records", "240", "--rates", "500",
    ])
    #expect(synth.status == 0, "\(synth.error)")
    let cinc = dir.appendingPathComponent("cinc")
    let count = try Self.writeCinC(from: ptbxl, to: cinc)
    let dataset = try PTBXLDataset.open(cinc)
    #expect(dataset.entries.count == count && dataset.layout == .cinc)

    let export = try CommandLineTests.run([
      "export", "--data", cinc.path, "--task", "superdiagnostic", "--folds", "10",
      "--out", dir.appendingPathComponent("x.npy").path,
    ])
    #expect(export.status == 0, "\(export.error)")
    let test = dataset.labels(task: .superdiagnostic).entryIndices.filter {
      dataset.entries[$0].fold == 10
    }
    #expect(export.output.contains("[\(test.count), 12, 1000] at 100 Hz"), "\(export.output)")
    let ids = try String(contentsOf: dir.appendingPathComponent("x.ecg_id.csv"), encoding: .utf8)
    #expect(ids == "ecg_id\n" + test.map { "\(dataset.entries[$0].ecgID)\n" }.joined())

    let features = try CommandLineTests.run([
      "features", "--data", cinc.path, "--folds", "10", "--out",
      dir.appendingPathComponent("f.csv").path,
    ])
    #expect(features.status == 0, "\(features.error)")
    let rows = try String(contentsOf: dir.appendingPathComponent("f.csv"), encoding: .utf8)
      .split(separator: "\n").dropFirst()
    #expect(rows.count == dataset.entries.filter { $0.fold == 10 }.count)
    #expect(
      rows.filter { $0.split(separator: ",")[1] == "ok" }.count >= rows.count * 9 / 10, "measured")

    let config = dir.appendingPathComponent("small.json")
    try """
    {"out": "\(dir.appendingPathComponent("run").path)",
     "steps": ["data", "train", "explain", "sanity", "audit", "features", "concepts", "discover", "report"],
     "train": {"tasks": ["superdiagnostic", "subdiagnostic"], "epochs": 1},
     "explain": {"methods": ["saliency"]}, "concepts": {"runs": 3, "random_runs": 3}}
    """.write(to: config, atomically: true, encoding: .utf8)
    let run = try CommandLineTests.run(["run", config.path, "--data", cinc.path])
    #expect(run.status == 0, "\(run.error)")
    #expect(run.output.contains("skipped: no Uni-G amplitude table"))
    // The default discovery (MI by AMI/IMI) has no cohort here: skipped with what to set.
    #expect(run.output.contains("skipped: no MI labelled AMI or IMI records in this dataset"), "\(run.output)")
    for name in [
      "report.html", "features.csv", "attributions/saliency.npy", "evaluation-superdiagnostic.json",
      "audit.json", "tcav.json",
    ] {
      #expect(
        FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/\(name)").path),
        "\(name)")
    }
    let model = dir.appendingPathComponent("run/model").path
    let predict = try CommandLineTests.run([
      "predict", "--model", model, "--data", cinc.path, "--folds", "9",
      "--out", dir.appendingPathComponent("p.npy").path,
    ])
    #expect(predict.status == 0, "\(predict.error)")

    let neither = dir.appendingPathComponent("neither")
    try FileManager.default.createDirectory(at: neither, withIntermediateDirectories: true)
    let refused = try CommandLineTests.run([
      "export", "--data", neither.path, "--task", "superdiagnostic", "--out",
      dir.appendingPathComponent("y.npy").path,
    ])
    #expect(
      refused.status != 0 && refused.error.contains("neither a PTB-XL folder"), "\(refused.error)")
  }
}
