import Foundation

/// The columns of `features.csv`: one row per record, units in the column names (`_ms`, `_mV`,
/// `_bpm`, `_deg`), per-lead amplitudes named like PTB-XL+'s Uni-G table (`R_Amp_V5_mV`), then the
/// expert concepts as 0/1. A record that could not be measured keeps its key and a `status` that
/// says why, with the other cells empty; a flat lead is named in `unusable_leads` and its cells are
/// empty (so are indices that need it).
public enum FeatureTable {
  /// Global feature columns.
  public static let globalColumns = [
    "r_peaks", "hr_bpm", "rr_mean_ms", "pr_ms", "p_dur_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms",
    "axis_deg", "sokolow_lyon_mV", "cornell_mV", "cornell_product_mVms", "lewis_mV", "r_transition_lead", "poor_r_progression",
    "unusable_leads",
  ]
  /// Per-lead measurements (prefix, unit) in column order.
  public static let leadMeasures = [
    ("P_Amp", "mV"), ("Q_Amp", "mV"), ("R_Amp", "mV"), ("S_Amp", "mV"), ("T_Amp", "mV"), ("ST_Amp", "mV"), ("J_Amp", "mV"),
    ("Q_Dur", "ms"), ("R_Dur", "ms"),
  ]
  /// Lead names as feature tables spell them (`Lead.names`).
  public static let leadNames = Lead.names

  /// All columns after the key column.
  public static var columns: [String] {
    ["status"] + globalColumns
      + leadNames.flatMap { lead in leadMeasures.map { "\($0.0)_\(lead)_\($0.1)" } }
      + ExpertConcepts.names
  }

  /// The cells of one record (same order as `columns`); the Cornell product needs the sex.
  public static func row(_ features: ECGFeatures, concepts: [String: Bool], female: Bool? = nil) -> [String] {
    func number(_ x: Double?, _ digits: Int) -> String {
      guard let x, x.isFinite else { return "" }
      return String(format: "%.\(digits)f", x)
    }
    var cells = ["ok", String(features.rPeakCount)]
    cells += [features.heartRateBpm, features.rrMeanMs, features.prMs, features.pDurationMs, features.qrsMs, features.qtMs,
              features.qtcBazettMs, features.qtcFridericiaMs, features.frontalAxisDeg].map { number($0, 1) }
    cells += [features.sokolowLyonMv, features.cornellMv].map { number($0, 3) }
    cells.append(number(female.flatMap { features.cornellProduct(female: $0) }, 1))
    cells.append(number(features.lewisIndexMv, 3))
    cells.append(features.rWaveTransition.map { "V\($0)" } ?? "")
    cells.append(features.poorRWaveProgression.map { $0 ? "1" : "0" } ?? "")
    cells.append(features.unusableLeads.joined(separator: " "))
    for lead in leadNames {
      if let a = features.lead(lead) {
        cells += [a.p, a.q, a.r, a.s, a.t, a.st, a.j].map { number($0, 3) } + [number(a.qDurationMs, 0), number(a.rDurationMs, 0)]
      } else {
        cells += [String](repeating: "", count: leadMeasures.count)
      }
    }
    cells += ExpertConcepts.names.map { concepts[$0] == true ? "1" : "0" }
    return cells
  }

  /// The cells of a record that could not be measured.
  public static func failedRow(_ reason: String) -> [String] {
    [reason] + [String](repeating: "", count: columns.count - 1)
  }

  /// The numeric cells of the measured rows (`status` ok) of a features file, by `ecg_id`, for
  /// the ids `keep` accepts (the file is streamed; other rows are not held). Non-numeric cells
  /// are left out.
  /// - Throws: `CSVError` if the file cannot be read or parsed.
  public static func measuredValues(at url: URL, keep: @escaping (Int) -> Bool) throws -> (columns: [String], values: [Int: [String: Double]]) {
    let table = try CSVTable(contentsOf: url) { Int($0).map(keep) ?? false }
    let status = table.index(of: "status")
    var values: [Int: [String: Double]] = [:]
    for row in table.rows {
      guard let id = Int(row[0]), status.map({ row[$0] == "ok" }) ?? true else { continue }
      var v: [String: Double] = [:]
      for (column, cell) in zip(table.columns, row) { if let x = Double(cell) { v[column] = x } }
      values[id] = v
    }
    return (table.columns, values)
  }
}
