import Foundation

/// A numeric per-record feature table keyed by `ecg_id`, as PTB-XL+ ships them
/// (`features/unig_features.csv`, `features/12sl_features.csv`, `features/ecgdeli_features.csv`)
/// and as the phantom writes its truth (`truth/unig_features.csv`). Empty or non-numeric cells
/// read as nil.
public struct FeatureTableCSV: Sendable {
  /// Column names after `ecg_id`.
  public let columns: [String]
  /// Values per ecg_id, in the order of `columns`.
  public let rows: [Int: [Double?]]

  /// Reads a feature table; the key column is `ecg_id` (or the first column).
  /// - Throws: `CSVError` for unreadable files or rows whose key is not an integer.
  public init(contentsOf url: URL) throws {
    let table = try CSVTable(contentsOf: url)
    let key = table.index(of: "ecg_id") ?? 0
    columns = table.columns.enumerated().filter { $0.offset != key }.map(\.element)
    var rows: [Int: [Double?]] = [:]
    for row in table.rows {
      guard let id = exactInteger(row[key]) else {
        throw CSVError.unreadable(path: "\(url.path): ecg_id '\(row[key])' is not an integer")
      }
      rows[id] = row.enumerated().filter { $0.offset != key }.map { Double($0.element) }
    }
    self.rows = rows
  }

  /// The value of `column` for `ecgID`, or nil.
  public func value(_ column: String, ecgID: Int) -> Double? {
    guard let c = columns.firstIndex(of: column) else { return nil }
    return rows[ecgID]?[c] ?? nil
  }
}

/// PTB-XL+ (Strodthoff et al., Sci. Data 2023): the feature tables that sit next to PTB-XL.
public enum PTBXLPlus {
  /// The feature tables PTB-XL+ provides, by short name.
  public static let tables = ["unig": "unig_features.csv", "12sl": "12sl_features.csv", "ecgdeli": "ecgdeli_features.csv"]

  /// Finds a feature table (`unig`, `12sl`, `ecgdeli`) under a PTB-XL+ root (`ROOT/features/…`
  /// or `ROOT/…`) or a phantom folder (`ROOT/truth/unig_features.csv`); nil when absent.
  public static func locate(_ name: String, in root: URL) -> URL? {
    guard let file = tables[name] else { return nil }
    for sub in ["features", "", "truth"] {
      let url = sub.isEmpty ? root.appendingPathComponent(file) : root.appendingPathComponent(sub).appendingPathComponent(file)
      if FileManager.default.fileExists(atPath: url.path) { return url }
    }
    return nil
  }
}
