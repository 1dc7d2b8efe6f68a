import ECGAudit
import Foundation

/// One cell of a condition's map as `results.sqlite` stores it, with its test against the
/// reference group: what the report draws.
public struct AuditMapCell: Sendable {
  /// Condition (class name) and view (`fine` = the paper's 24 classes, `coarse` = P/PQ/QRS/ST/T/TP).
  public var condition: String, view: String
  /// Lead index (0…11, I … V6) and segment index within the view.
  public var lead: Int, segment: Int
  /// Names of the lead and the segment.
  public var leadName: String, segmentLabel: String
  /// The paper's statistic: mean over the group's records of M[l, k] = Σ|A|·S / ΣS.
  public var mean: Double?
  /// Mean record-normalised density in the group and in the reference group (the test statistic).
  public var density: Double?, referenceDensity: Double?
  /// Holm-adjusted p of the cell's Mann-Whitney U test, and its AUC (P(condition > reference)).
  public var pHolm: Double?, auc: Double?
  /// Whether the cell belongs to the condition's expert rule, and to the phantom's true evidence.
  public var ruleCell: Bool, evidenceCell: Bool
}

/// One cell of a subgroup's map (fine view) as `results.sqlite` stores it.
public struct AuditSubgroupCell: Sendable {
  /// Condition, subgroup kind (sex, age, label, subtype, feature) and value (e.g. female, 60-74).
  public var condition: String, kind: String, value: String
  /// Records of the subgroup within the condition's group.
  public var n: Int
  /// Lead index (0…11) and fine segment index (0…23).
  public var lead: Int, segment: Int
  /// Mean over the subgroup's records of M[l, k].
  public var mean: Double?
}

extension AuditStore {
  /// Every map cell with its test, from a final `results.sqlite` (`ecgxai audit`).
  /// - Throws: when the file is missing, is no SQLite database, or lacks the tables.
  public static func readMaps(_ url: URL) throws -> [AuditMapCell] {
    guard FileManager.default.fileExists(atPath: url.path) else { throw AuditError.unreadableResults(path: url.path, reason: "no such file; run `ecgxai audit` first") }
    return try readFinal(url) { database in
      try database.rows("""
        SELECT m.condition, m.view, m.lead, m.segment, m.lead_name, m.segment_label, m.mean, m.density, m.reference_density,
               t.p_holm, t.auc, t.rule_cell, t.evidence_cell
        FROM maps m LEFT JOIN tests t USING (condition, view, lead, segment)
        ORDER BY m.condition, m.view, m.lead, m.segment
        """
      ).map { r in
        AuditMapCell(
          condition: try r["condition"], view: try r["view"], lead: try r["lead"], segment: try r["segment"], leadName: try r["lead_name"],
          segmentLabel: try r["segment_label"], mean: try r["mean"], density: try r["density"], referenceDensity: try r["reference_density"],
          pHolm: try r["p_holm"], auc: try r["auc"], ruleCell: (try r["rule_cell"] as Int?) == 1, evidenceCell: (try r["evidence_cell"] as Int?) == 1)
      }
    }
  }

  /// Every subgroup map cell of a final `results.sqlite`, ordered by condition, kind, value, cell.
  public static func readSubgroups(_ url: URL) throws -> [AuditSubgroupCell] {
    try readFinal(url) { database in
      try database.rows("SELECT condition, kind, value, n, lead, segment, mean FROM subgroups ORDER BY condition, kind, value, lead, segment")
        .map { r in
          AuditSubgroupCell(
            condition: try r["condition"], kind: try r["kind"], value: try r["value"], n: try r["n"], lead: try r["lead"],
            segment: try r["segment"], mean: try r["mean"])
        }
    }
  }

  /// Opens a final `results.sqlite` read-only and runs `body` on it; SQLite's errors name the file.
  static func readFinal<T>(_ url: URL, _ body: (SQLiteDatabase) throws -> T) throws -> T {
    do {
      let database = try SQLiteDatabase(path: url.path, readOnly: true)
      return try database.transaction { try body(database) }
    } catch let error as SQLiteError {
      throw AuditError.unreadableResults(path: url.path, reason: error.message)
    }
  }
}
