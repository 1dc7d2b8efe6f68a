import Foundation

/// Errors reading or writing WFDB records (PhysioNet's header + signal file format).
public enum WFDBError: Error, CustomStringConvertible, Equatable {
  /// The header file is missing or unreadable.
  case missingHeader(path: String)
  /// A header line cannot be parsed.
  case malformedHeader(path: String, line: Int, reason: String)
  /// A signal file named by the header is missing.
  case missingSignalFile(path: String)
  /// A signal file is shorter than the header's sample count needs.
  case truncatedSignalFile(path: String, expectedBytes: Int, actualBytes: Int)
  /// The 16-bit checksum of a signal does not match the header.
  case checksumMismatch(path: String, signal: String, expected: Int, actual: Int)
  /// The storage format is not supported.
  case unsupportedFormat(path: String, format: Int)
  /// The record cannot be handled (multi-segment, inconsistent signals, …).
  case unsupportedRecord(path: String, reason: String)
  /// A record cannot be written as requested.
  case invalidRecord(reason: String)
  /// Writing failed.
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .missingHeader(let path): "\(path): WFDB header not found or unreadable"
    case .malformedHeader(let path, let line, let reason): "\(path):\(line): malformed WFDB header: \(reason)"
    case .missingSignalFile(let path): "\(path): WFDB signal file not found"
    case .truncatedSignalFile(let path, let expected, let actual):
      "\(path): signal file is truncated (\(actual) of \(expected) bytes)"
    case .checksumMismatch(let path, let signal, let expected, let actual):
      "\(path): checksum mismatch in signal \(signal) (header \(expected), data \(actual)); the file is corrupt"
    case .unsupportedFormat(let path, let format):
      "\(path): WFDB format \(format) is not supported (supported: \(WFDBFormat.allCases.map { String($0.rawValue) }.joined(separator: ", ")))"
    case .unsupportedRecord(let path, let reason): "\(path): unsupported WFDB record: \(reason)"
    case .invalidRecord(let reason): "cannot write WFDB record: \(reason)"
    case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
    }
  }
}

/// WFDB sample storage formats.
public enum WFDBFormat: Int, Sendable, CaseIterable {
  /// 8-bit offset binary (stored byte − 128).
  case format80 = 80
  /// 16-bit two's complement, little-endian (PTB-XL's format).
  case format16 = 16
  /// Two 12-bit two's-complement samples packed in three bytes.
  case format212 = 212
  /// 24-bit two's complement, little-endian.
  case format24 = 24
  /// 32-bit two's complement, little-endian.
  case format32 = 32

  /// The digital range of the format; the minimum is reserved for missing samples (NaN).
  public var digitalRange: ClosedRange<Int> {
    switch self {
    case .format80: -128...127
    case .format16: -32768...32767
    case .format212: -2048...2047
    case .format24: -8_388_608...8_388_607
    case .format32: Int(Int32.min)...Int(Int32.max)
    }
  }

  /// ADC resolution written to headers (bits).
  public var bits: Int {
    switch self {
    case .format80: 8
    case .format16: 16
    case .format212: 12
    case .format24: 24
    case .format32: 32
    }
  }

  /// Bytes needed for `count` samples.
  public func byteCount(samples count: Int) -> Int {
    switch self {
    case .format80: count
    case .format16: 2 * count
    case .format212: (3 * count + 1) / 2
    case .format24: 3 * count
    case .format32: 4 * count
    }
  }
}

/// One signal line of a WFDB header.
public struct WFDBSignalSpec: Sendable, Equatable {
  /// Signal file name (relative to the header's directory).
  public var fileName: String
  /// Storage format.
  public var format: WFDBFormat
  /// ADC gain, digital units per physical unit (WFDB default 200).
  public var gain: Double
  /// Digital value of physical zero.
  public var baseline: Int
  /// Physical unit (default mV).
  public var units: String
  /// ADC resolution, bits.
  public var adcResolution: Int
  /// ADC zero.
  public var adcZero: Int
  /// First sample (digital).
  public var initialValue: Int
  /// 16-bit checksum of all samples, if given.
  public var checksum: Int?
  /// Block size.
  public var blockSize: Int
  /// Description (the lead name in PTB-XL).
  public var description: String
  /// Byte offset of the signal's first sample in its file.
  public var byteOffset: Int
}

/// A parsed WFDB header (`.hea`).
public struct WFDBHeader: Sendable, Equatable {
  /// Record name.
  public var recordName: String
  /// Sampling frequency, Hz (WFDB default 250).
  public var samplingFrequency: Double
  /// Samples per signal (nil when the header does not say).
  public var sampleCount: Int?
  /// One entry per signal.
  public var signals: [WFDBSignalSpec]
  /// Comment lines without the leading `#`.
  public var comments: [String]

  /// Parses header text; `path` is used in error messages.
  public init(text: String, path: String) throws {
    var lines: [(Int, Substring)] = []
    var comments: [String] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      if line.hasPrefix("#") {
        comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
        continue
      }
      lines.append((index + 1, Substring(line)))
    }
    guard let (recordLineNumber, recordLine) = lines.first else {
      throw WFDBError.malformedHeader(path: path, line: 1, reason: "no record line")
    }
    let fields = recordLine.split(whereSeparator: \.isWhitespace)
    guard fields.count >= 2 else {
      throw WFDBError.malformedHeader(path: path, line: recordLineNumber, reason: "record line needs a name and a signal count: '\(recordLine)'")
    }
    if fields[0].contains("/") {
      throw WFDBError.unsupportedRecord(path: path, reason: "multi-segment records are not supported")
    }
    guard let signalCount = Int(fields[1]), signalCount >= 0 else {
      throw WFDBError.malformedHeader(path: path, line: recordLineNumber, reason: "signal count '\(fields[1])' is not a number")
    }
    recordName = String(fields[0])
    samplingFrequency = 250
    if fields.count >= 3 {
      // frequency[/counter frequency[(base counter)]]
      let text = fields[2].prefix { $0 != "/" && $0 != "(" }
      guard let fs = Double(text), fs > 0, fs.isFinite else {
        throw WFDBError.malformedHeader(path: path, line: recordLineNumber, reason: "sampling frequency '\(fields[2])' is not a positive number")
      }
      samplingFrequency = fs
    }
    if fields.count >= 4 {
      guard let n = Int(fields[3]), n >= 0 else {
        throw WFDBError.malformedHeader(path: path, line: recordLineNumber, reason: "sample count '\(fields[3])' is not a number")
      }
      sampleCount = n
    }
    guard lines.count - 1 >= signalCount else {
      throw WFDBError.malformedHeader(path: path, line: recordLineNumber, reason: "\(signalCount) signals announced, \(lines.count - 1) signal lines found")
    }
    // Every reader multiplies the sample count by the signals in a file and by up to 4 bytes a
    // sample: refuse counts whose byte size does not fit in an Int.
    if let n = sampleCount, n.multipliedReportingOverflow(by: 4 * max(signalCount, 1)).overflow {
      throw WFDBError.malformedHeader(
        path: path, line: recordLineNumber,
        reason: "sample count '\(fields[3])' is too large for \(signalCount) signals (its byte size overflows)")
    }
    signals = try lines.dropFirst().prefix(signalCount).map { try Self.parseSignal($0.1, line: $0.0, path: path) }
    self.comments = comments
  }

  static func parseSignal(_ line: Substring, line number: Int, path: String) throws -> WFDBSignalSpec {
    let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
    guard fields.count >= 2 else {
      throw WFDBError.malformedHeader(path: path, line: number, reason: "signal line needs a file name and a format: '\(line)'")
    }
    // Format field: format[xsamples][:skew][+offset]
    var formatText = Substring(fields[1])
    var offset = 0
    if let plus = formatText.firstIndex(of: "+") {
      guard let value = Int(formatText[formatText.index(after: plus)...]), value >= 0 else {
        throw WFDBError.malformedHeader(
          path: path, line: number, reason: "byte offset in '\(fields[1])' is not a number ≥ 0")
      }
      offset = value
      formatText = formatText[..<plus]
    }
    if let colon = formatText.firstIndex(of: ":") { formatText = formatText[..<colon] }
    if formatText.contains("x") {
      throw WFDBError.unsupportedRecord(path: path, reason: "multi-frequency signals (\(fields[1])) are not supported")
    }
    guard let formatNumber = Int(formatText) else {
      throw WFDBError.malformedHeader(path: path, line: number, reason: "format '\(fields[1])' is not a number")
    }
    guard let format = WFDBFormat(rawValue: formatNumber) else {
      throw WFDBError.unsupportedFormat(path: path, format: formatNumber)
    }
    var gain = 200.0
    var baseline: Int? = nil
    var units = "mV"
    if fields.count >= 3 {
      var text = Substring(fields[2])
      if let slash = text.firstIndex(of: "/") {
        units = String(text[text.index(after: slash)...])
        text = text[..<slash]
      }
      if let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")") {
        guard let b = Int(text[text.index(after: open)..<close]) else {
          throw WFDBError.malformedHeader(path: path, line: number, reason: "baseline in '\(fields[2])'")
        }
        baseline = b
        text = text[..<open]
      }
      guard let g = Double(text), g.isFinite else {
        throw WFDBError.malformedHeader(path: path, line: number, reason: "gain '\(fields[2])' is not a number")
      }
      gain = g == 0 ? 200 : g
    }
    func int(_ index: Int, _ name: String) throws -> Int? {
      guard fields.count > index else { return nil }
      guard let value = Int(fields[index]) else {
        throw WFDBError.malformedHeader(path: path, line: number, reason: "\(name) '\(fields[index])' is not an integer")
      }
      return value
    }
    let resolution = try int(3, "ADC resolution") ?? format.bits
    let zero = try int(4, "ADC zero") ?? 0
    let initial = try int(5, "initial value") ?? 0
    let checksum = try int(6, "checksum")
    let blockSize = try int(7, "block size") ?? 0
    let description = fields.count > 8 ? fields[8...].joined(separator: " ") : ""
    return WFDBSignalSpec(
      fileName: fields[0], format: format, gain: gain, baseline: baseline ?? zero, units: units,
      adcResolution: resolution, adcZero: zero, initialValue: initial, checksum: checksum,
      blockSize: blockSize, description: description, byteOffset: offset)
  }

  /// Header text as written by `WFDB.write` (PTB-XL's layout).
  var text: String {
    var out = "\(recordName) \(signals.count) \(formatNumber(samplingFrequency))"
    if let sampleCount { out += " \(sampleCount)" }
    out += "\n"
    for s in signals {
      out += "\(s.fileName) \(s.format.rawValue) \(formatNumber(s.gain, keepDecimal: true))(\(s.baseline))/\(s.units) "
      out += "\(s.adcResolution) \(s.adcZero) \(s.initialValue) \(s.checksum ?? 0) \(s.blockSize)"
      out += s.description.isEmpty ? "\n" : " \(s.description)\n"
    }
    for c in comments { out += "# \(c)\n" }
    return out
  }

  private func formatNumber(_ x: Double, keepDecimal: Bool = false) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return keepDecimal ? String(format: "%.1f", x) : String(Int(x)) }
    return String(x)
  }
}
