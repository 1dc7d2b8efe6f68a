import ECGSignal
import Foundation

/// The ground truth of a phantom folder (`truth/`), read back for evaluation: evidence masks,
/// planted findings and hidden subtypes — ECGSignal's `RecordTruth` for phantom cohorts.
public struct PhantomTruth: RecordTruth {
  /// Planted (or spuriously labelled) findings of one record, from `truth/findings.csv`.
  public typealias Finding = TruthFinding

  /// Evidence intervals per (ecg_id, finding): (lead index, start s, end s).
  public let evidence: [Int: [String: [(lead: Int, start: Double, end: Double)]]]
  /// Findings per ecg_id.
  public let findings: [Int: [Finding]]
  /// The phantom folder.
  public let root: URL

  /// Reads `root/truth/evidence.csv` and `root/truth/findings.csv`; with `ecgIDs`, only those
  /// records' rows (streamed, so memory does not grow with the cohort).
  public init(root: URL, ecgIDs: Set<Int>? = nil) throws {
    self.root = root
    let truth = root.appendingPathComponent("truth")
    let ev = try Self.table(truth.appendingPathComponent("evidence.csv"), ecgIDs)
    let leadIndex = Dictionary(uniqueKeysWithValues: Lead.names.enumerated().map { ($1, $0) })
    var evidence: [Int: [String: [(lead: Int, start: Double, end: Double)]]] = [:]
    for row in ev.rows {
      guard let id = Int(row[0]), let lead = leadIndex[row[2]], let start = Double(row[3]), let end = Double(row[4]) else {
        throw CSVError.unreadable(path: truth.appendingPathComponent("evidence.csv").path + " (row \(row))")
      }
      evidence[id, default: [:]][row[1], default: []].append((lead, start / 1000, end / 1000))
    }
    self.evidence = evidence
    let fi = try Self.table(truth.appendingPathComponent("findings.csv"), ecgIDs)
    let path = truth.appendingPathComponent("findings.csv").path
    let (code, severity, subtype, labelled, planted) = (
      try fi.requireColumn("finding", path: path), try fi.requireColumn("severity", path: path),
      try fi.requireColumn("subtype", path: path), try fi.requireColumn("labelled", path: path),
      try fi.requireColumn("planted", path: path))
    var findings: [Int: [Finding]] = [:]
    for row in fi.rows {
      guard let id = Int(row[0]) else { continue }
      findings[id, default: []].append(
        Finding(code: row[code], severity: Double(row[severity]), subtype: row[subtype], labelled: row[labelled] == "1", planted: row[planted] == "1"))
    }
    self.findings = findings
  }

  /// The first planted, labelled finding of a record that a classifier can be asked about: its
  /// code and the index in `classIndex` of its code, subclass or superclass (tried in that order,
  /// so a superdiagnostic model gets MI for an IMI finding, a subdiagnostic one IMI). Nil when the
  /// record has no such finding.
  public func plantedClass(ecgID: Int, classIndex: [String: Int]) -> (code: String, target: Int)? {
    for finding in findings[ecgID] ?? [] where finding.planted && finding.labelled {
      guard let code = PhantomFinding(rawValue: finding.code) else { continue }
      for name in [finding.code, code.subclass, code.superclass].compactMap({ $0 }) {
        if let k = classIndex[name] { return (finding.code, k) }
      }
    }
    return nil
  }

  /// The true per-beat fiducials from `truth/fiducials_RATEhz.csv` (`fiducials(root:rate:ecgIDs:)`).
  public func fiducials(rate: Int, ecgIDs: Set<Int>?) throws -> [Int: [WaveFiducials]] {
    try Self.fiducials(root: root, rate: rate, ecgIDs: ecgIDs)
  }

  /// A truth table, whole or only the rows of `ecgIDs` (first column).
  static func table(_ url: URL, _ ecgIDs: Set<Int>?) throws -> CSVTable {
    guard let ecgIDs else { return try CSVTable(contentsOf: url) }
    return try CSVTable(contentsOf: url) { Int($0).map(ecgIDs.contains) ?? false }
  }

  /// The true per-beat fiducials of every record (or of `ecgIDs`) from
  /// `root/truth/fiducials_RATEhz.csv`, in seconds from the record's start (beats whose QRS lies
  /// outside the record are left out).
  public static func fiducials(root: URL, rate: Int, ecgIDs: Set<Int>? = nil) throws -> [Int: [WaveFiducials]] {
    let url = root.appendingPathComponent("truth/fiducials_\(rate)hz.csv")
    let table = try Self.table(url, ecgIDs)
    let names = ["ecg_id", "p_on", "p_peak", "p_off", "qrs_on", "r_peak", "qrs_off", "t_on", "t_peak", "t_off"]
    let columns = try names.map { try table.requireColumn($0, path: url.path) }
    var result: [Int: [WaveFiducials]] = [:]
    for row in table.rows {
      guard let id = Int(row[columns[0]]) else { throw CSVError.unreadable(path: url.path + " (row \(row))") }
      let t = columns.dropFirst().map { Double(row[$0]).map { $0 / Double(rate) } }
      guard let on = t[3], let r = t[4], let off = t[5] else { continue }
      result[id, default: []].append(
        WaveFiducials(pOnset: t[0], pPeak: t[1], pOffset: t[2], qrsOnset: on, rPeak: r, qrsOffset: off, tOnset: t[6], tPeak: t[7], tOffset: t[8]))
    }
    return result
  }
}
