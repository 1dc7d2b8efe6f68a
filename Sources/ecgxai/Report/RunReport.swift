import ECGConcepts
import ECGReport
import Foundation

/// Builds the HTML report of a run directory from the result files the steps wrote. Each
/// section reads only its own files and, when they are absent, says which command makes them.
struct RunReport {
  let runURL: URL
  var examplesPerCondition = 1

  typealias Section = HTMLReport.Section

  /// A JSON object of the run directory, or nil when absent or not an object.
  func json(_ name: String) -> [String: Any]? { RunSummary(runURL: runURL).json(name) }

  /// " NAME is there but does not parse: …" when `name` exists yet `json(name)` read nothing —
  /// a corrupt or cut-short result must not read as a step never run; "" otherwise.
  func corruptNote(_ name: String) -> String {
    guard FileManager.default.fileExists(atPath: runURL.appendingPathComponent(name).path), json(name) == nil else { return "" }
    return " \(name) is there but does not parse: it is corrupt or cut short; run that command again."
  }

  /// The text of a file of the run directory, or nil.
  func text(_ name: String) -> String? {
    FileManager.default.contents(atPath: runURL.appendingPathComponent(name).path).flatMap { String(data: $0, encoding: .utf8) }
  }

  /// Files of the run directory matching `prefix*suffix`, sorted.
  func files(_ prefix: String, _ suffix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: runURL.path)) ?? []).filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
  }

  func build() throws -> HTMLReport {
    let manifest = json("manifest.json")
    let configuration = (manifest?["pipeline"] as? [String: Any])?["configuration"] as? [String: Any]
    let data = configuration?["data"] as? [String: Any]
    let source = (data?["source"] as? String) == "ptbxl" ? "PTB-XL folder \(data?["path"] as? String ?? "")" : "phantom cohort"
    var report = HTMLReport(
      title: "ecgxai report — \(runURL.lastPathComponent)",
      subtitle: [
        "Run directory \(runURL.path) · \(source) · written \(ISO8601DateFormatter().string(from: Date())) by ecgxai \(ECGXAI.configuration.version)",
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

  func overview(_ manifest: [String: Any]?) -> Section {
    var section = Section(id: "run", title: "Run")
    let pipeline = manifest?["pipeline"] as? [String: Any]
    let steps = pipeline?["steps"] as? [String: Any] ?? [:]
    if steps.isEmpty {
      section.blocks.append(.paragraph("This run directory was not made by `ecgxai run` / `ecgxai demo`; the sections below show what its files hold."))
    } else {
      let rows: [[String]] = PipelineStep.allCases.compactMap { step in
        guard let s = steps[step.rawValue] as? [String: Any] else { return nil }
        let seconds = (s["seconds"] as? Double).map { String(format: "%.1f", $0) } ?? ""
        let what = (s["skipped"] as? String).map { "skipped: \($0)" } ?? (s["outputs"] as? [String] ?? []).prefix(4).joined(separator: ", ")
        return [step.rawValue, seconds, s["finished"] as? String ?? "", what]
      }
      section.blocks.append(.table(header: ["step", "seconds", "finished", "outputs"], rows: rows, numeric: false))
      if let c = pipeline?["configuration"] as? [String: Any] {
        func text(_ v: Any) -> String {
          switch v {
          case let list as [Any]: return "[" + list.map(text).joined(separator: ", ") + "]"
          case is NSNull: return "—"
          default: return "\(v)"
          }
        }
        let settings: [[String]] = PipelineStep.allCases.compactMap { step in
          guard let s = c[step.rawValue] as? [String: Any], !s.filter({ $0.key != "seed" }).isEmpty else { return nil }
          return [step.rawValue, s.filter { $0.key != "seed" }.sorted { $0.key < $1.key }.map { "\($0.key) \(text($0.value))" }.joined(separator: " · ")]
        }
        section.blocks.append(.table(header: ["step", "settings (manifest.json; seed \(c["seed"].map(text) ?? "0"))"], rows: settings, numeric: false))
      }
    }
    return section
  }

  func models() -> Section {
    var section = Section(id: "models", title: "Dataset and models")
    let evaluations = files("evaluation-", ".json").compactMap { json($0) }.sorted { ($0["model"] as? String ?? "") < ($1["model"] as? String ?? "") }
    guard !evaluations.isEmpty else {
      section.blocks.append(.paragraph("No classifier evaluation in this run (`ecgxai run` writes evaluation-TASK.json in its train step)."))
      return section
    }
    section.blocks.append(.paragraph("Classifiers are trained with the paper's protocol: strat_fold 1–8 train, 9 validation, 10 test; AdamW (lr 1e-3, weight decay 1e-3), batch 128, random 2.5 s crops, the checkpoint with the best validation macro-AUC; AUCs are on the full 10 s test records."))
    for e in evaluations {
      let task = e["task"] as? String ?? "?"
      let classes = e["classes"] as? [String] ?? []
      let counts = e["class_counts"] as? [String: [String: Int]] ?? [:]
      let test = e["test"] as? [String: Any] ?? [:]
      let perClass = test["per_class_auc"] as? [String: Any] ?? [:]
      let records = e["records"] as? [String: Int] ?? [:]
      let macro = (test["macro_auc"] as? Double).map { String(format: "%.3f", $0) } ?? "n/a"
      section.blocks.append(.heading("\(task): \(e["arch"] as? String ?? "?"), \(classes.count) classes — test macro-AUC \(macro)"))
      section.blocks.append(.paragraph("\(e["model"] as? String ?? "model")/ · \(e["parameters"] as? Int ?? 0) parameters · records \(records["train"] ?? 0) train / \(records["validation"] ?? 0) validation / \(records["test"] ?? 0) test"
        + ((e["best_epoch"] as? Int).map { " · best epoch \($0) of \(e["epochs"] as? Int ?? 0)" } ?? (e["pretrained"] as? Bool == true ? " · given model, not trained here" : ""))))
      let rows = classes.map { name -> [String] in
        [name, "\(counts["train"]?[name] ?? 0)", "\(counts["validation"]?[name] ?? 0)", "\(counts["test"]?[name] ?? 0)",
         (perClass[name] as? Double).map { String(format: "%.3f", $0) } ?? "—"]
      }
      section.blocks.append(.table(header: ["class", "train", "validation", "test", "test AUC"], rows: rows, numeric: true))
      let roc = test["roc"] as? [String: [[Double]]] ?? [:]
      let shown = classes.filter { roc[$0] != nil }.sorted { (counts["test"]?[$0] ?? 0) > (counts["test"]?[$1] ?? 0) }.prefix(8)
      var series = shown.map { name in
        LineFigure.Series(name: "\(name) \((perClass[name] as? Double).map { String(format: "%.2f", $0) } ?? "")",
                          points: (roc[name] ?? []).map { (x: $0[0], y: $0[1]) })
      }
      series.append(LineFigure.Series(name: "chance", points: [(0, 0), (1, 1)], dashed: true, colour: "#999"))
      var figure = LineFigure(title: "ROC, test fold — \(task)", xLabel: "false-positive rate", yLabel: "true-positive rate",
                              xRange: 0...1, yRange: 0...1, series: series)
      figure.width = 260
      figure.height = 260
      section.blocks.append(.figures([figure.svg()], caption: "ROC curves of the \(shown.count) classes with the most test records (legend: class and test AUC)."))
    }
    return section
  }

  func concepts() -> Section {
    var section = Section(id: "tcav", title: "Concepts (TCAV)")
    guard let tcav = json("tcav.json"), let cells = tcav["cells"] as? [[String: Any]] else {
      section.blocks.append(.paragraph("No TCAV results (`ecgxai features` then `ecgxai concepts RUN` write tcav.json)." + corruptNote("tcav.json")))
      return section
    }
    let settings = tcav["settings"] as? [String: Any] ?? [:]
    section.blocks.append(.paragraph("TCAV with the paper's expert concepts (computed from ecgxai's own features, docs/features.md) on every layer: \(settings["runs"] as? Int ?? 0) CAVs per concept on disjoint examples against random records, Captum's sign_count for each target class, Welch t-tests against \(settings["randomRuns"] as? Int ?? 0) random-vs-random CAVs, Bonferroni over \(tcav["bonferroniTests"] as? Int ?? 0) tests (α \(settings["alpha"] as? Double ?? 0.05))."))
    var pairs: [String: (up: Int, down: Int, layers: Int, minP: Double)] = [:]
    for cell in cells {
      let key = "\(cell["concept"] as? String ?? "?")\t\(cell["target"] as? String ?? "?")"
      var entry = pairs[key] ?? (0, 0, 0, 1)
      entry.layers += 1
      switch TCAVResult.Cell.significantDirection(
        significant: (cell["significant"] as? Bool) == true, meanSignCount: cell["meanSignCount"] as? Double ?? .nan,
        randomMeanSignCount: cell["randomMeanSignCount"] as? Double ?? .nan) {
      case .above: entry.up += 1
      case .below: entry.down += 1
      case nil: break
      }
      entry.minP = min(entry.minP, cell["pBonferroni"] as? Double ?? 1)
      pairs[key] = entry
    }
    let rows = pairs.filter { $0.value.up + $0.value.down > 0 }.sorted { $0.value.up != $1.value.up ? $0.value.up > $1.value.up : $0.key < $1.key }
      .map { key, v -> [String] in
        let parts = key.split(separator: "\t").map(String.init)
        return [parts[0], parts[1], "\(v.up) / \(v.layers)", "\(v.down)", String(format: "%.1e", v.minP)]
      }
    section.blocks.append(.table(header: ["concept", "class", "layers significant ↑", "↓", "min Bonferroni p"], rows: rows, numeric: false))
    let figures = ["concepts/tcav-overview.svg", "concepts/tcav-pairs.svg"].compactMap(text)
    if !figures.isEmpty {
      section.blocks.append(.figures(figures, caption: "Left: mean sign_count per concept × layer for each target class; dots mark significant cells, expected (concept, class) pairs are outlined; CAV hold-out accuracy. Right: sign_count per layer ± SD for the expected pairs against the random band."))
    }
    return section
  }

  func discovery() -> Section {
    var section = Section(id: "discovery", title: "Knowledge discovery")
    guard let d = json("discovery.json"), let results = d["results"] as? [[String: Any]] else {
      section.blocks.append(.paragraph("No discovery results (`ecgxai discover RUN --class MI --subtypes AMI,IMI` writes discovery.json)." + corruptNote("discovery.json")))
      return section
    }
    let subtypes = (d["subtypes"] as? [String] ?? []).joined(separator: " / ")
    section.blocks.append(.paragraph("\(d["records"] as? Int ?? 0) records of \(d["class"] as? String ?? "?") whose only diagnostic subclass is one of \(subtypes), clustered (\(d["clusters"] as? Int ?? 2) clusters) from each representation after PCA\((d["whiten"] as? Bool) == true ? " (whitened)" : ""); the scores compare the clusters with the known subtypes. The paper's point: attributions (\(d["method"] as? String ?? "saliency"), beat-aligned) separate subtypes better than the inputs or the hidden features."))
    func f(_ x: Any?) -> String { (x as? Double).map { String(format: "%.2f", $0) } ?? "—" }
    // Scores against the reader's labels and, on the phantom, the planted territory (records
    // whose planted finding belongs to exactly one subtype) and the planted subtypes.
    let truths = ["subtypes", "planted territory", "planted subtype"].filter { name in
      results.contains { (($0["scores"] as? [String: Any])?[name]) != nil }
    }
    let rows = results.map { r -> [String] in
      let scores = r["scores"] as? [String: Any] ?? [:]
      let stability = (r["stability_jaccard"] as? [Any] ?? []).map { ($0 as? Double).map { String(format: "%.2f", $0) } ?? "—" }.joined(separator: " / ")
      let women = (r["female_share"] as? [Any] ?? []).map { ($0 as? Double).map { String(format: "%.0f %%", 100 * $0) } ?? "—" }.joined(separator: " / ")
      return [r["representation"] as? String ?? "?", r["algorithm"] as? String ?? "?"]
        + truths.map { name in
          let s = scores[name] as? [String: Any] ?? [:]
          return "\(f(s["ari"])) / \(f(s["nmi"])) / \(f(s["matched_accuracy"]))"
        }
        + [f(r["silhouette"]), stability, women]
    }
    let names = ["subtypes": "vs labels", "planted territory": "vs planted territory", "planted subtype": "vs planted subtype"]
    section.blocks.append(.table(header: ["representation", "algorithm"] + truths.map { "ARI / NMI / accuracy \(names[$0]!)" } + ["silhouette", "stability (Jaccard)", "women per cluster"], rows: rows, numeric: false))
    if truths.contains("planted territory") {
      section.blocks.append(.note("Planted territory: the subtype the record's planted findings belong to (the phantom's truth: ILMI counts as IMI, ASMI and ALMI as AMI); records labelled with a subtype but without a planted finding of one (label noise) or with findings of two are not scored against it. Planted subtype: the finding and its hidden variant, with the label-noise records as a group of their own."))
    }
    if let svg = text("discovery.svg") {
      section.blocks.append(.figures([svg], caption: "Cluster prototypes (mean beat over the mean |attribution| per lead), composition by subtype and share of women, ARI of every representation × algorithm, and a t-SNE of the attributions."))
    }
    return section
  }
}
