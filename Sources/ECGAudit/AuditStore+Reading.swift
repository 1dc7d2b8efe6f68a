import Foundation
import GRDB

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
    var configuration = Configuration()
    configuration.readonly = true
    do {
      let queue = try DatabaseQueue(path: url.path, configuration: configuration)
      return try queue.read { db in
        let rows = try Row.fetchAll(db, sql: """
          SELECT m.condition, m.view, m.lead, m.segment, m.lead_name, m.segment_label, m.mean, m.density, m.reference_density,
                 t.p_holm, t.auc, t.rule_cell, t.evidence_cell
          FROM maps m LEFT JOIN tests t USING (condition, view, lead, segment)
          ORDER BY m.condition, m.view, m.lead, m.segment
          """)
        return rows.map { r in
          AuditMapCell(
            condition: r["condition"], view: r["view"], lead: r["lead"], segment: r["segment"], leadName: r["lead_name"],
            segmentLabel: r["segment_label"], mean: r["mean"], density: r["density"], referenceDensity: r["reference_density"],
            pHolm: r["p_holm"], auc: r["auc"], ruleCell: (r["rule_cell"] as Int?) == 1, evidenceCell: (r["evidence_cell"] as Int?) == 1)
        }
      }
    } catch let error as DatabaseError {
      throw AuditError.unreadableResults(path: url.path, reason: error.message ?? "\(error)")
    }
  }

  /// Every subgroup map cell of a final `results.sqlite`, ordered by condition, kind, value, cell.
  public static func readSubgroups(_ url: URL) throws -> [AuditSubgroupCell] {
    var configuration = Configuration()
    configuration.readonly = true
    do {
      let queue = try DatabaseQueue(path: url.path, configuration: configuration)
      return try queue.read { db in
        try Row.fetchAll(db, sql: "SELECT condition, kind, value, n, lead, segment, mean FROM subgroups ORDER BY condition, kind, value, lead, segment")
          .map { r in
            AuditSubgroupCell(condition: r["condition"], kind: r["kind"], value: r["value"], n: r["n"], lead: r["lead"], segment: r["segment"], mean: r["mean"])
          }
      }
    } catch let error as DatabaseError {
      throw AuditError.unreadableResults(path: url.path, reason: error.message ?? "\(error)")
    }
  }
}
