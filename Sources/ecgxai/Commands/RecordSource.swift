import ArgumentParser
import ECGSignal
import ECGTensor
import Foundation

/// `--data PATH [--rate] [--folds] [--shard i/n]` for commands that process records one by one:
/// PATH is a PTB-XL-layout folder, a folder of WFDB records (searched recursively) or one WFDB
/// record (`name`, `name.hea`).
struct RecordSourceOptions: ParsableArguments {
  @Option(name: .long, help: "PTB-XL-layout or PhysioNet/CinC folder (or a run directory with one in data/), folder of WFDB records, or one WFDB record.")
  var data: String

  @Option(name: .long, help: "PTB-XL folders: sampling rate to read, 100 (records100/) or 500 (records500/).")
  var rate: Int = 100

  @Option(name: .long, help: "PTB-XL folders: strat_fold values, e.g. '10', '1-8' (default: all).")
  var folds: String?

  @Option(name: .long, help: "Process only shard i of n (1-based, e.g. 2/4): records i, i+n, i+2n, …")
  var shard: String?

  @Option(name: .long, help: "Leads to measure, comma-separated (case-insensitive; II also finds MLII). Default: every lead in mV (blood pressure, pleth, … are left out).")
  var leads: String?

  /// One record to process: its key (ecg_id or record path), how to read it, and metadata.
  struct Item: Sendable {
    var key: String
    var read: @Sendable () throws -> ECGRecord
    var female: Bool?
    var age: Double?
  }

  /// The key column's name and the selected records.
  func items() throws -> (keyColumn: String, items: [Item]) {
    try Self.items(data: data, rate: rate, folds: folds, shard: shard, leads: leads)
  }

  /// The key column's name and the records selected by the options' values (the run pipeline's
  /// features step calls this with a run directory).
  static func items(data source: String, rate: Int = 100, folds: String? = nil, shard: String? = nil, leads: String? = nil) throws
    -> (keyColumn: String, items: [Item])
  {
    // A run directory: its dataset lives in data/.
    let given = URL(fileURLWithPath: source)
    let isRun = isDatasetFolder(given.appendingPathComponent("data"))
    let url = isRun ? given.appendingPathComponent("data") : given
    let data = url.path
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
    var all: [Item]
    var keyColumn = "record"
    if exists, isDirectory.boolValue, isDatasetFolder(url) {
      let options = DatasetOptions(data: data, rate: rate, folds: folds)
      let dataset = try options.load()!
      keyColumn = "ecg_id"
      all = try options.selection(dataset).map { index in
        let entry = dataset.entries[index]
        return Item(
          key: String(entry.ecgID), read: { try dataset.record(at: index, rate: rate) },
          female: entry.sex.map { $0 == 1 }, age: entry.age)
      }
    } else if exists, isDirectory.boolValue {
      guard folds == nil else { throw CLIError("--folds needs a PTB-XL-layout folder (ptbxl_database.csv)") }
      let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
      var headers: [String] = []
      while let file = enumerator?.nextObject() as? URL {
        guard file.pathExtension == "hea" else { continue }
        headers.append(String(file.standardizedFileURL.path.dropFirst(url.standardizedFileURL.path.count + 1).dropLast(4)))
      }
      guard !headers.isEmpty else { throw CLIError("\(data) holds no WFDB header (.hea) and no ptbxl_database.csv") }
      all = headers.sorted().map { name in Item(key: name, read: { try WFDB.read(url.appendingPathComponent(name)) }) }
    } else {
      let base = data.hasSuffix(".hea") ? String(data.dropLast(4)) : data
      guard FileManager.default.fileExists(atPath: base + ".hea") else {
        throw CLIError("\(data) is neither a folder nor a WFDB record (no \(base).hea)")
      }
      all = [Item(key: URL(fileURLWithPath: base).lastPathComponent, read: { try WFDB.read(URL(fileURLWithPath: base)) })]
    }
    // Which leads are measured: those named by --leads, else those in a voltage unit.
    let wanted = leads.map(commaList)
    if let wanted, wanted.isEmpty { throw CLIError("--leads: give lead names, e.g. --leads II,V5") }
    all = all.map { item in
      var selected = item
      let read = item.read
      selected.read = {
        let record = try read()
        return try wanted.map { try record.selectingLeads($0) } ?? record.voltageLeads()
      }
      return selected
    }
    return (keyColumn, try selectShard(all, shard))
  }
}

/// True for a dataset folder that `DatasetOptions` loads: PTB-XL layout (`ptbxl_database.csv`) or
/// a PhysioNet/CinC folder (`CinCDataset.isCinCFolder`).
func isDatasetFolder(_ url: URL) -> Bool {
  FileManager.default.fileExists(atPath: url.appendingPathComponent("ptbxl_database.csv").path)
    || CinCDataset.isCinCFolder(url)
}

extension DatasetOptions {
  init(data: String?, rate: Int, folds: String?) {
    self.init()
    self.data = data
    self.rate = rate
    self.folds = folds
  }
}

/// Processes items in parallel chunks with progress; `body` returns the CSV rows of one record
/// (it must not throw: failures become rows that say so).
func processRecords(_ items: [RecordSourceOptions.Item], _ body: @escaping @Sendable (RecordSourceOptions.Item) -> [[String]]) -> [[String]] {
  var rows = [[[String]]](repeating: [], count: items.count)
  let chunk = 64
  for start in stride(from: 0, to: items.count, by: chunk) {
    let end = min(items.count, start + chunk)
    rows.withUnsafeMutableBufferPointer { buffer in
      let out = SendablePointer(buffer.baseAddress!)
      parallelFor(end - start) { k in out.pointer[start + k] = body(items[start + k]) }
    }
    progress(done: end, total: items.count)
  }
  return rows.flatMap { $0 }
}

/// Refuses a result in which not one record could be read or measured (no row's `statusColumn`
/// is "ok"): such a file would look like output while holding only reasons. The error is the
/// reason itself for one record, else the first record's.
func requireSomeRecordMeasured(_ rows: [[String]], statusColumn: Int, records: Int) throws {
  guard records > 0, !rows.contains(where: { $0[statusColumn] == "ok" }) else { return }
  let reason = rows.first.map { $0[statusColumn] } ?? "no beats found"
  throw CLIError(records == 1 ? reason : "none of the \(records) records could be measured; the first: \(reason)")
}

/// A readable reason for a record that could not be processed.
func failureReason(_ error: Error) -> String {
  switch error {
  case let e as SignalError: e.description
  case let e as WFDBError: e.description
  case let e as PTBXLError: e.description
  case let e as CinCError: e.description
  default: String(describing: error)
  }
}
