import Foundation

extension WFDBHeader {
  /// Parses header text; `path` is used in error messages.
  ///
  /// As tolerant as wfdb-python: LF, CRLF or CR line endings, comment lines (`#`) and blank lines
  /// anywhere, every optional field of the record line (counter frequency, base time and date)
  /// and of signal lines (samples per frame, skew, byte offset, ADC fields, checksum, block
  /// size, a description with spaces). Multi-segment records (`NAME/NSEG`) list their segments
  /// in `segments`. Errors name the file, the line and the field.
  public init(text: String, path: String) throws {
    var lines: [(number: Int, text: Substring)] = []
    var comments: [String] = []
    for (index, raw) in Self.lines(of: text).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
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
    func fail(_ reason: String) -> WFDBError {
      .malformedHeader(path: path, line: recordLineNumber, reason: reason)
    }
    let fields = recordLine.split(whereSeparator: \.isWhitespace)
    guard fields.count >= 2 else {
      throw fail("record line needs a name and a signal count: '\(recordLine)'")
    }
    guard let signalCount = Int(fields[1]), signalCount >= 0 else {
      throw fail("signal count '\(fields[1])' is not a number")
    }
    var segmentCount = 0
    if let slash = fields[0].firstIndex(of: "/") {
      guard let count = Int(fields[0][fields[0].index(after: slash)...]), count >= 1 else {
        throw fail("segment count in '\(fields[0])' is not a number ≥ 1")
      }
      segmentCount = count
      recordName = String(fields[0][..<slash])
    } else {
      recordName = String(fields[0])
    }
    samplingFrequency = 250
    if fields.count >= 3 {
      // frequency[/counter frequency[(base counter)]]
      let text = fields[2].prefix { $0 != "/" && $0 != "(" }
      guard let fs = Double(text), fs > 0, fs.isFinite else {
        throw fail("sampling frequency '\(fields[2])' is not a positive number")
      }
      samplingFrequency = fs
      if let slash = fields[2].firstIndex(of: "/") {
        let counter = fields[2][fields[2].index(after: slash)...].prefix { $0 != "(" }
        counterFrequency = Double(counter).flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
      }
    }
    if fields.count >= 4 {
      guard let n = Int(fields[3]), n >= 0 else {
        throw fail("sample count '\(fields[3])' is not a number")
      }
      sampleCount = n
    }
    if fields.count >= 5 { baseTime = String(fields[4]) }
    if fields.count >= 6 { baseDate = String(fields[5]) }
    self.signalCount = signalCount
    self.comments = comments
    let rest = lines.dropFirst()
    if segmentCount > 0 {
      guard rest.count >= segmentCount else {
        throw fail("\(segmentCount) segments announced, \(rest.count) segment lines found")
      }
      segments = try rest.prefix(segmentCount).map {
        try Self.parseSegment($0.text, line: $0.number, path: path)
      }
      signals = []
      var total = 0
      for segment in segments {
        let (sum, overflow) = total.addingReportingOverflow(segment.sampleCount)
        guard !overflow, !sum.multipliedReportingOverflow(by: 4 * max(signalCount, 1)).overflow
        else {
          throw fail(
            "segment lengths are too large for \(signalCount) signals (their byte size overflows)")
        }
        total = sum
      }
      return
    }
    guard rest.count >= signalCount else {
      throw fail("\(signalCount) signals announced, \(rest.count) signal lines found")
    }
    signals = try rest.prefix(signalCount).map {
      try Self.parseSignal($0.text, line: $0.number, path: path)
    }
    // Every reader multiplies the sample count by the samples in a frame and by up to 4 bytes a
    // sample: refuse counts whose byte size does not fit in an Int.
    var frame = 0
    for s in signals {
      let (sum, overflow) = frame.addingReportingOverflow(s.samplesPerFrame)
      guard !overflow else { throw fail("samples per frame add up beyond any file size") }
      frame = sum
    }
    if let n = sampleCount,
      n.multipliedReportingOverflow(by: max(frame, 1)).overflow
        || (n * max(frame, 1)).multipliedReportingOverflow(by: 4).overflow
    {
      throw fail(
        "sample count '\(fields[3])' is too large for \(signalCount) signals (its byte size overflows)"
      )
    }
  }

  /// The lines of `text` split at LF, CRLF and CR (Swift reads CRLF as one character).
  static func lines(of text: String) -> [Substring] {
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
  }

  /// A segment line of a multi-segment header: `NAME LENGTH`.
  static func parseSegment(_ line: Substring, line number: Int, path: String) throws -> WFDBSegment
  {
    let fields = line.split(whereSeparator: \.isWhitespace)
    guard fields.count >= 2, let n = Int(fields[1]), n >= 0 else {
      throw WFDBError.malformedHeader(
        path: path, line: number,
        reason: "segment line needs a record name and a sample count: '\(line)'")
    }
    let name = String(fields[0])
    guard
      name == "~" || (!name.contains("/") && !name.contains("\\") && name != "." && name != "..")
    else {
      throw WFDBError.malformedHeader(
        path: path, line: number,
        reason: "segment name '\(name)' must be a record name in the same folder")
    }
    return WFDBSegment(name: name, sampleCount: n)
  }

  /// The whitespace-separated fields of `line` and where each ends (to keep the description).
  static func fieldsWithEnds(_ line: Substring) -> [(Substring, String.Index)] {
    var out: [(Substring, String.Index)] = []
    var i = line.startIndex
    while i < line.endIndex {
      while i < line.endIndex, line[i].isWhitespace { i = line.index(after: i) }
      guard i < line.endIndex else { break }
      let start = i
      while i < line.endIndex, !line[i].isWhitespace { i = line.index(after: i) }
      out.append((line[start..<i], i))
    }
    return out
  }

  static func parseSignal(_ line: Substring, line number: Int, path: String) throws
    -> WFDBSignalSpec
  {
    let tokens = fieldsWithEnds(line)
    let fields = tokens.prefix(8).map { String($0.0) }
    func fail(_ reason: String) -> WFDBError {
      .malformedHeader(path: path, line: number, reason: reason)
    }
    guard fields.count >= 2 else {
      throw fail("signal line needs a file name and a format: '\(line)'")
    }
    // Format field: format[xsamples per frame][:skew][+byte offset]
    var formatText = Substring(fields[1])
    var offset = 0
    if let plus = formatText.firstIndex(of: "+") {
      guard let value = Int(formatText[formatText.index(after: plus)...]), value >= 0 else {
        throw fail("byte offset in '\(fields[1])' is not a number ≥ 0")
      }
      offset = value
      formatText = formatText[..<plus]
    }
    var skew = 0
    if let colon = formatText.firstIndex(of: ":") {
      guard let value = Int(formatText[formatText.index(after: colon)...]), value >= 0 else {
        throw fail("skew in '\(fields[1])' is not a number ≥ 0")
      }
      skew = value
      formatText = formatText[..<colon]
    }
    var samplesPerFrame = 1
    if let x = formatText.firstIndex(of: "x") {
      guard let value = Int(formatText[formatText.index(after: x)...]), value >= 1 else {
        throw fail("samples per frame in '\(fields[1])' is not a number ≥ 1")
      }
      samplesPerFrame = value
      formatText = formatText[..<x]
    }
    guard let formatNumber = Int(formatText) else {
      throw fail("format '\(fields[1])' is not a number")
    }
    guard let format = WFDBFormat(rawValue: formatNumber) else {
      throw WFDBError.unsupportedFormat(path: path, line: number, format: formatNumber)
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
      if let open = text.firstIndex(of: "(") {
        guard let close = text[open...].firstIndex(of: ")"),
          close == text.index(before: text.endIndex),
          let b = Int(text[text.index(after: open)..<close])
        else {
          throw fail("baseline in gain '\(fields[2])' is not an integer in parentheses")
        }
        baseline = b
        text = text[..<open]
      }
      guard let g = Double(text), g.isFinite else {
        throw fail("gain '\(fields[2])' is not a number")
      }
      gain = g == 0 ? 200 : g
    }
    func int(_ index: Int, _ name: String) throws -> Int? {
      guard fields.count > index else { return nil }
      guard let value = Int(fields[index]) else {
        throw fail("\(name) '\(fields[index])' is not an integer")
      }
      return value
    }
    let resolution = try int(3, "ADC resolution") ?? format.bits
    let zero = try int(4, "ADC zero") ?? 0
    let initial = try int(5, "initial value") ?? 0
    let checksum = try int(6, "checksum")
    let blockSize = try int(7, "block size") ?? 0
    // The description is the rest of the line, inner spaces kept (`sig 0, fmt 8`).
    let description =
      tokens.count > 8
      ? String(line[tokens[7].1...]).trimmingCharacters(in: .whitespaces) : ""
    return WFDBSignalSpec(
      fileName: fields[0], format: format, samplesPerFrame: samplesPerFrame, skew: skew, gain: gain,
      baseline: baseline ?? zero, units: units, adcResolution: resolution, adcZero: zero,
      initialValue: initial, checksum: checksum, blockSize: blockSize, description: description,
      byteOffset: offset)
  }
}
