import Foundation
import VaporCSQLite

/// A SQLite database file, opened on the SQLite that is built from source with the package
/// (sqlite-nio's amalgamation, symbols prefixed `sqlite_nio_`), so ecgxai needs no system SQLite
/// and every machine writes the same file format version.
///
/// Not safe for concurrent use: one thread at a time (ecgxai opens one per file and step).
final class SQLiteDatabase {
  private var handle: OpaquePointer?
  /// The file's path (for error messages).
  let path: String

  /// Opens `path`; `readOnly` refuses writes, otherwise the file is created when missing.
  /// - Throws: `SQLiteError` naming the file when SQLite cannot open it.
  init(path: String, readOnly: Bool = false) throws {
    self.path = path
    let flags =
      readOnly
      ? SQLITE_OPEN_READONLY
      : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
    guard status == SQLITE_OK else {
      let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite_nio_sqlite3_close_v2(handle)
      handle = nil
      throw SQLiteError(path: path, code: status, message: message)
    }
    sqlite_nio_sqlite3_extended_result_codes(handle, 1)
  }

  deinit { sqlite_nio_sqlite3_close_v2(handle) }

  /// The SQLite library version ecgxai is built with, e.g. `3.54.1`.
  static var libraryVersion: String { String(cString: sqlite_nio_sqlite3_libversion()) }

  /// Runs one or more SQL statements that return no rows (a schema, `BEGIN`, …).
  func execute(_ sql: String) throws {
    var message: UnsafeMutablePointer<CChar>?
    let status = sqlite_nio_sqlite3_exec(try open(), sql, nil, nil, &message)
    defer { sqlite_nio_sqlite3_free(message) }
    guard status == SQLITE_OK else {
      throw SQLiteError(path: path, code: status, message: message.map { String(cString: $0) } ?? lastMessage)
    }
  }

  /// Compiles one statement for repeated use with different arguments.
  func prepare(_ sql: String) throws -> SQLiteStatement {
    var statement: OpaquePointer?
    let status = sqlite_nio_sqlite3_prepare_v2(try open(), sql, -1, &statement, nil)
    guard status == SQLITE_OK, let statement else {
      sqlite_nio_sqlite3_finalize(statement)
      throw SQLiteError(path: path, code: status, message: "\(lastMessage) in: \(sql)")
    }
    return SQLiteStatement(statement, database: self)
  }

  /// All rows of one query.
  func rows(_ sql: String, _ arguments: [(any SQLiteBindable)?] = []) throws -> [SQLiteRow] {
    try prepare(sql).rows(arguments)
  }

  /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
  func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  /// Closes the file; later calls throw. Statements prepared on it must be gone by then.
  func close() throws {
    guard let handle else { return }
    let status = sqlite_nio_sqlite3_close(handle)
    guard status == SQLITE_OK else { throw SQLiteError(path: path, code: status, message: lastMessage) }
    self.handle = nil
  }

  var lastMessage: String {
    handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "database is closed"
  }

  private func open() throws -> OpaquePointer {
    guard let handle else { throw SQLiteError(path: path, code: SQLITE_MISUSE, message: "database is closed") }
    return handle
  }
}

/// A failed SQLite call: the file, SQLite's result code and its message.
struct SQLiteError: Error, CustomStringConvertible {
  /// The database file.
  var path: String
  /// SQLite's (extended) result code.
  var code: Int32
  /// SQLite's message.
  var message: String

  var description: String { "\(message) (SQLite code \(code), \(path))" }
}
