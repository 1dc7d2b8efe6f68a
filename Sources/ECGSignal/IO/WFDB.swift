import ECGTensor
import Foundation

/// WFDB records (PhysioNet): a text header (`NAME.hea`) and binary signal files (`NAME.dat`).
///
/// Reads formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 and FLAC's 508, 516 and 524 (with a
/// FLAC decoder of ours), single- and multi-segment records
/// (fixed and variable layout), several signal files, byte offsets, skew, several samples per
/// frame, `.mat` signal files (MATLAB 4 as the Challenges write them, MATLAB 5 as wfdb2mat does,
/// wherever the header says they start); checks the per-signal checksums that headers give (a
/// mismatch means the samples are not the recorded ones; wfdb-python does not check them), and
/// converts to physical units:
/// `(digital − baseline) / gain`; the format's minimum digital value means "missing" and reads as NaN.
/// Voltages are read in millivolts whatever the header's unit (`uV`/`µV`, `nV`, `V` and `mV` are
/// rescaled and reported as `mV`); a signal in another unit (e.g. `mmHg`) keeps its values and
/// its unit, which `ECGRecord.units` carries and `PTBXLDataset.batch` refuses.
/// Writes PTB-XL's layout (format 16, gain 1000/mV, ADC resolution 16, lead names as descriptions)
/// or formats 212/80, atomically and byte-identically for the same input.
public enum WFDB {
  /// Reads a header; `recordPath` is the record's path without extension.
  public static func readHeader(_ recordPath: URL) throws -> WFDBHeader {
    let url = headerURL(recordPath)
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw WFDBError.missingHeader(path: url.path)
    }
    guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
    else {
      throw WFDBError.malformedHeader(path: url.path, line: 1, reason: "not text")
    }
    return try WFDBHeader(text: text, path: url.path)
  }

  /// Reads a record (physical units) like `wfdb.rdrecord(path).p_signal`, as [signals, samples].
  ///
  /// Multi-segment records are joined (null segments and signals a segment lacks read as NaN);
  /// signals with several samples per frame read as their mean per frame; skewed signals are
  /// aligned (samples past the record's end are NaN). Lead names that denote one of the 12
  /// standard leads (`i`, `avr`, `MLII`, …) are spelt as `ECGRecord.standardLeadNames` spells
  /// them when no other signal denotes the same lead; other names are kept.
  /// - Throws: `WFDBError` naming the file (and the header line) for a missing or malformed
  ///   header, a missing or truncated signal file (or corrupt FLAC stream), a checksum that does
  ///   not match the samples, a format number that WFDB does not define.
  public static func read(_ recordPath: URL) throws -> ECGRecord {
    let header = try readHeader(recordPath)
    let directory = recordPath.deletingLastPathComponent()
    let headerPath = headerURL(recordPath).path
    if header.isMultiSegment {
      return try readMultiSegment(header, directory: directory, headerPath: headerPath)
    }
    guard !header.signals.isEmpty else {
      throw WFDBError.unsupportedRecord(path: headerPath, reason: "the record has no signals")
    }
    let (samples, _) = try readSamples(header, directory: directory, headerPath: headerPath)
    return ECGRecord(
      name: header.recordName, leadNames: leadNames(header.signals.map(\.description)),
      samplingRateHz: header.samplingFrequency, samples: samples,
      units: header.signals.map(physicalUnits))
  }

  /// The unit of a signal's samples as read: `mV` for voltages, else the header's unit.
  static func physicalUnits(_ spec: WFDBSignalSpec) -> String {
    unitsPerMillivolt(spec.units) == nil ? spec.units : "mV"
  }

  /// Lead names for WFDB descriptions: `sigK` for an empty one, the standard spelling for a name
  /// that denotes one of the 12 leads unambiguously, else the description itself.
  static func leadNames(_ descriptions: [String]) -> [String] {
    let named = descriptions.enumerated().map {
      $0.element.isEmpty ? "sig\($0.offset)" : $0.element
    }
    let standard = named.map(ECGRecord.standardLeadName)
    var counts: [String: Int] = [:]
    for case let name? in standard { counts[name, default: 0] += 1 }
    return zip(named, standard).map { name, lead in
      lead.flatMap { counts[$0] == 1 ? $0 : nil } ?? name
    }
  }

  /// The physical samples of a single-segment record, row-major [signals, samples], and the
  /// sample count.
  static func readSamples(
    _ header: WFDBHeader, directory: URL, headerPath: String
  ) throws -> (samples: [Float], sampleCount: Int) {
    // Group signals by file, keeping header order within each file; null signals have no file.
    var files: [String] = []
    var members: [String: [Int]] = [:]
    for (i, s) in header.signals.enumerated() where s.format != .format0 && s.fileName != "~" {
      if members[s.fileName] == nil { files.append(s.fileName) }
      members[s.fileName, default: []].append(i)
    }
    var sampleCount = header.sampleCount
    // Per signal: digital value per frame (frames averaged), or nil for a null signal.
    var digital = [[Int32]?](repeating: nil, count: header.signals.count)
    for file in files {
      let indices = members[file]!
      let first = header.signals[indices[0]]
      var format = first.format
      guard indices.allSatisfy({ header.signals[$0].format == format }) else {
        throw WFDBError.unsupportedRecord(
          path: headerPath, reason: "signals in \(file) use different formats")
      }
      let url = directory.appendingPathComponent(file)
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw WFDBError.missingSignalFile(path: url.path)
      }
      let perFrame = indices.map { header.signals[$0].samplesPerFrame }
      let frame = perFrame.reduce(0, +)
      if format.isFLAC {
        let (values, frames) = try readFLAC(
          data, url: url, format: format, samplesPerFrame: perFrame, sampleOffset: first.byteOffset,
          sampleCount: sampleCount)
        if sampleCount == nil { sampleCount = frames }
        try unpack(
          values, frames: frames, frame: frame, indices: indices, perFrame: perFrame,
          header: header,
          format: format, headerPath: headerPath, into: &digital)
        continue
      }
      var offset = first.byteOffset
      var columnMajor = false
      // A MATLAB file: its own header says where the samples start, whatever the .hea says.
      if url.pathExtension.lowercased() == "mat",
        let matrix = try MATLABMatrix.parse(data, path: url.path)
      {
        guard matrix.format == format || (matrix.format == .format61 && format == .format16) else {
          throw WFDBError.unsupportedRecord(
            path: url.path,
            reason: "the header gives format \(format.rawValue), the MATLAB matrix holds format "
              + "\(matrix.format.rawValue) elements")
        }
        format = matrix.format
        offset = matrix.dataOffset
        // wfdb2mat writes signals × samples; a samples × signals matrix is read column by column.
        columnMajor = matrix.rows != frame && matrix.columns == frame && frame > 1
        let frames = columnMajor ? matrix.rows : matrix.columns
        if sampleCount == nil {
          guard !frames.multipliedReportingOverflow(by: 4 * max(frame, 1)).overflow,
            !(4 * max(frame, 1)).multipliedReportingOverflow(by: frames).overflow
          else {
            throw WFDBError.unsupportedRecord(
              path: url.path, reason: "the MATLAB matrix is too large")
          }
          sampleCount = frames
        }
      }
      guard offset <= data.count else {
        throw WFDBError.truncatedSignalFile(
          path: url.path, expectedBytes: offset, actualBytes: data.count)
      }
      let available = data.count - offset
      let n: Int
      if let sampleCount {
        n = sampleCount
        // The header bounds sampleCount × frame × 4 bytes, so this cannot overflow.
        let needed = format.byteCount(samples: n * frame)
        guard available >= needed else {
          throw WFDBError.truncatedSignalFile(
            path: url.path, expectedBytes: offset + needed, actualBytes: data.count)
        }
      } else {
        n = format.samplesFitting(bytes: available) / max(frame, 1)
        sampleCount = n
      }
      var values = decode(data, offset: offset, count: n * frame, format: format)
      if columnMajor {
        let stored = values
        for t in 0..<n { for k in 0..<frame { values[t * frame + k] = stored[k * n + t] } }
      }
      try unpack(
        values, frames: n, frame: frame, indices: indices, perFrame: perFrame, header: header,
        format: format, headerPath: headerPath, into: &digital)
    }
    let n = sampleCount ?? 0
    var samples = [Float](repeating: .nan, count: header.signals.count * n)
    for (i, spec) in header.signals.enumerated() {
      guard let d = digital[i] else { continue }  // a null signal: every sample missing
      guard d.count == n else {
        throw WFDBError.unsupportedRecord(
          path: headerPath, reason: "signal files hold different sample counts")
      }
      let invalid = spec.format.missingValue
      let baseline = Double(spec.baseline)
      // Digital units per mV for voltages; the header's own gain for other units.
      let gain = spec.gain * (Self.unitsPerMillivolt(spec.units) ?? 1)
      // Skew: sample t is stored in frame t + skew; frames past the record's end are missing.
      let skew = spec.skew
      let shown = skew >= n ? 0 : n - skew
      for t in 0..<shown {
        let v = d[t + skew]
        samples[i * n + t] = v == invalid ? .nan : Float((Double(v) - baseline) / gain)
      }
    }
    return (samples, n)
  }

  /// Splits the interleaved digital `values` of one signal file (`frames` frames of `frame`
  /// samples) into its signals: format 8's differences made absolute, checksums checked, several
  /// samples per frame averaged (integer mean, toward zero, as wfdb-python's smooth_frames).
  static func unpack(
    _ values: [Int32], frames n: Int, frame: Int, indices: [Int], perFrame: [Int],
    header: WFDBHeader,
    format: WFDBFormat, headerPath: String, into digital: inout [[Int32]?]
  ) throws {
    var start = 0
    for (k, signal) in indices.enumerated() {
      let spec = header.signals[signal]
      let spf = perFrame[k]
      // Every stored sample of the signal, in order (format 8: differences made absolute).
      var stored = [Int32](repeating: 0, count: n * spf)
      var accumulator = Int32(truncatingIfNeeded: spec.initialValue)
      for t in 0..<n {
        for j in 0..<spf {
          let v = values[t * frame + start + j]
          if format == .format8 {
            accumulator &+= v
            stored[t * spf + j] = accumulator
          } else {
            stored[t * spf + j] = v
          }
        }
      }
      start += spf
      if let expected = spec.checksum {
        var sum: Int64 = 0
        for v in stored { sum &+= Int64(v) }
        let actual = Int(sum & 0xFFFF)
        if actual != (expected & 0xFFFF) {
          throw WFDBError.checksumMismatch(
            path: headerPath, signal: spec.description.isEmpty ? "\(signal)" : spec.description,
            expected: expected, actual: actual > 32767 ? actual - 65536 : actual)
        }
      }
      // Frames averaged as wfdb-python's smooth_frames does (integer mean, toward zero).
      if spf > 1 {
        digital[signal] = (0..<n).map { t in
          var sum: Int64 = 0
          for j in 0..<spf { sum += Int64(stored[t * spf + j]) }
          return Int32(truncatingIfNeeded: sum / Int64(spf))
        }
      } else {
        digital[signal] = stored
      }
    }
  }

  /// Decodes a FLAC signal file (formats 508/516/524): one channel per signal, each signal's
  /// samples of a frame consecutive in its channel; the byte offset field counts samples to skip.
  /// Returns the values interleaved as a binary signal file holds them, and the frame count.
  static func readFLAC(
    _ data: Data, url: URL, format: WFDBFormat, samplesPerFrame: [Int], sampleOffset: Int,
    sampleCount: Int?
  ) throws -> (values: [Int32], frames: Int) {
    func fail(_ reason: String) -> WFDBError { .unsupportedRecord(path: url.path, reason: reason) }
    let spf = samplesPerFrame[0]
    guard samplesPerFrame.allSatisfy({ $0 == spf }) else {
      throw fail("the signals of a FLAC file must have the same samples per frame")
    }
    let channels = samplesPerFrame.count
    var limit = Int.max
    if let sampleCount {
      let (wanted, overflow) = sampleCount.multipliedReportingOverflow(by: spf)
      let (total, overflow2) = wanted.addingReportingOverflow(sampleOffset)
      guard !overflow, !overflow2 else { throw fail("the sample count is too large") }
      limit = total
    }
    let stream: FLACDecoder.Stream
    do {
      stream = try FLACDecoder.decode(
        data, limit: limit, maximumSamples: maximumMultiSegmentSamples)
    } catch let failure as FLACDecoder.Failure {
      throw fail("corrupt FLAC stream: \(failure.reason)")
    }
    guard stream.channels == channels else {
      throw fail("the FLAC stream has \(stream.channels) channels for \(channels) signals")
    }
    guard stream.bitsPerSample <= format.bits else {
      throw fail(
        "the FLAC stream has \(stream.bitsPerSample)-bit samples, format \(format.rawValue) at most \(format.bits)"
      )
    }
    let available = max(0, stream.samples[0].count - sampleOffset)
    let n = sampleCount ?? available / spf
    guard available >= n * spf else {
      throw fail(
        "the FLAC stream holds \(available) samples per signal after the offset, the header needs \(n * spf)"
      )
    }
    let frame = channels * spf
    var values = [Int32](repeating: 0, count: n * frame)
    for k in 0..<channels {
      let channel = stream.samples[k]
      for t in 0..<n {
        for j in 0..<spf { values[t * frame + k * spf + j] = channel[sampleOffset + t * spf + j] }
      }
    }
    return (values, n)
  }

  /// How many of `units` make one millivolt (`uV` → 1000), or nil when `units` is not a voltage.
  /// Units are matched case-sensitively as WFDB writes them (`mV`, `uV`, `µV`, `nV`, `V`).
  public static func unitsPerMillivolt(_ units: String) -> Double? {
    switch units {
    case "mV": 1
    case "uV", "µV", "μV": 1000
    case "nV": 1_000_000
    case "V": 0.001
    default: nil
    }
  }

  /// Writes `NAME.hea` and `NAME.dat` into `directory` (created if needed), each file atomically
  /// unless `atomically` is false (for bulk writers that stage a whole folder and rename it).
  ///
  /// Digital value = round(physical · gain) + baseline, clamped to the format's range above its
  /// reserved minimum; NaN samples are written as the reserved minimum (missing).
  /// - Throws: `WFDBError.invalidRecord` for an empty record, `.writeFailed` on I/O errors.
  public static func write(
    _ record: ECGRecord, to directory: URL, format: WFDBFormat = .format16, gain: Double = 1000,
    baseline: Int = 0, comments: [String] = [], atomically: Bool = true
  ) throws {
    guard record.leadCount > 0, record.sampleCount > 0 else {
      throw WFDBError.invalidRecord(reason: "record '\(record.name)' has no samples")
    }
    guard gain > 0, gain.isFinite else {
      throw WFDBError.invalidRecord(reason: "gain \(gain) must be positive")
    }
    guard Self.writableFormats.contains(format) else {
      throw WFDBError.invalidRecord(
        reason: "format \(format.rawValue) is read, not written (write 16, 212, 80, 24 or 32)")
    }
    guard !record.name.isEmpty, !record.name.contains("/"), !record.name.contains(" ") else {
      throw WFDBError.invalidRecord(
        reason: "record name '\(record.name)' must be non-empty without '/' or spaces")
    }
    let n = record.sampleCount
    let signals = record.leadCount
    let range = format.digitalRange
    let invalid = Int32(range.lowerBound)
    let lo = Double(range.lowerBound + 1)
    let hi = Double(range.upperBound)
    var digital = [Int32](repeating: 0, count: n * signals)
    var specs: [WFDBSignalSpec] = []
    for s in 0..<signals {
      var sum: Int64 = 0
      for t in 0..<n {
        let x = Double(record.samples[s * n + t])
        let v: Int32 =
          x.isNaN ? invalid : Int32(min(max((x * gain).rounded() + Double(baseline), lo), hi))
        digital[t * signals + s] = v
        sum &+= Int64(v)
      }
      let checksum = Int(sum & 0xFFFF)
      specs.append(
        WFDBSignalSpec(
          fileName: "\(record.name).dat", format: format, gain: gain, baseline: baseline,
          units: record.units[s], adcResolution: format.bits, adcZero: 0,
          initialValue: Int(digital[s]), checksum: checksum > 32767 ? checksum - 65536 : checksum,
          blockSize: 0, description: record.leadNames[s], byteOffset: 0))
    }
    var header = try WFDBHeader(text: "\(record.name) 0", path: "")
    header.samplingFrequency = record.samplingRateHz
    header.sampleCount = n
    header.signals = specs
    header.comments = comments
    let data = encode(digital, format: format)
    do {
      // After SIGINT/SIGTERM the staging folder is being removed: do not recreate it.
      if AtomicFile.isInterrupted { throw CocoaError(.userCancelled) }
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let files = [(data, "\(record.name).dat"), (Data(header.text.utf8), "\(record.name).hea")]
      for (bytes, name) in files {
        let url = directory.appendingPathComponent(name)
        if atomically { try bytes.writeAtomically(to: url) } else { try bytes.write(to: url) }
      }
    } catch {
      throw WFDBError.writeFailed(
        path: directory.appendingPathComponent(record.name).path, reason: error.localizedDescription
      )
    }
  }

  /// The formats `write` produces.
  public static let writableFormats: Set<WFDBFormat> = [
    .format16, .format212, .format80, .format24, .format32,
  ]

  static func headerURL(_ recordPath: URL) -> URL {
    recordPath.pathExtension == "hea" ? recordPath : recordPath.appendingPathExtension("hea")
  }
}
