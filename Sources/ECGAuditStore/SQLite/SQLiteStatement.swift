import VaporCSQLite

/// A compiled statement of a `SQLiteDatabase`, run as often as needed with new arguments.
final class SQLiteStatement {
  private let handle: OpaquePointer
  private let database: SQLiteDatabase

  init(_ handle: OpaquePointer, database: SQLiteDatabase) {
    self.handle = handle
    self.database = database
  }

  deinit { sqlite_nio_sqlite3_finalize(handle) }

  /// Runs the statement once with `arguments` bound to its `?` parameters, discarding rows.
  func execute(_ arguments: [(any SQLiteBindable)?]) throws {
    try bind(arguments)
    defer { sqlite_nio_sqlite3_reset(handle) }
    var status = sqlite_nio_sqlite3_step(handle)
    while status == SQLITE_ROW { status = sqlite_nio_sqlite3_step(handle) }
    guard status == SQLITE_DONE else { throw failure(status) }
  }

  /// Runs the statement with `arguments` and returns every row.
  func rows(_ arguments: [(any SQLiteBindable)?] = []) throws -> [SQLiteRow] {
    try bind(arguments)
    defer { sqlite_nio_sqlite3_reset(handle) }
    let count = sqlite_nio_sqlite3_column_count(handle)
    var columns: [String: Int] = [:]
    for i in 0..<count {
      columns[String(cString: sqlite_nio_sqlite3_column_name(handle, i))] = Int(i)
    }
    var rows: [SQLiteRow] = []
    while true {
      let status = sqlite_nio_sqlite3_step(handle)
      if status == SQLITE_DONE { break }
      guard status == SQLITE_ROW else { throw failure(status) }
      var values: [SQLiteValue] = []
      values.reserveCapacity(Int(count))
      for i in 0..<count { values.append(column(i)) }
      rows.append(SQLiteRow(columns: columns, values: values, path: database.path))
    }
    return rows
  }

  private func column(_ i: Int32) -> SQLiteValue {
    switch sqlite_nio_sqlite3_column_type(handle, i) {
    case SQLITE_INTEGER: return .integer(sqlite_nio_sqlite3_column_int64(handle, i))
    case SQLITE_FLOAT: return .real(sqlite_nio_sqlite3_column_double(handle, i))
    case SQLITE_NULL: return .null
    default:
      // TEXT (BLOBs are not written by ecgxai; read as their bytes' UTF-8).
      guard let text = sqlite_nio_sqlite3_column_text(handle, i) else { return .null }
      let length = Int(sqlite_nio_sqlite3_column_bytes(handle, i))
      return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
    }
  }

  private func bind(_ arguments: [(any SQLiteBindable)?]) throws {
    sqlite_nio_sqlite3_reset(handle)
    let expected = Int(sqlite_nio_sqlite3_bind_parameter_count(handle))
    guard arguments.count == expected else {
      throw SQLiteError(
        path: database.path, code: SQLITE_RANGE,
        message: "\(arguments.count) arguments for \(expected) parameters")
    }
    for (offset, argument) in arguments.enumerated() {
      let index = Int32(offset + 1)
      let status: Int32
      switch argument?.sqliteValue ?? .null {
      case .null: status = sqlite_nio_sqlite3_bind_null(handle, index)
      case .integer(let v): status = sqlite_nio_sqlite3_bind_int64(handle, index, v)
      case .real(let v): status = sqlite_nio_sqlite3_bind_double(handle, index, v)
      case .text(let v):
        status = sqlite_nio_sqlite3_bind_text64(
          handle, index, v, UInt64(v.utf8.count), sqliteTransient, UInt8(SQLITE_UTF8))
      }
      guard status == SQLITE_OK else { throw failure(status) }
    }
  }

  private func failure(_ status: Int32) -> SQLiteError {
    SQLiteError(path: database.path, code: status, message: database.lastMessage)
  }
}

/// SQLite copies bound text at once (`SQLITE_TRANSIENT`).
private let sqliteTransient = unsafeBitCast(
  OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A value as SQLite stores it (ecgxai writes no BLOBs).
enum SQLiteValue: Equatable, Sendable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
}

/// One row of a query, its columns by name.
struct SQLiteRow {
  let columns: [String: Int]
  let values: [SQLiteValue]
  let path: String

  /// The value of column `name` as `T`; an optional `T` reads NULL as nil.
  /// - Throws: `SQLiteError` when the column is missing or holds another type (or NULL for a
  ///   non-optional `T`).
  subscript<T: SQLiteColumnValue>(_ name: String) -> T {
    get throws {
      guard let index = columns[name] else {
        throw SQLiteError(path: path, code: SQLITE_RANGE, message: "no column '\(name)'")
      }
      guard let value = T(sqliteValue: values[index]) else {
        throw SQLiteError(
          path: path, code: SQLITE_MISMATCH,
          message: "column '\(name)' holds \(values[index]), not \(T.self)")
      }
      return value
    }
  }
}

/// A Swift value that can be bound to a statement's parameter.
protocol SQLiteBindable { var sqliteValue: SQLiteValue { get } }

/// A Swift value that a column can be read as.
protocol SQLiteColumnValue { init?(sqliteValue: SQLiteValue) }

extension Int: SQLiteBindable, SQLiteColumnValue {
  var sqliteValue: SQLiteValue { .integer(Int64(self)) }
  init?(sqliteValue: SQLiteValue) {
    guard case .integer(let v) = sqliteValue else { return nil }
    self = Int(v)
  }
}

extension Double: SQLiteBindable, SQLiteColumnValue {
  var sqliteValue: SQLiteValue { .real(self) }
  /// Reads REAL, and INTEGER as its value (SQLite stores a whole REAL as INTEGER in no table of
  /// ours, but a REAL column's affinity may hand back an integer-valued expression).
  init?(sqliteValue: SQLiteValue) {
    switch sqliteValue {
    case .real(let v): self = v
    case .integer(let v): self = Double(v)
    default: return nil
    }
  }
}

extension String: SQLiteBindable, SQLiteColumnValue {
  var sqliteValue: SQLiteValue { .text(self) }
  init?(sqliteValue: SQLiteValue) {
    guard case .text(let v) = sqliteValue else { return nil }
    self = v
  }
}

extension Optional: SQLiteColumnValue where Wrapped: SQLiteColumnValue {
  init?(sqliteValue: SQLiteValue) {
    if case .null = sqliteValue {
      self = .none
    } else if let value = Wrapped(sqliteValue: sqliteValue) {
      self = .some(value)
    } else {
      return nil
    }
  }
}

extension Float: SQLiteBindable {
  /// Stored as the REAL of the same value (`Double(self)`).
  var sqliteValue: SQLiteValue { .real(Double(self)) }
}

extension Bool: SQLiteBindable {
  /// Stored as INTEGER 1 or 0.
  var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}
