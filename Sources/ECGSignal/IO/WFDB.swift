import ECGTensor
import Foundation

/// WFDB records (PhysioNet): a text header (`NAME.hea`) and binary signal files (`NAME.dat`).
///
/// Reads formats 16, 212, 80, 24 and 32 (single-segment, one or several signal files, byte
/// offsets), checks the per-signal checksums, and converts to physical units:
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
    guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
      throw WFDBError.malformedHeader(path: url.path, line: 1, reason: "not text")
    }
    return try WFDBHeader(text: text, path: url.path)
  }

  /// Reads a record (physical units) like `wfdb.rdrecord(path).p_signal`, as [signals, samples].
  public static func read(_ recordPath: URL) throws -> ECGRecord {
    let header = try readHeader(recordPath)
    let directory = recordPath.deletingLastPathComponent()
    let headerPath = headerURL(recordPath).path
    guard !header.signals.isEmpty else {
      throw WFDBError.unsupportedRecord(path: headerPath, reason: "the record has no signals")
    }
    // Group signals by file, keeping header order within each file.
    var files: [String] = []
    var members: [String: [Int]] = [:]
    for (i, s) in header.signals.enumerated() {
      if members[s.fileName] == nil { files.append(s.fileName) }
      members[s.fileName, default: []].append(i)
    }
    var sampleCount = header.sampleCount
    var digital = [[Int32]](repeating: [], count: header.signals.count)
    for file in files {
      let indices = members[file]!
      let format = header.signals[indices[0]].format
      guard indices.allSatisfy({ header.signals[$0].format == format }) else {
        throw WFDBError.unsupportedRecord(path: headerPath, reason: "signals in \(file) use different formats")
      }
      let url = directory.appendingPathComponent(file)
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw WFDBError.missingSignalFile(path: url.path)
      }
      let offset = header.signals[indices[0]].byteOffset
      guard offset <= data.count else {
        throw WFDBError.truncatedSignalFile(path: url.path, expectedBytes: offset, actualBytes: data.count)
      }
      let frame = indices.count
      let available = data.count - offset
      let n: Int
      if let sampleCount {
        n = sampleCount
        // The header bounds sampleCount × signals × 4 bytes, so this cannot overflow.
        let needed = format.byteCount(samples: n * frame)
        guard available >= needed else {
          throw WFDBError.truncatedSignalFile(path: url.path, expectedBytes: offset + needed, actualBytes: data.count)
        }
      } else {
        n = samplesFitting(bytes: available, format: format) / frame
        sampleCount = n
      }
      let values = decode(data, offset: offset, count: n * frame, format: format)
      for (k, signal) in indices.enumerated() {
        digital[signal] = (0..<n).map { values[$0 * frame + k] }
      }
    }
    let n = sampleCount ?? 0
    var samples = [Float](repeating: 0, count: header.signals.count * n)
    for (i, spec) in header.signals.enumerated() {
      let d = digital[i]
      guard d.count == n else {
        throw WFDBError.unsupportedRecord(path: headerPath, reason: "signal files hold different sample counts")
      }
      if let expected = spec.checksum {
        var sum: Int64 = 0
        for v in d { sum &+= Int64(v) }
        let actual = Int(sum & 0xFFFF)
        if actual != (expected & 0xFFFF) {
          throw WFDBError.checksumMismatch(
            path: headerPath, signal: spec.description.isEmpty ? "\(i)" : spec.description,
            expected: expected, actual: actual > 32767 ? actual - 65536 : actual)
        }
      }
      let invalid = Int32(spec.format.digitalRange.lowerBound)
      let baseline = Double(spec.baseline)
      // Digital units per mV for voltages; the header's own gain for other units.
      let gain = spec.gain * (Self.unitsPerMillivolt(spec.units) ?? 1)
      for t in 0..<n {
        let v = d[t]
        samples[i * n + t] = v == invalid ? .nan : Float((Double(v) - baseline) / gain)
      }
    }
    return ECGRecord(
      name: header.recordName,
      leadNames: header.signals.enumerated().map { $0.element.description.isEmpty ? "sig\($0.offset)" : $0.element.description },
      samplingRateHz: header.samplingFrequency, samples: samples,
      units: header.signals.map { Self.unitsPerMillivolt($0.units) == nil ? $0.units : "mV" })
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
    guard gain > 0, gain.isFinite else { throw WFDBError.invalidRecord(reason: "gain \(gain) must be positive") }
    guard !record.name.isEmpty, !record.name.contains("/"), !record.name.contains(" ") else {
      throw WFDBError.invalidRecord(reason: "record name '\(record.name)' must be non-empty without '/' or spaces")
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
        let v: Int32 = x.isNaN ? invalid : Int32(min(max((x * gain).rounded() + Double(baseline), lo), hi))
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
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let files = [(data, "\(record.name).dat"), (Data(header.text.utf8), "\(record.name).hea")]
      for (bytes, name) in files {
        let url = directory.appendingPathComponent(name)
        if atomically { try bytes.writeAtomically(to: url) } else { try bytes.write(to: url) }
      }
    } catch {
      throw WFDBError.writeFailed(path: directory.appendingPathComponent(record.name).path, reason: error.localizedDescription)
    }
  }

  static func headerURL(_ recordPath: URL) -> URL {
    recordPath.pathExtension == "hea" ? recordPath : recordPath.appendingPathExtension("hea")
  }

  static func samplesFitting(bytes: Int, format: WFDBFormat) -> Int {
    switch format {
    case .format80: bytes
    case .format16: bytes / 2
    case .format212: bytes * 2 / 3
    case .format24: bytes / 3
    case .format32: bytes / 4
    }
  }

  /// Decodes `count` interleaved samples starting at byte `offset`.
  static func decode(_ data: Data, offset: Int, count: Int, format: WFDBFormat) -> [Int32] {
    guard count > 0 else { return [] }  // an empty file has no base address
    return [Int32](unsafeUninitializedCapacity: count) { out, initialized in
      data.withUnsafeBytes { raw in
        let b = raw.bindMemory(to: UInt8.self).baseAddress! + offset
        switch format {
        case .format80:
          for i in 0..<count { out[i] = Int32(b[i]) - 128 }
        case .format16:
          for i in 0..<count { out[i] = Int32(Int16(bitPattern: UInt16(b[2 * i]) | UInt16(b[2 * i + 1]) << 8)) }
        case .format24:
          for i in 0..<count {
            let u = Int32(b[3 * i]) | Int32(b[3 * i + 1]) << 8 | Int32(b[3 * i + 2]) << 16
            out[i] = (u << 8) >> 8
          }
        case .format32:
          for i in 0..<count {
            let u = UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24
            out[i] = Int32(bitPattern: u)
          }
        case .format212:
          for i in 0..<count {
            let pair = i / 2
            let p = b + 3 * pair
            let u: Int32 = i % 2 == 0 ? Int32(p[0]) | (Int32(p[1]) & 0x0F) << 8 : Int32(p[2]) | (Int32(p[1]) & 0xF0) << 4
            out[i] = (u << 20) >> 20
          }
        }
      }
      initialized = count
    }
  }

  /// Encodes interleaved digital samples.
  static func encode(_ digital: [Int32], format: WFDBFormat) -> Data {
    let count = digital.count
    var bytes = [UInt8](repeating: 0, count: format.byteCount(samples: count))
    switch format {
    case .format80:
      for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: digital[i] + 128) }
    case .format16:
      for i in 0..<count {
        let u = UInt16(bitPattern: Int16(truncatingIfNeeded: digital[i]))
        bytes[2 * i] = UInt8(u & 0xFF)
        bytes[2 * i + 1] = UInt8(u >> 8)
      }
    case .format24:
      for i in 0..<count {
        let u = UInt32(bitPattern: digital[i])
        for k in 0..<3 { bytes[3 * i + k] = UInt8((u >> (8 * UInt32(k))) & 0xFF) }
      }
    case .format32:
      for i in 0..<count {
        let u = UInt32(bitPattern: digital[i])
        for k in 0..<4 { bytes[4 * i + k] = UInt8((u >> (8 * UInt32(k))) & 0xFF) }
      }
    case .format212:
      for i in stride(from: 0, to: count, by: 2) {
        let a = UInt32(bitPattern: digital[i]) & 0xFFF
        let j = 3 * (i / 2)
        bytes[j] = UInt8(a & 0xFF)
        if i + 1 < count {
          let c = UInt32(bitPattern: digital[i + 1]) & 0xFFF
          bytes[j + 1] = UInt8((a >> 8) | ((c >> 8) << 4))
          bytes[j + 2] = UInt8(c & 0xFF)
        } else {
          bytes[j + 1] = UInt8(a >> 8)
        }
      }
    }
    return Data(bytes)
  }
}
