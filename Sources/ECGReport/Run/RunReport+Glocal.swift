import ECGAudit
import ECGAuditStore
import Foundation

extension RunReport {
  /// The glocal audit: per condition the paper's lead × segment map and its difference to the
  /// reference group, and the alignment with expert rules and the true evidence.
  func glocal() throws -> Section {
    var section = Section(id: "glocal", title: "Glocal audit")
    guard let audit = run.decode(AuditSummary.self, "audit.json") else {
      section.blocks.append(.paragraph("No glocal audit (`ecgxai audit RUN` writes audit.json and results.sqlite)." + run.corruptNote("audit.json", decoded: false)))
      return section
    }
    let settings = audit.settings
    let alpha = settings.alpha
    let reference = settings.reference
    section.blocks.append(.paragraph("Relevance (\(settings.method), absolute) of the \(settings.selection == "top" ? "top \(settings.topN) records by predicted score" : "labelled records") per condition, cut into the paper's 24 segment classes per lead (\(settings.segmentation) fiducials); each cell is M[l, k] = Σ|A|·S / ΣS averaged over the group. Each cell's record-normalised relevance density is tested against the \(reference) group (Mann-Whitney U, Holm over the map)."))
    let cells = try AuditStore.readMaps(runURL.appendingPathComponent("results.sqlite")).filter { $0.view == "fine" }
    let subgroups = try AuditStore.readSubgroups(runURL.appendingPathComponent("results.sqlite"))
    func f(_ x: Double?) -> String { x.flatMap { $0.isFinite ? String(format: "%.2f", $0) : nil } ?? "—" }
    var alignmentRows: [[String]] = []
    for c in audit.conditions {
      let name = c.condition
      let rules = c.fine.rules, truth = c.fine.truth
      alignmentRows.append([name, "\(c.n)", "\(rules?.cells ?? 0)", f(rules?.enrichmentAUC),
                            "\(rules?.topFiveInSet ?? 0)/5", "\(rules?.significantCells ?? 0)",
                            f(c.coarse.rules?.enrichmentAUC),
                            truth.map { f($0.enrichmentAUC) } ?? "—",
                            truth.map { "\($0.significantCells)/\($0.cells)" } ?? "—"])
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
      var map = SegmentMapFigure(title: "\(name): mean relevance M (n \(c.n))", rows: leadNames, columns: segmentNames, values: means)
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
