import ECGAudit
import ECGTensor
import Foundation

extension AuditStore {
  static let finalSchema = """
    CREATE TABLE groups (target TEXT NOT NULL, rank INTEGER NOT NULL, ecg_id INTEGER NOT NULL, score REAL, labelled INTEGER NOT NULL, PRIMARY KEY (target, rank)) WITHOUT ROWID;
    CREATE TABLE maps (
      condition TEXT NOT NULL, view TEXT NOT NULL, lead INTEGER NOT NULL, segment INTEGER NOT NULL, lead_name TEXT NOT NULL, segment_label TEXT NOT NULL,
      mean REAL, median REAL, q25 REAL, q75 REAL, density REAL, reference_density REAL,
      PRIMARY KEY (condition, view, lead, segment)) WITHOUT ROWID;
    CREATE TABLE tests (
      condition TEXT NOT NULL, view TEXT NOT NULL, reference TEXT NOT NULL, lead INTEGER NOT NULL, segment INTEGER NOT NULL,
      lead_name TEXT NOT NULL, segment_label TEXT NOT NULL, n INTEGER NOT NULL, n_reference INTEGER NOT NULL,
      u REAL, p REAL, p_holm REAL, exact INTEGER, auc REAL, rank_biserial REAL, auc_ci_low REAL, auc_ci_high REAL,
      rule_cell INTEGER NOT NULL, evidence REAL, evidence_cell INTEGER,
      PRIMARY KEY (condition, view, lead, segment)) WITHOUT ROWID;
    CREATE TABLE alignment (
      condition TEXT NOT NULL, view TEXT NOT NULL, against TEXT NOT NULL, cells INTEGER NOT NULL, enrichment_auc REAL, mean_rank_percentile REAL,
      relevance_share REAL, chance_share REAL, enrichment REAL, top5_in_set INTEGER, significant_cells INTEGER, median_p_holm REAL,
      PRIMARY KEY (condition, view, against)) WITHOUT ROWID;
    CREATE TABLE subgroups (
      condition TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, lead INTEGER NOT NULL, segment INTEGER NOT NULL,
      mean REAL, median REAL, q25 REAL, q75 REAL,
      PRIMARY KEY (condition, kind, value, lead, segment)) WITHOUT ROWID;
    """

  /// Writes the final `results.sqlite` of an analysis (atomically).
  public static func writeFinal(_ url: URL, analysis: AuditAnalysis) throws {
    let (db, temporary) = try create(url)
    do {
      try db.transaction {
        try db.execute(finalSchema)
        try writeMeta(db, settings: analysis.settings, extra: ["kind": "final"])
        try insert(db, records: analysis.records, items: [])
        try analysis.forEachItemChunk { items in try insert(db, records: [], items: items) }
        let byID = Dictionary(uniqueKeysWithValues: analysis.records.map { ($0.ecgID, $0) })
        let group = try db.prepare("INSERT INTO groups VALUES (?, ?, ?, ?, ?)")
        for (target, ids) in analysis.groups.sorted(by: { $0.key < $1.key }) {
          for (rank, id) in ids.enumerated() {
            let record = byID[id]
            try group.execute([target, rank + 1, id, record?.scores[target].map { Double($0) }, (record?.labels.contains(target) ?? false) ? 1 : 0])
          }
        }
        func value(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }
        let map = try db.prepare("INSERT INTO maps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let test = try db.prepare("INSERT INTO tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let alignment = try db.prepare("INSERT INTO alignment VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for result in analysis.conditions {
          let condition = result.summary.condition
          for m in result.maps {
            let view = m.view
            for (index, c) in m.cells.enumerated() {
              let (lead, segment) = (index / view.segmentCount, index % view.segmentCount)
              let names: [(any SQLiteBindable)?] = [lead, segment, AuditLeads.names[lead], view.segmentLabel(segment)]
              let key: [(any SQLiteBindable)?] = [condition, view.rawValue]
              let mapValues: [(any SQLiteBindable)?] = [
                value(c.mean), value(c.median), value(c.q25), value(c.q75), value(c.density), value(c.referenceDensity),
              ]
              try map.execute(key + names + mapValues)
              let testValues: [(any SQLiteBindable)?] = [
                c.test?.n1 ?? 0, c.test?.n2 ?? 0, c.test?.u, c.test?.p, c.pHolm, c.test.map { $0.exact ? 1 : 0 }, c.test?.auc,
                c.test?.rankBiserial, c.aucLow, c.aucHigh, m.ruleCells.contains(index) ? 1 : 0, c.evidence,
                m.truthCells.map { $0.contains(index) ? 1 : 0 },
              ]
              try test.execute(key + [analysis.settings.reference] + names + testValues)
            }
            for (against, scores) in [("rules", m.summary.rules), ("truth", m.summary.truth)] {
              guard let s = scores else { continue }
              try alignment.execute([
                condition, view.rawValue, against, s.cells, s.enrichmentAUC, s.meanRankPercentile, s.relevanceShare, s.chanceShare,
                value(s.enrichment), s.topFiveInSet, s.significantCells, s.medianHolmP,
              ])
            }
          }
        }
        let subgroup = try db.prepare("INSERT INTO subgroups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for s in analysis.subgroups {
          for index in 0..<AuditLeads.cellCount {
            let cell = AuditCell(index: index)
            try subgroup.execute([
              s.condition, s.kind, s.value, s.n, cell.lead, cell.segment.rawValue, value(s.mean[index]), value(s.median[index]),
              value(s.q25[index]), value(s.q75[index]),
            ])
          }
        }
      }
      try commit(db, temporary: temporary, to: url)
    } catch {
      AtomicFile.abandon(temporary)
      throw error
    }
  }
}
