import ECGAudit
import ECGReport
import ECGSignal
import Foundation

extension RunReport {
  /// Attributions of the test records: relevance inside the true evidence (phantom) and example
  /// records with their attribution overlaid.
  func attributions() throws -> Section {
    var section = Section(id: "attributions", title: "Attributions")
    guard let explain = json("explain.json"), let methods = explain["methods"] as? [String], let firstMethod = methods.first else {
      section.blocks.append(.paragraph("No attributions of the run's test records (`ecgxai run` writes them in its explain step; `ecgxai explain RUN --method saliency` writes one method)." + corruptNote("explain.json")))
      return section
    }
    section.blocks.append(.paragraph("\(explain["records"] as? Int ?? 0) records of the \(explain["split"] as? String ?? "test") split, attributed by \(methods.joined(separator: ", ")) of \(explain["model_name"] as? String ?? "the model") (RUN/\(explain["model"] as? String ?? "model")) to the class of their planted, labelled finding (phantom; otherwise the predicted class)."))
    if let mass = explain["relevance_mass_in_evidence"] as? [String: [String: [String: Double]]], !mass.isEmpty {
      let rows = mass.sorted { $0.key < $1.key }.map { code, byMethod -> [String] in
        [code, "\(Int(byMethod.values.first?["n"] ?? 0))"] + methods.map { m in byMethod[m].map { String(format: "%.2f×", $0["over_chance"] ?? 0) } ?? "—" }
      }
      section.blocks.append(.table(header: ["finding", "records"] + methods, rows: rows, numeric: true))
      section.blocks.append(.note("Relevance mass accuracy over chance: the share of |attribution| inside the finding's true evidence mask (lead × time, from the phantom's truth) divided by the mask's share of the record; 1× is no better than chance. Methods that multiply by the input (IG, LRP) favour high-amplitude samples, where QRS and LVH evidence lies — the sanity checks below separate that from faithfulness."))
    }
    // Examples show the audit's method when it was computed here (the demo's LRP-ε), else the first.
    let auditMethod = (json("audit.json")?["settings"] as? [String: Any])?["method"] as? String
    let first = auditMethod.flatMap { methods.contains($0) ? $0 : nil } ?? firstMethod
    guard examplesPerCondition > 0, let ids = text("attributions/\(first).ecg_id.csv")?.split(separator: "\n").dropFirst().compactMap({ Int($0) }),
      let targets = (explain["targets"] as? [String: Any])?["classes"] as? [String], targets.count == ids.count
    else { return section }
    let attributionURL = runURL.appendingPathComponent("attributions/\(first).npy")
    guard FileManager.default.fileExists(atPath: attributionURL.path) else { return section }
    let attribution = try NumPy.read(attributionURL)
    guard attribution.rank == 3, attribution.shape[0] == ids.count, attribution.shape[1] == 12 else { return section }
    guard let dataset = try DatasetOptions(data: runURL.appendingPathComponent("data").path, rate: 100, folds: nil).load() else { return section }
    let index = Dictionary(dataset.entries.enumerated().map { ($1.ecgID, $0) }, uniquingKeysWith: { a, _ in a })
    var plots: [String] = []
    var shownClasses: [String] = []
    for name in Array(Set(targets)).sorted() {
      for row in targets.indices.filter({ targets[$0] == name }).prefix(examplesPerCondition) {
        guard let entryIndex = index[ids[row]] else { continue }
        let record = try dataset.record(at: entryIndex, rate: 100)
        let samples = attribution.shape[2]
        guard record.sampleCount == samples else { continue }
        let values = Array(attribution.scalars[(row * 12 * samples)..<((row + 1) * 12 * samples)])
        var plot = ClinicalECGPlot()
        plot.relevance = ClinicalECGPlot.normalisedRelevance(values, leadNames: record.leadNames, samples: samples)
        let codes = dataset.entries[entryIndex].scpCodes.keys.sorted().joined(separator: ", ")
        plots.append(try plot.svg(record, title: "ecg_id \(ids[row]) — \(first) of output \(name) · SCP codes \(codes)"))
        shownClasses.append(name)
      }
    }
    if !plots.isEmpty {
      section.blocks.append(.heading("Example records"))
      section.blocks.append(.figures(plots, caption: "One test record per attributed class (\(shownClasses.joined(separator: ", "))), 25 mm/s, 10 mm/mV, with |\(first)| overlaid under the trace: each sample's |attribution| divided by the record's 99th percentile, in 8 levels: transparent below a quarter of it, then light blue through blue to navy (≥ the 99th percentile)."))
    }
    return section
  }

  /// The sanity checks: per regression task the paper's method × check table with bootstrap
  /// CIs, the randomisation and faithfulness tables and the temporal profiles; then the
  /// localisation of the classifier's attributions per class (RunReport+Sanity.swift).
  func sanity() -> Section {
    var section = Section(id: "sanity", title: "Sanity checks")
    let runs = files("sanity-", ".json").filter { $0 != "sanity-localisation.json" }.compactMap { json($0) }.filter { $0["task"] != nil }
    let localisation = json("sanity-localisation.json")
    guard !runs.isEmpty || localisation != nil else {
      section.blocks.append(.paragraph("No sanity checks (`ecgxai sanity RUN --task T_Wave_Amplitude` writes sanity-TASK.json, `ecgxai sanity RUN --localisation` sanity-localisation.json)."))
      return section
    }
    if !runs.isEmpty {
      section.blocks.append(.paragraph("The paper's sanity checks: a regression model with one output per lead learns each lead's P-, R- or T-wave amplitude; a faithful attribution of output c puts its relevance on lead c (spatial specificity: 1 ideal, 0.289 uniform) and on the right wave (temporal profile −300…+500 ms around the R peaks; its share inside the true wave window against chance). Beyond the paper: model-parameter randomisation (cascading and independent), data randomisation and the random-logit test — similarity of the maps by Spearman of |A|, 1-D SSIM and top-k intersection, where a sensible method falls towards 0 — and faithfulness by deletion and insertion of lead × time windows and by faithfulness correlation. Brackets: percentile bootstrap 95 % CIs over records."))
    }
    for (i, s) in runs.enumerated() { section.blocks += sanityTask(s, notes: i == 0) }
    if let localisation { section.blocks += sanityLocalisation(localisation) }
    return section
  }

  /// The glocal audit: per condition the paper's lead × segment map and its difference to the
  /// reference group, and the alignment with expert rules and the true evidence.
  func glocal() throws -> Section {
    var section = Section(id: "glocal", title: "Glocal audit")
    guard let audit = json("audit.json"), let conditions = audit["conditions"] as? [[String: Any]] else {
      section.blocks.append(.paragraph("No glocal audit (`ecgxai audit RUN` writes audit.json and results.sqlite)." + corruptNote("audit.json")))
      return section
    }
    let settings = audit["settings"] as? [String: Any] ?? [:]
    let alpha = settings["alpha"] as? Double ?? 0.01
    let reference = settings["reference"] as? String ?? "NORM"
    section.blocks.append(.paragraph("Relevance (\(settings["method"] as? String ?? "?"), absolute) of the \(settings["selection"] as? String == "top" ? "top \(settings["topN"] as? Int ?? 100) records by predicted score" : "labelled records") per condition, cut into the paper's 24 segment classes per lead (\(settings["segmentation"] as? String ?? "delineation") fiducials); each cell is M[l, k] = Σ|A|·S / ΣS averaged over the group. Each cell's record-normalised relevance density is tested against the \(reference) group (Mann-Whitney U, Holm over the map)."))
    let cells = try AuditStore.readMaps(runURL.appendingPathComponent("results.sqlite")).filter { $0.view == "fine" }
    let subgroups = try AuditStore.readSubgroups(runURL.appendingPathComponent("results.sqlite"))
    func f(_ x: Any?) -> String { (x as? Double).map { String(format: "%.2f", $0) } ?? "—" }
    var alignmentRows: [[String]] = []
    for c in conditions {
      let name = c["condition"] as? String ?? "?"
      let fine = c["fine"] as? [String: Any] ?? [:], coarse = c["coarse"] as? [String: Any] ?? [:]
      let rules = fine["rules"] as? [String: Any], truth = fine["truth"] as? [String: Any]
      alignmentRows.append([name, "\(c["n"] as? Int ?? 0)", "\(rules?["cells"] as? Int ?? 0)", f(rules?["enrichmentAUC"]),
                            "\(rules?["topFiveInSet"] as? Int ?? 0)/5", "\(rules?["significantCells"] as? Int ?? 0)",
                            f((coarse["rules"] as? [String: Any])?["enrichmentAUC"]),
                            truth.map { _ in f(truth?["enrichmentAUC"]) } ?? "—",
                            truth.map { "\($0["significantCells"] as? Int ?? 0)/\($0["cells"] as? Int ?? 0)" } ?? "—"])
      let mine = cells.filter { $0.condition == name }
      guard !mine.isEmpty else { continue }
      let leads = Array(Set(mine.map(\.lead))).sorted(), segments = Array(Set(mine.map(\.segment))).sorted()
      let leadNames = leads.map { l in mine.first { $0.lead == l }!.leadName }
      let segmentNames = segments.map { k in mine.first { $0.segment == k }!.segmentLabel }
      var means = Array(repeating: [Double?](repeating: nil, count: segments.count), count: leads.count)
      var differences = means
      var marked = Set<[Int]>(), outlined = Set<[Int]>(), evidence = Set<[Int]>()
      for cell in mine {
        guard let r = leads.firstIndex(of: cell.lead), let k = segments.firstIndex(of: cell.segment) else { continue }
        means[r][k] = cell.mean
        if let d = cell.density, let ref = cell.referenceDensity { differences[r][k] = d - ref }
        if let p = cell.pHolm, p < alpha, (cell.auc ?? 0) > 0.5 { marked.insert([r, k]) }
        if cell.ruleCell { outlined.insert([r, k]) }
        if cell.evidenceCell { evidence.insert([r, k]) }
      }
      let ranked = mine.filter { $0.mean != nil }.sorted { $0.mean! > $1.mean! }.prefix(5).compactMap { cell -> [Int]? in
        guard let r = leads.firstIndex(of: cell.lead), let k = segments.firstIndex(of: cell.segment) else { return nil }
        return [r, k]
      }
      var map = SegmentMapFigure(title: "\(name): mean relevance M (n \(c["n"] as? Int ?? 0))", rows: leadNames, columns: segmentNames, values: means)
      map.marked = marked
      map.outlined = outlined
      map.outlinedSecondary = evidence
      map.ranked = Array(ranked)
      map.scaleLabel = "mean |relevance|"
      var difference = SegmentMapFigure(title: "\(name) − \(reference): relevance density", rows: leadNames, columns: segmentNames, values: differences)
      difference.diverging = true
      difference.marked = marked
      difference.outlined = outlined
      difference.scaleLabel = "density difference"
      // Subgroup maps: every kind the audit stored (sex, age band, the phantom's hidden subtype,
      // --subgroups feature queries), one row of small maps per kind.
      var subgroupBlocks: [HTMLReport.Block] = []
      for (kind, heading) in Self.subgroupKinds {
        let ofKind = subgroups.filter { $0.condition == name && $0.kind == kind }
        let values = Self.ordered(Set(ofKind.map(\.value)), kind: kind)
        var maps: [String] = [], counts: [String] = []
        for value in values {
          let group = ofKind.filter { $0.value == value }
          guard let n = group.first?.n, n >= Self.subgroupMinimum else { continue }
          var cellValues = Array(repeating: [Double?](repeating: nil, count: segments.count), count: leads.count)
          for cell in group {
            if let r = leads.firstIndex(of: cell.lead), let k = segments.firstIndex(of: cell.segment) { cellValues[r][k] = cell.mean }
          }
          var figure = SegmentMapFigure(title: "\(name), \(value) (n \(n))", rows: leadNames, columns: segmentNames, values: cellValues)
          figure.outlined = outlined
          figure.cellWidth = 12
          figure.cellHeight = 11
          figure.scaleLabel = "mean |relevance|"
          maps.append(figure.svg())
          counts.append("\(value) \(n)")
        }
        guard maps.count >= 2 else { continue }
        subgroupBlocks.append(.figures(maps, caption: "\(name) by \(heading) (\(counts.joined(separator: ", ")) records of the group; subgroups under \(Self.subgroupMinimum) records left out): the same map over each subgroup's records; outlines: the expert rule. All subgroups, with medians and quartiles, are in results.sqlite's subgroups table."))
      }
      section.blocks.append(.figures([map.svg(), difference.svg()], caption: "\(name): left, the paper's 12 × 24 map with the five highest cells numbered; right, the difference of the record-normalised density to \(reference). Dots: Holm p < \(alpha) with more relevance than \(reference); black outlines: the expert rule's cells; dashed green: the phantom's true evidence cells."))
      section.blocks += subgroupBlocks
    }
    section.blocks.insert(.table(header: ["condition", "n", "rule cells", "rule enrichment AUC (fine)", "top 5 in rule", "significant rule cells", "rule AUC (coarse)", "true-evidence AUC", "significant evidence cells"], rows: alignmentRows, numeric: true), at: 1)
    section.blocks.insert(.note("Enrichment AUC: the probability that a rule (or true-evidence) cell holds more relevance than a cell outside it — 0.5 is no alignment, 1 perfect. The paper compared its maps with the rules by eye; this makes it a number."), at: 2)
    return section
  }

  /// The subgroup kinds the audit section draws, with their headings; `label` (co-occurring
  /// statements) is left to results.sqlite.
  static let subgroupKinds = [("sex", "sex"), ("age", "age band"), ("subtype", "hidden planted subtype"), ("feature", "feature query")]

  /// Subgroups with fewer records are not drawn (their mean map is noise).
  static let subgroupMinimum = 5

  /// Subgroup values in reading order: age bands by age, sex female first, the rest sorted.
  static func ordered(_ values: Set<String>, kind: String) -> [String] {
    let order = kind == "age" ? AuditAnalysis.ageBands : kind == "sex" ? ["female", "male"] : []
    return values.sorted { a, b in
      let (i, j) = (order.firstIndex(of: a) ?? order.count, order.firstIndex(of: b) ?? order.count)
      return i != j ? i < j : a < b
    }
  }
}
