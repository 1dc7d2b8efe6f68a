import ECGSignal
import Foundation

extension DiscoveryAnalysis {
  /// The known groupings of the clustered records: the subtypes, and given a truth the planted
  /// subtype, the planted territory (with subtypes) and the groupings with and within the stage.
  func knownGroupings(
    ids: [Int], kept: [CohortMember], dataset: PTBXLDataset, truth: (any RecordTruth)?,
    progress: (DiscoveryProgress) throws -> Void
  ) throws -> [DiscoveryGrouping] {
    let (className, subtypeNames) = (settings.className, settings.subtypes)
    var groupings: [DiscoveryGrouping] = []
    if !subtypeNames.isEmpty { groupings.append(DiscoveryGrouping(name: "subtypes", labels: kept.map { $0.subtype! }, names: subtypeNames)) }
    guard let truth else { return groupings }
    let wanted = Set([className] + subtypeNames)
    // The planted subtypes of the class's findings: finding/variant, with and within stage.
    let planted = ids.map { id in
      (truth.findings[id] ?? []).filter { finding in
        finding.planted
          && (wanted.contains(finding.code)
            || dataset.statements[finding.code].map { wanted.contains($0.diagnosticClass ?? "") || wanted.contains($0.diagnosticSubclass ?? "") } == true)
      }
      .map(\.subtype)
    }
    let hidden = HiddenSubtypeGroups.groupings(planted).map { DiscoveryGrouping(name: $0.name, labels: $0.labels, names: $0.names) }
    groupings += hidden.filter { $0.name == "planted subtype" }
    // The planted territory: the subtype (e.g. AMI / IMI) that the record's planted findings
    // belong to (ILMI → IMI, ASMI → AMI, …) — the truth the reader's labels approximate. Records
    // with no planted finding of a subtype (label noise) or with findings of two are not scored.
    if !subtypeNames.isEmpty {
      let territory = ids.map { id -> Int in
        let found = Set((truth.findings[id] ?? []).filter(\.planted).compactMap { finding -> Int? in
          let subclass = dataset.statements[finding.code]?.diagnosticSubclass
          return subtypeNames.firstIndex { $0 == finding.code || $0 == subclass }
        })
        return found.count == 1 ? found.first! : -1
      }
      groupings.append(DiscoveryGrouping(name: "planted territory", labels: territory, names: subtypeNames))
      let unscored = territory.filter { $0 < 0 }.count
      if unscored > 0 {
        try progress(.line(
          "  planted territory: \(unscored) of \(ids.count) records have no planted \(subtypeNames.joined(separator: "/")) finding or two of them and are not scored against it"))
      }
    }
    groupings += hidden.filter { $0.name != "planted subtype" }
    return groupings
  }

  /// A clustering's scores against every grouping (records a grouping does not know, label −1,
  /// are left out of its scores), and the table cells `ARI/NMI/acc`.
  static func scores(of labels: [Int], against groupings: [DiscoveryGrouping]) -> (scores: [String: DiscoveryScore], cells: [String]) {
    var against: [String: DiscoveryScore] = [:]
    var cells: [String] = []
    for truth in groupings {
      let scored = truth.labels.indices.filter { truth.labels[$0] >= 0 }
      let (known, found) = (scored.map { truth.labels[$0] }, scored.map { labels[$0] })
      let ari = ClusterMetrics.adjustedRandIndex(known, found), nmi = ClusterMetrics.normalizedMutualInformation(known, found)
      let accuracy = ClusterMetrics.matchedAccuracy(known, found)
      let table = ClusterMetrics.contingency(known, found)
      against[truth.name] = DiscoveryScore(
        ari: ari, nmi: nmi, matchedAccuracy: accuracy, classes: table.classes.map { truth.names[$0] }, contingency: table.counts,
        records: scored.count)
      cells.append(String(format: "%.2f/%.2f/%.2f", ari, nmi, accuracy))
    }
    return (against, cells)
  }

  /// Every column scaled to zero mean and unit variance (constant columns to 0).
  static func standardised(_ values: [Double], rows n: Int, features d: Int) -> [Double] {
    var out = values
    for f in 0..<d {
      var m = 0.0, v = 0.0
      for r in 0..<n { m += values[r * d + f] }
      m /= Double(n)
      for r in 0..<n { v += (values[r * d + f] - m) * (values[r * d + f] - m) }
      let sd = (v / Double(n)).squareRoot()
      for r in 0..<n { out[r * d + f] = sd > 0 ? (values[r * d + f] - m) / sd : 0 }
    }
    return out
  }

  /// The mean of the given rows of a row-major matrix.
  static func mean(_ values: [Double], width: Int, rows: [Int]) -> [Double] {
    var out = [Double](repeating: 0, count: width)
    for r in rows { for i in 0..<width { out[i] += values[r * width + i] } }
    return out.map { rows.isEmpty ? 0 : $0 / Double(rows.count) }
  }
}
