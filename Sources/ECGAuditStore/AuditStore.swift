import ECGAudit
import ECGTensor
import Foundation

/// The SQLite files of an audit (SQLite built with the package, see `SQLiteDatabase`). A **partial** result (one shard, or the single part of an
/// unsharded run) holds `meta`, `records`, `predictions` and the `cells` of its candidate
/// (record, target) pairs; the **final** `results.sqlite` holds the same tables for the selected
/// pairs plus `groups`, `maps`, `tests` and `alignment` (schema: docs/audit.md).
///
/// Files are written to a temporary name beside the destination and renamed at the end.
extension AuditStore {
  /// Schema version in `meta`.
  public static let schemaVersion = "1"

  static let schema = """
    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
    CREATE TABLE records (ecg_id INTEGER PRIMARY KEY NOT NULL, sex INTEGER, age REAL, labels TEXT NOT NULL, subtypes TEXT NOT NULL, segmented INTEGER, queries TEXT NOT NULL);
    CREATE TABLE predictions (ecg_id INTEGER NOT NULL, class TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (ecg_id, class)) WITHOUT ROWID;
    CREATE TABLE cells (
      ecg_id INTEGER NOT NULL, target TEXT NOT NULL, lead INTEGER NOT NULL, segment INTEGER NOT NULL,
      lead_name TEXT NOT NULL, segment_label TEXT NOT NULL, beats INTEGER NOT NULL,
      support REAL NOT NULL, positive REAL NOT NULL, negative REAL NOT NULL, absolute REAL NOT NULL,
      mean_abs REAL, share REAL, density REAL, evidence REAL,
      PRIMARY KEY (ecg_id, target, lead, segment)) WITHOUT ROWID;
    """

  /// Creates a new database file at a temporary path beside `url`; call `commit` to move it.
  static func create(_ url: URL) throws -> (SQLiteDatabase, URL) {
    do {
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw AuditError.unreadableResults(path: url.deletingLastPathComponent().path, reason: "cannot create: \(error)")
    }
    let temporary = AtomicFile.begin(url)
    do {
      let database = try SQLiteDatabase(path: temporary.path)
      try database.execute(schema)
      return (database, temporary)
    } catch {
      AtomicFile.abandon(temporary)
      throw AuditError.unreadableResults(path: temporary.path, reason: "cannot create: \(error)")
    }
  }

  /// Closes the database and renames the temporary file to `url`.
  static func commit(_ database: SQLiteDatabase, temporary: URL, to url: URL) throws {
    try database.close()
    try AtomicFile.commit(temporary, to: url)
  }

  /// Writes the meta table: settings (sorted JSON), schema version and `extra`.
  static func writeMeta(_ db: SQLiteDatabase, settings: AuditSettings, extra: [String: String]) throws {
    let json = String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self)
    var meta = ["settings": json, "schema_version": schemaVersion]
    meta.merge(extra) { $1 }
    let statement = try db.prepare("INSERT INTO meta VALUES (?, ?)")
    for (key, value) in meta.sorted(by: { $0.key < $1.key }) {
      try statement.execute([key, value])
    }
  }

  /// Inserts records and items in a deterministic order (records by ecg_id, items by ecg_id then
  /// target then cell).
  static func insert(_ db: SQLiteDatabase, records: [AuditRecordInfo], items: [AuditItem]) throws {
    let recordStatement = try db.prepare("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)")
    let predictionStatement = try db.prepare("INSERT INTO predictions VALUES (?, ?, ?)")
    for record in records.sorted(by: { $0.ecgID < $1.ecgID }) {
      try recordStatement.execute([
        record.ecgID, record.sex, record.age, record.labels.joined(separator: " "), record.subtypes.joined(separator: " "),
        record.segmented.map { $0 ? 1 : 0 },
        record.queries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ? 1 : 0)" }.joined(separator: " "),
      ])
      for (name, score) in record.scores.sorted(by: { $0.key < $1.key }) {
        try predictionStatement.execute([record.ecgID, name, Double(score)])
      }
    }
    let cellStatement = try db.prepare("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    for item in items.sorted(by: { ($0.ecgID, $0.target) < ($1.ecgID, $1.target) }) {
      let r = item.relevance
      let (mean, share, density) = (r.meanAbsolute, r.share, r.density)
      for cell in 0..<AuditLeads.cellCount {
        let c = AuditCell(index: cell)
        func optional(_ v: Float) -> Double? { v.isFinite ? Double(v) : nil }
        try cellStatement.execute([
          item.ecgID, item.target, c.lead, c.segment.rawValue, AuditLeads.names[c.lead], c.segment.label, r.beats[c.lead],
          Double(r.support[cell]), Double(r.positive[cell]), Double(r.negative[cell]), Double(r.absolute[cell]),
          optional(mean[cell]), optional(share[cell]), optional(density[cell]), item.evidence.map { Double($0[cell]) },
        ])
      }
    }
  }

  /// Writes a partial result (one shard) to `url` at once.
  public static func writePartial(
    _ url: URL, settings: AuditSettings, shard: String, records: [AuditRecordInfo], items: [AuditItem]
  ) throws {
    let writer = try PartialWriter(url, settings: settings, shard: shard)
    do {
      try writer.append(records: records, items: items)
      try writer.close()
    } catch {
      writer.abandon()
      throw error
    }
  }

  /// Writes a partial result batch by batch, so memory does not grow with the number of records;
  /// the file appears under its name only at `finish()`.
  public final class PartialWriter: AuditPartWriter {
    let database: SQLiteDatabase
    let temporary: URL, url: URL

    /// Starts a partial result at `url` (written to a temporary name until `finish`).
    public init(_ url: URL, settings: AuditSettings, shard: String) throws {
      (database, temporary) = try AuditStore.create(url)
      self.url = url
      try database.transaction {
        try writeMeta(database, settings: settings, extra: ["kind": "partial", "shard": shard])
      }
    }

    /// Appends records and items (any order; readers sort).
    public func append(records: [AuditRecordInfo], items: [AuditItem]) throws {
      try database.transaction { try insert(database, records: records, items: items) }
    }

    /// Closes the file, moves it into place and opens it for reading.
    public func finish() throws -> any AuditPart {
      try close()
      return try AuditStore.readPartial(url)
    }

    /// Closes the file and moves it into place.
    public func close() throws { try commit(database, temporary: temporary, to: url) }

    /// Closes and deletes the unfinished file.
    public func abandon() {
      try? database.close()
      AtomicFile.abandon(temporary)
    }
  }

  /// Opens a partial result: settings and records are read at once, items on request.
  public static func readPartial(_ url: URL) throws -> PartialFile { try PartialFile(url) }

  /// A partial result on disk.
  public final class PartialFile: AuditPart {
    public let settings: AuditSettings
    public let shard: String
    public let records: [AuditRecordInfo]
    let database: SQLiteDatabase
    let path: String
    /// The file's path.
    public var origin: String? { path }

    init(_ url: URL) throws {
      path = url.path
      guard FileManager.default.fileExists(atPath: url.path) else {
        throw AuditError.unreadableResults(path: url.path, reason: "no such file")
      }
      do {
        let database = try SQLiteDatabase(path: url.path, readOnly: true)
        self.database = database
        (settings, shard, records) = try database.transaction {
          var meta: [String: String] = [:]
          for row in try database.rows("SELECT key, value FROM meta") { meta[try row["key"]] = try row["value"] as String }
          guard meta["kind"] == "partial", let json = meta["settings"], let shard = meta["shard"] else {
            throw AuditError.unreadableResults(path: url.path, reason: "not a partial audit result (meta.kind = \(meta["kind"] ?? "missing"))")
          }
          guard meta["schema_version"] == schemaVersion else {
            throw AuditError.unreadableResults(path: url.path, reason: "schema version \(meta["schema_version"] ?? "?"), expected \(schemaVersion)")
          }
          let settings = try JSONDecoder().decode(AuditSettings.self, from: Data(json.utf8))
          var scores: [Int: [String: Float]] = [:]
          for row in try database.rows("SELECT ecg_id, class, score FROM predictions") {
            scores[try row["ecg_id"], default: [:]][try row["class"]] = Float(try row["score"] as Double)
          }
          let records = try database.rows("SELECT * FROM records ORDER BY ecg_id").map { row -> AuditRecordInfo in
            let id: Int = try row["ecg_id"]
            let labels: String = try row["labels"], subtypes: String = try row["subtypes"]
            var record = AuditRecordInfo(
              ecgID: id, sex: try row["sex"], age: try row["age"], labels: labels.split(separator: " ").map(String.init),
              scores: scores[id] ?? [:], subtypes: subtypes.split(separator: " ").map(String.init),
              segmented: (try row["segmented"] as Int?).map { $0 == 1 })
            let queries: String = try row["queries"]
            for pair in queries.split(separator: " ") {
              let parts = pair.split(separator: "=", maxSplits: 1)
              if parts.count == 2 { record.queries[String(parts[0])] = parts[1] == "1" }
            }
            return record
          }
          return (settings, shard, records)
        }
      } catch let error as AuditError {
        throw error
      } catch {
        throw AuditError.unreadableResults(path: url.path, reason: "\(error)")
      }
    }

    public func items(_ keys: [AuditItemKey]) throws -> [AuditItem] {
      do {
        return try database.transaction {
          let statement = try database.prepare("SELECT * FROM cells WHERE ecg_id = ? AND target = ? ORDER BY lead, segment")
          var items: [AuditItem] = []
          for key in keys {
            let rows = try statement.rows([key.ecgID, key.target])
            guard !rows.isEmpty else { continue }
            guard rows.count == AuditLeads.cellCount else {
              throw AuditError.unreadableResults(path: path, reason: "(\(key.ecgID), \(key.target)) has \(rows.count) cells, expected \(AuditLeads.cellCount)")
            }
            var values = Array(repeating: [Float](repeating: 0, count: AuditLeads.cellCount), count: 4)
            var beats = [Int](repeating: 0, count: 12)
            var evidence: [Float]? = nil
            for (cell, row) in rows.enumerated() {
              values[0][cell] = Float(try row["support"] as Double)
              values[1][cell] = Float(try row["positive"] as Double)
              values[2][cell] = Float(try row["negative"] as Double)
              values[3][cell] = Float(try row["absolute"] as Double)
              beats[cell / SegmentClass.allCases.count] = try row["beats"]
              if let e = try row["evidence"] as Double? {
                if evidence == nil { evidence = Array(repeating: 0, count: AuditLeads.cellCount) }
                evidence![cell] = Float(e)
              }
            }
            items.append(AuditItem(
              ecgID: key.ecgID, target: key.target,
              relevance: CellRelevance(support: values[0], positive: values[1], negative: values[2], absolute: values[3], beats: beats),
              evidence: evidence))
          }
          return items
        }
      } catch let error as AuditError {
        throw error
      } catch {
        throw AuditError.unreadableResults(path: path, reason: "\(error)")
      }
    }
  }
}

extension JSONEncoder {
  /// Sorted keys, so that the same value always gives the same bytes.
  static var sorted: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return encoder
  }
}
