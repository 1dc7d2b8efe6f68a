import ECGNet
import ECGSignal
import ECGStatistics
import ECGTensor

/// The per-condition maps, tests, alignment scores and subgroup maps.
extension AuditAnalysis {
  static func analyse(
    condition: String, group: [AuditItem], reference: [AuditItem], records: [Int: AuditRecordInfo],
    rules: ExpertRules.Rule?, settings: AuditSettings, seed: UInt64
  ) -> ConditionResult {
    let fineRules = Set((rules?.cells ?? []).map(\.index))
    let fine = analyseMap(.fine, group: group, reference: reference, ruleCells: fineRules, truthCells: nil, settings: settings, seed: seed)
    // Coarse: a segment is a rule / truth cell when one of its fine classes is.
    let coarse = analyseMap(
      .coarse, group: group, reference: reference, ruleCells: Set(fineRules.map { AuditView.coarse.cell(ofFine: $0) }),
      truthCells: fine.truthCells.map { Set($0.map { AuditView.coarse.cell(ofFine: $0) }) }, settings: settings,
      seed: seed &+ 0x5555)
    let summary = ConditionSummary(
      condition: condition, n: group.count, referenceN: reference.count,
      labelled: group.filter { records[$0.ecgID]?.labels.contains(condition) ?? false }.count,
      zeroRelevance: group.filter { $0.relevance.absolute.allSatisfy { $0 == 0 } }.count,
      referenceZeroRelevance: reference.filter { $0.relevance.absolute.allSatisfy { $0 == 0 } }.count, fine: fine.summary,
      coarse: coarse.summary)
    return ConditionResult(summary: summary, maps: [fine, coarse])
  }

  /// One map: statistics per cell, tests, alignment. `truthCells` nil: derived from the
  /// evidence (fine view).
  static func analyseMap(
    _ view: AuditView, group: [AuditItem], reference: [AuditItem], ruleCells: Set<Int>, truthCells givenTruth: Set<Int>?,
    settings: AuditSettings, seed: UInt64
  ) -> MapResult {
    let cellCount = view.cellCount
    let groupRelevance = group.map { $0.relevance.viewed(view) }
    let means = groupRelevance.map(\.meanAbsolute)
    let densities = groupRelevance.map(\.density), referenceDensities = reference.map { $0.relevance.viewed(view).density }
    // Evidence per cell: share of the cell's support inside the mask, over records with the finding planted.
    let planted: [[Float]] = zip(group, groupRelevance).compactMap { item, relevance in
      guard let evidence = item.evidence, evidence.contains(where: { $0 > 0 }) else { return nil }
      guard view == .coarse else { return evidence }
      var inside = [Float](repeating: 0, count: cellCount)
      for (i, e) in evidence.enumerated() { inside[view.cell(ofFine: i)] += e * item.relevance.support[i] }
      return inside.indices.map { relevance.support[$0] > 0 ? inside[$0] / relevance.support[$0] : 0 }
    }
    var cells: [CellStatistics] = []
    var pValues: [Double] = []
    for cell in 0..<cellCount {
      let m = means.map { Double($0[cell]) }.filter(\.isFinite).sorted()
      let x = densities.map { Double($0[cell]) }.filter(\.isFinite)
      let y = referenceDensities.map { Double($0[cell]) }.filter(\.isFinite)
      let test = MannWhitneyU(x, y)
      pValues.append(test?.p ?? .nan)
      var interval: (Double, Double)? = nil
      if test != nil && settings.bootstrapResamples > 0 {
        var rng = SeededRNG.stream(seed: seed, index: UInt64(cell))
        var aucs: [Double] = []
        for _ in 0..<settings.bootstrapResamples {
          let bx = x.indices.map { _ in x[Int(rng.next() % UInt64(x.count))] }
          let by = y.indices.map { _ in y[Int(rng.next() % UInt64(y.count))] }
          aucs.append(MannWhitneyU.auc(bx, by))
        }
        aucs.sort()
        interval = (quantile(aucs, 0.025), quantile(aucs, 0.975))
      }
      let evidence: Double? = planted.isEmpty ? nil : planted.map { Double($0[cell]) }.reduce(0, +) / Double(planted.count)
      cells.append(CellStatistics(
        mean: m.isEmpty ? .nan : m.reduce(0, +) / Double(m.count), median: quantile(m, 0.5), q25: quantile(m, 0.25),
        q75: quantile(m, 0.75), density: mean(x), referenceDensity: mean(y), test: test, pHolm: nil,
        aucLow: interval?.0, aucHigh: interval?.1, evidence: evidence))
    }
    let holm = holmAdjusted(pValues)
    for cell in 0..<cellCount where !holm[cell].isNaN { cells[cell].pHolm = holm[cell] }

    let truthCells: Set<Int>? =
      planted.isEmpty ? nil : givenTruth ?? Set((0..<cellCount).filter { (cells[$0].evidence ?? 0) >= truthCellThreshold })
    let order = (0..<cellCount).filter { cells[$0].mean.isFinite }.sorted { cells[$0].mean != cells[$1].mean ? cells[$0].mean > cells[$1].mean : $0 < $1 }
    let topCells = order.prefix(5).map { index -> CellSummary in
      CellSummary(
        cell: view.cellName(index), lead: AuditLeads.names[index / view.segmentCount], segment: view.segmentLabel(index % view.segmentCount),
        meanRelevance: cells[index].mean, auc: cells[index].test?.auc, pHolm: cells[index].pHolm, ruleCell: ruleCells.contains(index),
        evidenceCell: truthCells.map { $0.contains(index) })
    }
    func alignment(_ set: Set<Int>) -> AlignmentScores? {
      guard !set.isEmpty else { return nil }
      let tested = (0..<cellCount).filter { cells[$0].test != nil }
      let enrichmentAUC = Metrics.auc(scores: tested.map { cells[$0].test!.auc }, labels: tested.map { set.contains($0) })
      var percentile = 0.0
      for (rank, index) in order.enumerated() where set.contains(index) { percentile += 1 - Double(rank) / Double(max(order.count - 1, 1)) }
      let ranked = order.filter { set.contains($0) }.count
      // Sums run over the cells in index order: a Set's order changes from process to process,
      // and the result must not.
      let members = set.sorted()
      var share = 0.0, chance = 0.0
      for relevance in groupRelevance {
        let s = relevance.share
        share += members.reduce(0.0) { $0 + (s[$1].isFinite ? Double(s[$1]) : 0) }
        let total = relevance.support.reduce(0, +)
        if total > 0 { chance += Double(members.reduce(Float(0)) { $0 + relevance.support[$1] } / total) }
      }
      share /= Double(max(group.count, 1))
      chance /= Double(max(group.count, 1))
      let significant = set.filter { (cells[$0].pHolm ?? 1) < settings.alpha && (cells[$0].test?.auc ?? 0) > 0.5 }.count
      let setP = set.compactMap { cells[$0].pHolm }.sorted()
      return AlignmentScores(
        cells: set.count, enrichmentAUC: enrichmentAUC, meanRankPercentile: ranked > 0 ? percentile / Double(ranked) : 0,
        relevanceShare: share, chanceShare: chance, enrichment: chance > 0 ? share / chance : .nan,
        topFiveInSet: order.prefix(5).filter { set.contains($0) }.count, significantCells: significant,
        medianHolmP: setP.isEmpty ? nil : quantile(setP, 0.5))
    }
    let significant = (0..<cellCount).filter { (cells[$0].pHolm ?? 1) < settings.alpha && (cells[$0].test?.auc ?? 0) > 0.5 }.count
    let summary = MapSummary(
      view: view, topCells: Array(topCells), significantCells: significant, cells: cellCount, rules: alignment(ruleCells),
      truth: truthCells.flatMap { alignment($0) })
    return MapResult(view: view, cells: cells, ruleCells: ruleCells, truthCells: truthCells, summary: summary)
  }

  /// Whether a planted subtype (`ASMI/old/septal-qs`, `IMI/old`) belongs to a model class: its
  /// finding's SCP code, subclass or superclass is the class, as the true evidence gathers them
  /// (so `AMI` holds the ASMI, AMI and ALMI subtypes, `MI` all infarcts).
  static func subtype(_ subtype: String, belongsTo condition: String) -> Bool {
    let code = subtype.split(separator: "/").first.map(String.init) ?? subtype
    return TruthFinding.code(code, belongsTo: condition)
  }

  /// The age bands of the `age` subgroups, youngest first.
  public static let ageBands = ["<40", "40-59", "60-74", ">=75"]

  /// The band of an age in years: < 40, 40–59, 60–74, ≥ 75.
  static func ageBand(_ age: Double) -> String {
    ageBands[age < 40 ? 0 : age < 60 ? 1 : age < 75 ? 2 : 3]
  }

  static func subgroups(condition: String, group: [AuditItem], records: [Int: AuditRecordInfo]) -> [SubgroupMap] {
    var members: [String: [String: [AuditItem]]] = [:]
    for item in group {
      guard let r = records[item.ecgID] else { continue }
      if let sex = r.sex { members["sex", default: [:]][sex == 1 ? "female" : "male", default: []].append(item) }
      if let age = r.age {
        members["age", default: [:]][Self.ageBand(age), default: []].append(item)
      }
      for subtype in r.subtypes where Self.subtype(subtype, belongsTo: condition) {
        members["subtype", default: [:]][subtype, default: []].append(item)
      }
      for label in r.labels { members["label", default: [:]][label, default: []].append(item) }
      for (query, holds) in r.queries {
        members["feature", default: [:]][holds ? query : "not " + query, default: []].append(item)
      }
    }
    var maps: [SubgroupMap] = []
    for (kind, values) in members.sorted(by: { $0.key < $1.key }) {
      for (value, list) in values.sorted(by: { $0.key < $1.key }) {
        var mean: [Double] = [], median: [Double] = [], q25: [Double] = [], q75: [Double] = []
        let ms = list.map { $0.relevance.meanAbsolute }
        for cell in 0..<AuditLeads.cellCount {
          let m = ms.map { Double($0[cell]) }.filter(\.isFinite).sorted()
          mean.append(m.isEmpty ? .nan : m.reduce(0, +) / Double(m.count))
          median.append(quantile(m, 0.5))
          q25.append(quantile(m, 0.25))
          q75.append(quantile(m, 0.75))
        }
        maps.append(SubgroupMap(condition: condition, kind: kind, value: value, n: list.count, mean: mean, median: median, q25: q25, q75: q75))
      }
    }
    return maps
  }
}
