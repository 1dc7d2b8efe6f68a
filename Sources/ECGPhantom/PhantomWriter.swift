import ECGSignal
import ECGTensor
import Foundation

/// What `PhantomWriter.write` produced.
public struct PhantomWriteSummary: Sendable {
  /// Records written.
  public var recordCount: Int
  /// Records per superclass (labelled).
  public var superclassCounts: [String: Int]
  /// Wall-clock seconds.
  public var seconds: Double
}

/// Writes a phantom cohort in PTB-XL's layout plus its ground truth (`truth/`).
///
/// ```
/// DIR/ptbxl_database.csv   DIR/scp_statements.csv   DIR/records100/00000/00001_lr.{hea,dat}
/// DIR/records500/00000/00001_hr.{hea,dat}           DIR/truth/…  (docs/phantom.md)
/// ```
/// The cohort is first written to a sibling temporary directory and renamed into place at the
/// end, so an interrupted run never leaves a half-written dataset.
public enum PhantomWriter {
  /// Writes `cohort` to `root`. `progress(done, total)` is called from the writing thread.
  public static func write(
    _ cohort: PhantomCohort, to root: URL, overwrite: Bool = false,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) throws -> PhantomWriteSummary {
    let started = Date()
    let fm = FileManager.default
    let root = root.standardizedFileURL
    if fm.fileExists(atPath: root.path) {
      let contents = (try? fm.contentsOfDirectory(atPath: root.path)) ?? ["?"]
      if !contents.isEmpty && !overwrite { throw PhantomError.directoryNotEmpty(path: root.path) }
      // Overwriting replaces a phantom cohort ecgxai wrote, never anything else.
      if !contents.isEmpty, let foreign = foreignEntries(in: root) {
        throw PhantomError.notAPhantom(path: root.path, foreign: foreign)
      }
    }
    guard root.path != "/" else { throw PhantomError.notAPhantom(path: root.path, foreign: []) }
    do {
      try fm.createDirectory(at: root.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw PhantomError.writeFailed(path: root.deletingLastPathComponent().path, reason: error.localizedDescription)
    }
    let staging = AtomicFile.begin(root)
    do {
      try fm.createDirectory(at: staging.appendingPathComponent("truth"), withIntermediateDirectories: true)
    } catch {
      AtomicFile.abandon(staging)
      throw PhantomError.writeFailed(path: staging.path, reason: error.localizedDescription)
    }
    defer { AtomicFile.abandon(staging) }

    let config = cohort.config
    let n = config.recordCount
    var database = CSVWriter(columns: PhantomTables.databaseColumns)
    var fiducials100 = CSVWriter(columns: PhantomTables.fiducialColumns)
    var fiducials500 = CSVWriter(columns: PhantomTables.fiducialColumns)
    var features = CSVWriter(columns: PhantomTables.featureColumns)
    var evidence = CSVWriter(columns: PhantomTables.evidenceColumns)
    var findings = CSVWriter(columns: PhantomTables.findingColumns)
    var records = CSVWriter(columns: PhantomTables.recordColumns)

    let chunk = 64
    var failure: Error? = nil
    for chunkStart in stride(from: 1, through: n, by: chunk) {
      let ids = Array(chunkStart...min(n, chunkStart + chunk - 1))
      let rows = UnsafeMutableBufferPointer<PhantomTables.Rows?>.allocate(capacity: ids.count)
      rows.initialize(repeating: nil)
      let errors = UnsafeMutableBufferPointer<String?>.allocate(capacity: ids.count)
      errors.initialize(repeating: nil)
      let rowsPointer = SendablePointer(rows.baseAddress!)
      let errorsPointer = SendablePointer(errors.baseAddress!)
      parallelFor(ids.count) { k in
        let ecgID = ids[k]
        let record = cohort.render(ecgID: ecgID)
        do {
          try writeSignals(record, root: staging, rates: config.rates)
          rowsPointer.pointer[k] = PhantomTables.rows(record, fold: cohort.folds[ecgID - 1], config: config)
        } catch {
          errorsPointer.pointer[k] = "\(error)"
        }
      }
      for k in 0..<ids.count {
        if let message = errors[k], failure == nil {
          failure = PhantomError.writeFailed(path: staging.path, reason: message)
        }
        guard let r = rows[k] else { continue }
        database.appendRaw(r.database)
        fiducials100.appendRaw(r.fiducials100)
        fiducials500.appendRaw(r.fiducials500)
        features.appendRaw(r.features)
        evidence.appendRaw(r.evidence)
        findings.appendRaw(r.findings)
        records.appendRaw(r.record)
      }
      rows.deinitialize()
      rows.deallocate()
      errors.deinitialize()
      errors.deallocate()
      if let failure { throw failure }
      progress?(ids.last!, n)
    }

    let truth = staging.appendingPathComponent("truth")
    do {
      try database.write(to: staging.appendingPathComponent("ptbxl_database.csv"))
      try Data((SCPStatements.csv + "\n").utf8).writeAtomically(to: staging.appendingPathComponent("scp_statements.csv"))
      if config.rates.contains(100) { try fiducials100.write(to: truth.appendingPathComponent("fiducials_100hz.csv")) }
      if config.rates.contains(500) { try fiducials500.write(to: truth.appendingPathComponent("fiducials_500hz.csv")) }
      try features.write(to: truth.appendingPathComponent("unig_features.csv"))
      try evidence.write(to: truth.appendingPathComponent("evidence.csv"))
      try findings.write(to: truth.appendingPathComponent("findings.csv"))
      try records.write(to: truth.appendingPathComponent("records.csv"))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(PhantomTables.Generator(config: config)).writeAtomically(to: truth.appendingPathComponent("generator.json"))
      try AtomicFile.commit(staging, to: root)
    } catch {
      throw PhantomError.writeFailed(path: root.path, reason: error.localizedDescription)
    }
    var counts: [String: Int] = [:]
    for spec in cohort.specs { for c in spec.labelledSuperclasses { counts[c, default: 0] += 1 } }
    return PhantomWriteSummary(recordCount: n, superclassCounts: counts, seconds: Date().timeIntervalSince(started))
  }

  /// The entries of `root` (relative paths, at most ten) that a phantom cohort does not hold, or
  /// nil when `root` is a phantom cohort: `truth/generator.json` present and every file one of the
  /// layout's (the tables, `records100/`/`records500/` WFDB files, `truth/` tables).
  static func foreignEntries(in root: URL) -> [String]? {
    let fm = FileManager.default
    guard let enumerator = fm.enumerator(atPath: root.path) else { return ["."] }
    var foreign: [String] = []
    while let relative = enumerator.nextObject() as? String, foreign.count < 10 {
      let parts = relative.split(separator: "/").map(String.init)
      var isDirectory: ObjCBool = false
      _ = fm.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory)
      let known: Bool
      switch (parts.first ?? "", parts.count) {
      case ("ptbxl_database.csv", 1), ("scp_statements.csv", 1): known = !isDirectory.boolValue
      case ("records100", _), ("records500", _):
        let suffix = parts[0] == "records100" ? "_lr" : "_hr"
        known = parts.count == 1 || (parts.count == 2 && isDirectory.boolValue && Int(parts[1]) != nil)
          || (parts.count == 3 && !isDirectory.boolValue
            && (parts[2].hasSuffix(suffix + ".hea") || parts[2].hasSuffix(suffix + ".dat"))
            && Int(parts[2].prefix(while: \.isNumber)) != nil)
      case ("truth", 1): known = isDirectory.boolValue
      case ("truth", 2): known = !isDirectory.boolValue && (parts[1].hasSuffix(".csv") || parts[1] == "generator.json")
      default: known = false
      }
      if !known {
        foreign.append(relative)
        if isDirectory.boolValue { enumerator.skipDescendants() }
      }
    }
    if foreign.isEmpty && !fm.fileExists(atPath: root.appendingPathComponent("truth/generator.json").path) {
      return ["no truth/generator.json"]
    }
    return foreign.isEmpty ? nil : foreign
  }

  /// PTB-XL's relative record path without extension, e.g. `records100/00000/00001_lr`.
  public static func recordPath(ecgID: Int, rate: Int) -> String {
    let group = String(format: "%05d", (ecgID / 1000) * 1000)
    return rate == 100
      ? "records100/\(group)/\(String(format: "%05d", ecgID))_lr"
      : "records500/\(group)/\(String(format: "%05d", ecgID))_hr"
  }

  static func writeSignals(_ record: SynthesizedRecord, root: URL, rates: [Int]) throws {
    for rate in rates {
      let path = recordPath(ecgID: record.spec.ecgID, rate: rate)
      let url = root.appendingPathComponent(path)
      let signal = ECGRecord(
        name: url.lastPathComponent, leadNames: Lead.recordNames, samplingRateHz: Double(rate),
        samples: rate == 100 ? record.signals100 : record.signals500)
      try WFDB.write(signal, to: url.deletingLastPathComponent(), format: .format16, gain: 1000, atomically: false)
    }
  }
}
