import ECGTensor
import Foundation

/// Errors reading CSV files.
public enum CSVError: Error, CustomStringConvertible, Equatable {
  /// The file is missing or unreadable.
  case unreadable(path: String)
  /// A quoted field is not closed.
  case unterminatedQuote(path: String, line: Int)
  /// A required column is missing.
  case missingColumn(path: String, column: String)

  public var description: String {
    switch self {
    case .unreadable(let path): "\(path): cannot read CSV file"
    case .unterminatedQuote(let path, let line): "\(path):\(line): unterminated quoted field"
    case .missingColumn(let path, let column): "\(path): required column '\(column)' is missing"
    }
  }
}

/// A CSV table (RFC 4180: comma separated, `"` quoting with `""` escapes, CRLF or LF lines),
/// held as strings; the first row is the header.
public struct CSVTable: Sendable {
  /// Column names.
  public var columns: [String]
  /// Rows, each with one field per column (short rows are padded with "").
  public var rows: [[String]]
  /// The 1-based line of the file on which each row starts (for messages; the header is line 1).
  public var rowLines: [Int]

  /// Parses CSV text; `path` is used in error messages.
  public init(text: String, path: String = "<text>") throws {
    var records: [[String]] = []
    var recordLines: [Int] = []
    var recordLine = 1
    var field = ""
    var record: [String] = []
    var inQuotes = false
    var line = 1
    var quoteLine = 1
    var iterator = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    while let c = pending ?? iterator.next() {
      pending = nil
      if inQuotes {
        if c == "\"" {
          if let next = iterator.next() {
            if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
          } else { inQuotes = false }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case "\"": inQuotes = true; quoteLine = line
      case ",": record.append(field); field = ""
      case "\r": continue
      case "\n":
        record.append(field)
        records.append(record)
        recordLines.append(recordLine)
        record = []
        field = ""
        line += 1
        recordLine = line
      default: field.unicodeScalars.append(c)
      }
    }
    if inQuotes { throw CSVError.unterminatedQuote(path: path, line: quoteLine) }
    if !field.isEmpty || !record.isEmpty {
      record.append(field)
      records.append(record)
      recordLines.append(recordLine)
    }
    columns = records.first ?? []
    let width = columns.count
    let kept = records.indices.dropFirst().filter { !(records[$0].count == 1 && records[$0][0].isEmpty) }
    rows = kept.map { records[$0].count >= width ? records[$0] : records[$0] + [String](repeating: "", count: width - records[$0].count) }
    rowLines = kept.map { recordLines[$0] }
  }

  /// Reads a CSV file.
  public init(contentsOf url: URL) throws {
    guard let data = FileManager.default.contents(atPath: url.path),
      let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
    else { throw CSVError.unreadable(path: url.path) }
    try self.init(text: text, path: url.path)
  }

  /// Reads only the rows whose first field passes `keep`, streaming the file in 1 MiB blocks:
  /// memory holds the kept rows, not the file (for large per-record tables such as the
  /// phantom's evidence, read for a few records). Rows are told apart by line, so quoted fields
  /// may not contain line breaks (the header may).
  public init(contentsOf url: URL, keepingRowsWhereFirstField keep: (Substring) -> Bool) throws {
    guard let handle = FileHandle(forReadingAtPath: url.path) else { throw CSVError.unreadable(path: url.path) }
    defer { try? handle.close() }
    var kept = ""
    var header: String? = nil
    var carry = Data()
    func take(_ lineData: Data) {
      let line = String(decoding: lineData, as: UTF8.self)
      guard header != nil else { header = line; return }
      let first = line.prefix { $0 != "," }
      if keep(first.hasPrefix("\"") ? Substring(first.dropFirst().dropLast()) : first) { kept += line + "\n" }
    }
    while true {
      let block = handle.readData(ofLength: 1 << 20)
      if block.isEmpty { break }
      carry.append(block)
      var start = carry.startIndex
      while let newline = carry[start...].firstIndex(of: 0x0A) {
        take(carry[start..<newline])
        start = carry.index(after: newline)
      }
      carry = Data(carry[start...])
    }
    if !carry.isEmpty { take(carry) }
    guard let header else { throw CSVError.unreadable(path: url.path) }
    try self.init(text: header + "\n" + kept, path: url.path)
  }

  /// The index of a column, or nil.
  public func index(of column: String) -> Int? { columns.firstIndex(of: column) }

  /// The index of a required column.
  public func requireColumn(_ column: String, path: String) throws -> Int {
    guard let i = index(of: column) else { throw CSVError.missingColumn(path: path, column: column) }
    return i
  }
}

/// Builds CSV text row by row (RFC 4180 quoting where needed, LF line ends).
public struct CSVWriter: Sendable {
  /// The text so far.
  public private(set) var text = ""

  /// Starts a CSV with a header row.
  public init(columns: [String]) { append(columns) }

  /// Appends one row.
  public mutating func append(_ fields: [String]) {
    text += fields.map(Self.escape).joined(separator: ",")
    text += "\n"
  }

  /// Appends pre-rendered rows (each already ending in a newline).
  public mutating func appendRaw(_ rows: String) { text += rows }

  /// A field quoted when it contains a comma, quote or line break.
  public static func escape(_ field: String) -> String {
    if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
      return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return field
  }

  /// A row of fields as one CSV line (with newline).
  public static func line(_ fields: [String]) -> String {
    fields.map(escape).joined(separator: ",") + "\n"
  }

  /// Writes the text atomically.
  public func write(to url: URL) throws {
    try Data(text.utf8).writeAtomically(to: url)
  }
}

/// The integer a CSV cell holds — `12`, or `12.0` as pandas writes integer columns with missing
/// values — or nil for anything else (text, fractions such as `10.7`, `inf`, `nan`, or values
/// beyond Int's range such as `1e300`), so that no cell is truncated, wrapped or trapped on.
func exactInteger(_ text: String) -> Int? {
  let text = text.trimmingCharacters(in: .whitespaces)
  if let i = Int(text) { return i }
  guard let d = Double(text), d.isFinite, d == d.rounded(), abs(d) < 0x1p63 else { return nil }
  return Int(d)
}
