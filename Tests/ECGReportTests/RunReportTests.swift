import ECGConcepts
import ECGExplain
import ECGNet
import ECGReport
import ECGTensor
import Foundation
import Testing

/// The run report reads the typed results of a run directory: a section shows what its file
/// holds, says which command makes an absent file and names a file that does not decode.
@Suite struct RunReportTests {
  /// A run directory with an evaluation (typed, encoded), tcav.json and a cut-short audit.json.
  static func runDirectory() throws -> URL {
    let run = FileManager.default.temporaryDirectory.appendingPathComponent("run-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    // Two classes, four records: A is ranked perfectly (AUC 1), B at chance (AUC 0.5).
    let logits = Tensor(shape: [4, 2], scalars: [0.9, 0.6, 0.8, 0.3, 0.1, 0.3, 0.2, 0.6])
    let targets = Tensor(shape: [4, 2], scalars: [1, 0, 1, 1, 0, 0, 0, 1])
    let test = ClassifierEvaluation(logits: logits, targets: targets, macroAUC: 0.75, classNames: ["A", "B"])
    let evaluation = TaskEvaluation(
      provenance: Provenance(seed: 0), task: "superdiagnostic", architecture: "lenet1d", parameters: 1234, model: "model",
      classes: ["A", "B"], epochs: 3, bestEpoch: 2, history: [], records: ["train": 8, "validation": 2, "test": 4],
      classCounts: ["train": ["A": 4, "B": 3], "validation": ["A": 1, "B": 1], "test": ["A": 2, "B": 2]],
      test: test, seconds: 1, pretrained: false)
    try JSONEncoder().encode(evaluation).write(to: run.appendingPathComponent("evaluation-superdiagnostic.json"))
    try JSONEncoder().encode(TCAVFigureTests.result()).write(to: run.appendingPathComponent("tcav.json"))
    try Data(#"{"conditions": [{"na"#.utf8).write(to: run.appendingPathComponent("audit.json"))
    return run
  }

  func text(_ section: HTMLReport.Section) -> String {
    section.blocks.map { block in
      switch block {
      case .paragraph(let s), .heading(let s), .note(let s): s
      case .table(let header, let rows, _): ([header] + rows).map { $0.joined(separator: " | ") }.joined(separator: "\n")
      default: ""
      }
    }.joined(separator: "\n")
  }

  @Test func sectionsReadTheTypedResults() throws {
    let run = try Self.runDirectory()
    defer { try? FileManager.default.removeItem(at: run) }
    let report = try RunReport(runDirectory: run).build()
    let sections = Dictionary(uniqueKeysWithValues: report.sections.map { ($0.id, text($0)) })
    #expect(report.sections.map(\.id) == ["run", "models", "attributions", "sanity", "glocal", "tcav", "discovery"])
    let models = try #require(sections["models"])
    #expect(models.contains("superdiagnostic: lenet1d, 2 classes — test macro-AUC 0.750"))
    #expect(models.contains("model/ · 1234 parameters · records 8 train / 2 validation / 4 test · best epoch 2 of 3"))
    #expect(models.contains("A | 4 | 1 | 2 | 1.000") && models.contains("B | 3 | 1 | 2 | 0.500"))
    // TCAV: R56-LVH significant above random at one of its two layers.
    let tcav = try #require(sections["tcav"])
    #expect(tcav.contains("3 CAVs per concept") && tcav.contains("Bonferroni over 4 tests"))
    #expect(tcav.contains("R56-LVH | LVH | 1 / 2 | 0 | 4.0e-03"))
    #expect(!tcav.contains("Sex | LVH"))
    // A cut-short file is named; an absent one says which command writes it.
    #expect(sections["glocal"]?.contains("audit.json is there but does not parse") == true)
    #expect(sections["discovery"]?.contains("writes discovery.json).") == true)
    #expect(sections["discovery"]?.contains("does not parse") == false)
    #expect(sections["run"]?.contains("was not made by `ecgxai run`") == true)
  }
}
