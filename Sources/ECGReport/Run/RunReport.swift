import ECGConcepts
import ECGDiscovery
import ECGExplain
import ECGTensor
import Foundation

/// Builds the HTML report of a run directory from the typed results the steps wrote. Each
/// section reads only its own files and, when they are absent, says which command makes them;
/// a file that is there but does not decode is named as corrupt.
public struct RunReport: Sendable {
  /// The run directory.
  public let run: RunDirectory
  /// Example records drawn per attributed class with their attribution overlaid (0…5).
  public var examplesPerCondition: Int
  /// The pipeline's step names in run order (the overview's row order).
  public var stepOrder: [String]

  /// The steps of `ecgxai run` in the order they run.
  public static let pipelineSteps = ["data", "train", "explain", "sanity", "audit", "features", "concepts", "discover", "report"]

  /// A report of the run directory at `runDirectory`.
  public init(runDirectory: URL, examplesPerCondition: Int = 1, stepOrder: [String] = RunReport.pipelineSteps) {
    (run, self.examplesPerCondition, self.stepOrder) = (RunDirectory(runDirectory), examplesPerCondition, stepOrder)
  }

  typealias Section = HTMLReport.Section

  var runURL: URL { run.url }

  /// The report: header (run directory, data source, time stamp, ecgxai version) and the seven
  /// sections. Throws only when reading the attributions, the dataset or results.sqlite fails.
  public func build() throws -> HTMLReport {
    let manifest = run.decode(RunManifest.self, "manifest.json")
    let data = manifest?.pipeline?.configuration?["data"]?.object
    let source = data?["source"]?.string == "ptbxl" ? "PTB-XL folder \(data?["path"]?.string ?? "")" : "phantom cohort"
    var report = HTMLReport(
      title: "ecgxai report — \(runURL.lastPathComponent)",
      subtitle: [
        "Run directory \(runURL.path) · \(source) · written \(ISO8601DateFormatter().string(from: Date())) by ecgxai \(ECGXAIVersion.current)",
        "The building blocks of Wagner, Mehari, Haverkamp, Strodthoff, “Explaining Deep Learning for ECG Analysis: Building Blocks for Auditing and Knowledge Discovery”, Comput. Biol. Med. 176:108525 (2024).",
      ])
    report.sections = [
      overview(manifest),
      models(),
      try attributions(),
      sanity(),
      try glocal(),
      concepts(),
      discovery(),
    ]
    return report
  }

  // MARK: - Sections

  func overview(_ manifest: RunManifest?) -> Section {
    var section = Section(id: "run", title: "Run")
    let pipeline = manifest?.pipeline
    let steps = pipeline?.steps ?? [:]
    if steps.isEmpty {
      section.blocks.append(.paragraph("This run directory was not made by `ecgxai run` / `ecgxai demo`; the sections below show what its files hold."))
    } else {
      let rows: [[String]] = stepOrder.compactMap { step in
        guard let s = steps[step] else { return nil }
        let seconds = s.seconds.map { String(format: "%.1f", $0) } ?? ""
        let what = s.skipped.map { "skipped: \($0)" } ?? (s.outputs ?? []).prefix(4).joined(separator: ", ")
        return [step, seconds, s.finished ?? "", what]
      }
      section.blocks.append(.table(header: ["step", "seconds", "finished", "outputs"], rows: rows, numeric: false))
      if let c = pipeline?.configuration {
        let settings: [[String]] = stepOrder.compactMap { step in
          guard let s = c[step]?.object?.filter({ $0.key != "seed" }), !s.isEmpty else { return nil }
          return [step, s.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.text)" }.joined(separator: " · ")]
        }
        section.blocks.append(.table(header: ["step", "settings (manifest.json; seed \(c["seed"]?.text ?? "0"))"], rows: settings, numeric: false))
      }
    }
    return section
  }

  func models() -> Section {
    var section = Section(id: "models", title: "Dataset and models")
    let evaluations = run.files("evaluation-", ".json").compactMap { run.decode(TaskEvaluation.self, $0) }.sorted { $0.model < $1.model }
    guard !evaluations.isEmpty else {
      section.blocks.append(.paragraph("No classifier evaluation in this run (`ecgxai run` writes evaluation-TASK.json in its train step)."))
      return section
    }
    section.blocks.append(.paragraph("Classifiers are trained with the paper's protocol: strat_fold 1–8 train, 9 validation, 10 test; AdamW (lr 1e-3, weight decay 1e-3), batch 128, random 2.5 s crops, the checkpoint with the best validation macro-AUC; AUCs are on the full 10 s test records."))
    for e in evaluations {
      let counts = e.classCounts
      let auc = { (name: String) -> Double? in e.test.perClassAUC[name] ?? nil }
      let macro = e.test.macroAUC.map { String(format: "%.3f", $0) } ?? "n/a"
      section.blocks.append(.heading("\(e.task): \(e.architecture), \(e.classes.count) classes — test macro-AUC \(macro)"))
      section.blocks.append(.paragraph("\(e.model)/ · \(e.parameters) parameters · records \(e.records["train"] ?? 0) train / \(e.records["validation"] ?? 0) validation / \(e.records["test"] ?? 0) test"
        + (e.bestEpoch.map { " · best epoch \($0) of \(e.epochs)" } ?? (e.pretrained ? " · given model, not trained here" : ""))))
      let rows = e.classes.map { name -> [String] in
        [name, "\(counts["train"]?[name] ?? 0)", "\(counts["validation"]?[name] ?? 0)", "\(counts["test"]?[name] ?? 0)",
         auc(name).map { String(format: "%.3f", $0) } ?? "—"]
      }
      section.blocks.append(.table(header: ["class", "train", "validation", "test", "test AUC"], rows: rows, numeric: true))
      let roc = e.test.roc
      let shown = e.classes.filter { roc[$0] != nil }.sorted { (counts["test"]?[$0] ?? 0) > (counts["test"]?[$1] ?? 0) }.prefix(8)
      var series = shown.map { name in
        LineFigure.Series(name: "\(name) \(auc(name).map { String(format: "%.2f", $0) } ?? "")",
                          points: (roc[name] ?? []).map { (x: $0[0], y: $0[1]) })
      }
      series.append(LineFigure.Series(name: "chance", points: [(0, 0), (1, 1)], dashed: true, colour: "#999"))
      var figure = LineFigure(title: "ROC, test fold — \(e.task)", xLabel: "false-positive rate", yLabel: "true-positive rate",
                              xRange: 0...1, yRange: 0...1, series: series)
      figure.width = 260
      figure.height = 260
      section.blocks.append(.figures([figure.svg()], caption: "ROC curves of the \(shown.count) classes with the most test records (legend: class and test AUC)."))
    }
    return section
  }

  func concepts() -> Section {
    var section = Section(id: "tcav", title: "Concepts (TCAV)")
    guard let tcav = run.decode(TCAVResult.self, "tcav.json") else {
      section.blocks.append(.paragraph("No TCAV results (`ecgxai features` then `ecgxai concepts RUN` write tcav.json)." + run.corruptNote("tcav.json", decoded: false)))
      return section
    }
    let settings = tcav.settings
    section.blocks.append(.paragraph("TCAV with the paper's expert concepts (computed from ecgxai's own features, docs/features.md) on every layer: \(settings.runs) CAVs per concept on disjoint examples against random records, Captum's sign_count for each target class, Welch t-tests against \(settings.randomRuns) random-vs-random CAVs, Bonferroni over \(tcav.bonferroniTests) tests (α \(settings.alpha))."))
    var pairs: [String: (up: Int, down: Int, layers: Int, minP: Double)] = [:]
    for cell in tcav.cells {
      let key = "\(cell.concept)\t\(cell.target)"
      var entry = pairs[key] ?? (0, 0, 0, 1)
      entry.layers += 1
      switch cell.significantDirection {
      case .above: entry.up += 1
      case .below: entry.down += 1
      case nil: break
      }
      entry.minP = min(entry.minP, cell.pBonferroni ?? 1)
      pairs[key] = entry
    }
    let rows = pairs.filter { $0.value.up + $0.value.down > 0 }.sorted { $0.value.up != $1.value.up ? $0.value.up > $1.value.up : $0.key < $1.key }
      .map { key, v -> [String] in
        let parts = key.split(separator: "\t").map(String.init)
        return [parts[0], parts[1], "\(v.up) / \(v.layers)", "\(v.down)", String(format: "%.1e", v.minP)]
      }
    section.blocks.append(.table(header: ["concept", "class", "layers significant ↑", "↓", "min Bonferroni p"], rows: rows, numeric: false))
    let figures = ["concepts/tcav-overview.svg", "concepts/tcav-pairs.svg"].compactMap(run.text)
    if !figures.isEmpty {
      section.blocks.append(.figures(figures, caption: "Left: mean sign_count per concept × layer for each target class; dots mark significant cells, expected (concept, class) pairs are outlined; CAV hold-out accuracy. Right: sign_count per layer ± SD for the expected pairs against the random band."))
    }
    return section
  }
}
