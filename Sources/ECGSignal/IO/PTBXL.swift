import ECGTensor
import Foundation

/// Errors reading a PTB-XL-layout dataset.
public enum PTBXLError: Error, CustomStringConvertible, Equatable {
  /// A required file is missing.
  case missingFile(path: String)
  /// A row cannot be parsed.
  case malformedRow(path: String, ecgID: String, reason: String)
  /// Records in one batch have different shapes.
  case inconsistentRecords(reason: String)
  /// A record's signal files cannot be read.
  case unreadableRecord(ecgID: Int, reason: String)

  public var description: String {
    switch self {
    case .missingFile(let path): "\(path) not found; is this a PTB-XL folder (ptbxl_database.csv, scp_statements.csv, records100/)?"
    case .malformedRow(let path, let id, let reason): "\(path): ecg_id \(id): \(reason)"
    case .inconsistentRecords(let reason): "records do not stack: \(reason)"
    case .unreadableRecord(let id, let reason): "ecg_id \(id): \(reason)"
    }
  }
}

/// A PTB-XL dataset folder (the real PTB-XL or a phantom written by `ecgxai synth`): the database
/// table and SCP statements in memory, signals read lazily record by record.
public struct PTBXLDataset: Sendable {
  /// The label tasks of the PTB-XL benchmark (Strodthoff et al. 2021).
  public enum Task: String, Codable, Sendable, CaseIterable {
    case all, diagnostic, subdiagnostic, superdiagnostic, form, rhythm
  }

  /// One row of `ptbxl_database.csv`.
  public struct Entry: Sendable, Equatable {
    /// `ecg_id`.
    public var ecgID: Int
    /// `patient_id`, age (years), sex (0 male, 1 female), height (cm), weight (kg); nil when empty.
    public var patientID: Int?, age: Double?, sex: Int?, height: Double?, weight: Double?
    /// SCP codes with their likelihoods (0–100).
    public var scpCodes: [String: Double]
    /// `strat_fold` (1…10).
    public var fold: Int
    /// Record paths relative to the root, without extension (100 Hz and 500 Hz).
    public var filenameLR: String, filenameHR: String
  }

  /// One row of `scp_statements.csv`.
  public struct Statement: Sendable, Equatable {
    /// Flags: diagnostic, form, rhythm statement.
    public var diagnostic: Bool, form: Bool, rhythm: Bool
    /// `diagnostic_class` (superclass) and `diagnostic_subclass`, if any.
    public var diagnosticClass: String?, diagnosticSubclass: String?
  }

  /// Multi-hot labels of one task.
  public struct Labels: Sendable {
    /// Class names, sorted (as scikit-learn's MultiLabelBinarizer orders them).
    public var classes: [String]
    /// Indices into `entries` of the records that keep at least one label.
    public var entryIndices: [Int]
    /// [entryIndices.count, classes.count], 0/1.
    public var matrix: Tensor
  }

  /// The dataset folder.
  public let root: URL
  /// Rows of `ptbxl_database.csv`, in file order.
  public let entries: [Entry]
  /// SCP statements by code.
  public let statements: [String: Statement]
  /// How the folder is laid out and its records are read.
  public let layout: Layout

  /// The layout of a dataset folder.
  public enum Layout: String, Sendable {
    /// PTB-XL: records read as stored at 100 or 500 Hz (`records100/`, `records500/`).
    case ptbxl
    /// PhysioNet/CinC 2020–2021 (`CinCDataset`): one record per entry (`filenameHR`), resampled
    /// to the rate asked for and cut or zero-padded to `CinCDataset.windowSeconds`.
    case cinc
  }

  /// A dataset from its parts (what `CinCDataset.load` builds).
  init(root: URL, entries: [Entry], statements: [String: Statement], layout: Layout) {
    self.root = root
    self.entries = entries
    self.statements = statements
    self.layout = layout
  }

  /// Reads the dataset folder at `root`: a PTB-XL folder (`ptbxl_database.csv`) or, without one,
  /// a PhysioNet/CinC folder of `.hea` records with `#Dx:` comments (`CinCDataset.load`).
  /// - Throws: `PTBXLError` or `CSVError` for a broken PTB-XL folder, `CinCError` for a broken
  ///   CinC one and `CinCError.notACinCFolder` for a folder that is neither.
  public static func open(_ root: URL) throws -> PTBXLDataset {
    let manager = FileManager.default
    if !manager.fileExists(atPath: root.appendingPathComponent("ptbxl_database.csv").path) {
      if CinCDataset.isCinCFolder(root) { return try CinCDataset.load(root: root) }
      var isDirectory: ObjCBool = false
      if manager.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue,
        !manager.fileExists(atPath: root.appendingPathComponent("scp_statements.csv").path)
      {
        throw CinCError.notACinCFolder(path: root.path)
      }
    }
    return try PTBXLDataset(root: root)
  }

  /// Reads `ptbxl_database.csv` and `scp_statements.csv` from `root`.
  public init(root: URL) throws {
    self.root = root
    self.layout = .ptbxl
    let databaseURL = root.appendingPathComponent("ptbxl_database.csv")
    let statementsURL = root.appendingPathComponent("scp_statements.csv")
    for url in [databaseURL, statementsURL] where !FileManager.default.fileExists(atPath: url.path) {
      throw PTBXLError.missingFile(path: url.path)
    }
    let db = try CSVTable(contentsOf: databaseURL)
    let path = databaseURL.path
    let id = try db.requireColumn("ecg_id", path: path)
    let codes = try db.requireColumn("scp_codes", path: path)
    let fold = try db.requireColumn("strat_fold", path: path)
    let lr = try db.requireColumn("filename_lr", path: path)
    let hr = try db.requireColumn("filename_hr", path: path)
    let optional = ["patient_id", "age", "sex", "height", "weight"].map { db.index(of: $0) }
    func number(_ row: [String], _ column: Int?) -> Double? { column.flatMap { Double(row[$0]) } }
    var firstLine: [Int: Int] = [:]
    entries = try zip(db.rows, db.rowLines).map { row, line in
      func integer(_ column: Int?, _ name: String) throws -> Int? {
        guard let column, !row[column].trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let value = exactInteger(row[column]) else {
          throw PTBXLError.malformedRow(
            path: path, ecgID: row[id], reason: "line \(line): \(name) '\(row[column])' is not a whole number")
        }
        return value
      }
      guard let ecgID = try integer(id, "ecg_id") else {
        throw PTBXLError.malformedRow(path: path, ecgID: row[id], reason: "line \(line): ecg_id is empty")
      }
      if let first = firstLine[ecgID] {
        throw PTBXLError.malformedRow(
          path: path, ecgID: row[id],
          reason: "line \(line): ecg_id \(ecgID) already appears on line \(first); every record needs its own ecg_id")
      }
      firstLine[ecgID] = line
      guard let f = try integer(fold, "strat_fold") else {
        throw PTBXLError.malformedRow(path: path, ecgID: row[id], reason: "line \(line): strat_fold is empty")
      }
      return Entry(
        ecgID: ecgID, patientID: try integer(optional[0], "patient_id"), age: number(row, optional[1]),
        sex: try integer(optional[2], "sex"), height: number(row, optional[3]), weight: number(row, optional[4]),
        scpCodes: try Self.parseCodes(row[codes], path: path, ecgID: row[id]), fold: f,
        filenameLR: row[lr], filenameHR: row[hr])
    }
    let st = try CSVTable(contentsOf: statementsURL)
    func flag(_ row: [String], _ name: String) -> Bool { st.index(of: name).map { Double(row[$0]) == 1 } ?? false }
    func text(_ row: [String], _ name: String) -> String? {
      st.index(of: name).flatMap { row[$0].isEmpty ? nil : row[$0] }
    }
    var statements: [String: Statement] = [:]
    for row in st.rows {
      statements[row[0]] = Statement(
        diagnostic: flag(row, "diagnostic"), form: flag(row, "form"), rhythm: flag(row, "rhythm"),
        diagnosticClass: text(row, "diagnostic_class"), diagnosticSubclass: text(row, "diagnostic_subclass"))
    }
    self.statements = statements
  }

  /// Parses PTB-XL's `scp_codes` (a Python dict literal such as `{'NORM': 100.0, 'SR': 0.0}`).
  static func parseCodes(_ text: String, path: String, ecgID: String) throws -> [String: Double] {
    let body = text.trimmingCharacters(in: .whitespaces)
    guard body.hasPrefix("{"), body.hasSuffix("}") else {
      throw PTBXLError.malformedRow(path: path, ecgID: ecgID, reason: "scp_codes '\(text)' is not a dict literal")
    }
    var result: [String: Double] = [:]
    for item in body.dropFirst().dropLast().split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
      let parts = item.split(separator: ":", maxSplits: 1)
      let key = parts.first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\"")) } ?? ""
      guard parts.count == 2, !key.isEmpty, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
        throw PTBXLError.malformedRow(path: path, ecgID: ecgID, reason: "cannot parse scp_codes entry '\(item)'")
      }
      result[key] = value
    }
    return result
  }

  /// The labels of one record for a task, before count filtering. Like the PTB-XL benchmark's
  /// `compute_label_aggregations`, likelihoods are ignored by default (every listed code counts);
  /// pass `minimumLikelihood` to keep only codes at or above it.
  public func rawLabels(_ entry: Entry, task: Task, minimumLikelihood: Double = 0) -> Set<String> {
    var out = Set<String>()
    for (code, likelihood) in entry.scpCodes where likelihood >= minimumLikelihood {
      if task == .all {
        out.insert(code)
        continue
      }
      guard let s = statements[code] else { continue }
      switch task {
      case .diagnostic: if s.diagnostic { out.insert(code) }
      case .subdiagnostic: if s.diagnostic, let c = s.diagnosticSubclass { out.insert(c) }
      case .superdiagnostic: if s.diagnostic, let c = s.diagnosticClass { out.insert(c) }
      case .form: if s.form { out.insert(code) }
      case .rhythm: if s.rhythm { out.insert(code) }
      case .all: break
      }
    }
    return out
  }

  /// Every name a model's class could have for this record: its SCP codes, their diagnostic
  /// subclasses and superclasses (what `ecgxai audit` and `ecgxai concepts` match classes with).
  public func labelsAtEveryLevel(_ entry: Entry) -> Set<String> {
    rawLabels(entry, task: .all).union(rawLabels(entry, task: .subdiagnostic)).union(rawLabels(entry, task: .superdiagnostic))
  }

  /// Multi-hot labels as the benchmark's `select_data` builds them: labels occurring in more than
  /// `minimumCount` records are kept (not applied to `diagnostic`, as in the benchmark), records
  /// without any label are dropped, classes are sorted.
  public func labels(task: Task, minimumCount: Int = 0, minimumLikelihood: Double = 0) -> Labels {
    var perEntry = entries.map { rawLabels($0, task: task, minimumLikelihood: minimumLikelihood) }
    if task != .diagnostic {
      var counts: [String: Int] = [:]
      for set in perEntry { for c in set { counts[c, default: 0] += 1 } }
      let kept = Set(counts.filter { $0.value > minimumCount }.keys)
      perEntry = perEntry.map { $0.intersection(kept) }
    }
    let classes = Set(perEntry.flatMap { $0 }).sorted()
    let column = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    let indices = perEntry.indices.filter { !perEntry[$0].isEmpty }
    var matrix = [Float](repeating: 0, count: indices.count * classes.count)
    for (row, i) in indices.enumerated() {
      for c in perEntry[i] { matrix[row * classes.count + column[c]!] = 1 }
    }
    return Labels(classes: classes, entryIndices: indices, matrix: Tensor(shape: [indices.count, classes.count], scalars: matrix))
  }

  /// Reads the signals of `entries[index]` at 100 or 500 Hz.
  /// - Throws: `PTBXLError.unreadableRecord` naming the ecg_id and the WFDB problem.
  /// A CinC dataset's record is read from `filenameHR`, resampled to `rate` Hz and cut or
  /// zero-padded to `CinCDataset.windowSeconds` (`CinCDataset.conform`).
  public func record(at index: Int, rate: Int = 100) throws -> ECGRecord {
    let entry = entries[index]
    do {
      if layout == .cinc {
        let stored = try WFDB.read(root.appendingPathComponent(entry.filenameHR))
        return try CinCDataset.conform(stored, rateHz: rate)
      }
      return try WFDB.read(root.appendingPathComponent(rate == 500 ? entry.filenameHR : entry.filenameLR))
    } catch let error as WFDBError {
      throw PTBXLError.unreadableRecord(ecgID: entry.ecgID, reason: error.description)
    } catch let error as SignalError {
      throw PTBXLError.unreadableRecord(ecgID: entry.ecgID, reason: "\(entry.filenameHR): \(error.description)")
    }
  }

  /// Reads the signals of `entries[index]` as the 12 standard leads in standard order (what
  /// models read; other leads are dropped).
  /// - Throws: `PTBXLError.unreadableRecord` naming the ecg_id and the WFDB problem or the leads
  ///   the record has when it lacks standard ones.
  public func twelveLeadRecord(at index: Int, rate: Int = 100) throws -> ECGRecord {
    let record = try record(at: index, rate: rate)
    do { return try record.standardTwelveLeads() } catch let error as SignalError {
      throw PTBXLError.unreadableRecord(ecgID: entries[index].ecgID, reason: error.description)
    }
  }

  /// Reads records into a batch [indices.count, 12, samples] (mV), in parallel: the 12
  /// standard leads in standard order (`ECGRecord.standardTwelveLeads`); all records must have
  /// the same length, be sampled at `rate` Hz (the header's frequency) and be voltages (WFDB
  /// units mV, µV, nV or V). A record without the 12 standard leads is an error naming its leads.
  public func batch(_ indices: [Int], rate: Int = 100) throws -> Tensor {
    guard let first = indices.first else { return Tensor(shape: [0, 12, 0], scalars: []) }
    let probe = try twelveLeadRecord(at: first, rate: rate)
    let (leads, samples) = (probe.leadCount, probe.sampleCount)
    let size = leads * samples
    var out = [Float](repeating: 0, count: indices.count * size)
    let errors = UnsafeMutableBufferPointer<String?>.allocate(capacity: indices.count)
    errors.initialize(repeating: nil)
    defer { errors.deinitialize(); errors.deallocate() }
    let errorPointer = SendablePointer(errors.baseAddress!)
    out.withUnsafeMutableBufferPointer { buffer in
      let pointer = SendablePointer(buffer.baseAddress!)
      parallelFor(indices.count) { k in
        do {
          let r = try self.twelveLeadRecord(at: indices[k], rate: rate)
          if let problem = Self.batchProblem(r, entry: self.entries[indices[k]], leads: leads, samples: samples, rate: rate) {
            errorPointer.pointer[k] = problem
            return
          }
          r.samples.withUnsafeBufferPointer { src in
            (pointer.pointer + k * size).update(from: src.baseAddress!, count: size)
          }
        } catch {
          errorPointer.pointer[k] = "\(error)"
        }
      }
    }
    if let message = errors.compactMap({ $0 }).first { throw PTBXLError.inconsistentRecords(reason: message) }
    return Tensor(shape: [indices.count, leads, samples], scalars: out)
  }

  /// Why a record cannot join a batch of `leads` × `samples` at `rate` Hz in mV, or nil.
  static func batchProblem(_ r: ECGRecord, entry: Entry, leads: Int, samples: Int, rate: Int) -> String? {
    let file = rate == 500 ? entry.filenameHR : entry.filenameLR
    if r.samplingRateHz != Double(rate) {
      return "ecg_id \(entry.ecgID) (\(file)) is sampled at \(String(format: "%g", r.samplingRateHz)) Hz, not \(rate) Hz; "
        + "fix its header or resample the record to \(rate) Hz"
    }
    if let lead = r.units.indices.first(where: { r.units[$0] != "mV" }) {
      return "ecg_id \(entry.ecgID) (\(file)): lead \(r.leadNames[lead]) is in '\(r.units[lead])', not a voltage; "
        + "ECG batches are in mV"
    }
    guard r.leadCount == leads, r.sampleCount == samples else {
      return "ecg_id \(entry.ecgID) is \(r.leadCount)×\(r.sampleCount), expected \(leads)×\(samples)"
    }
    return nil
  }
}
