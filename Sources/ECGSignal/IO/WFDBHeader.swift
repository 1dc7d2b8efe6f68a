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
  /// The storage format on header line `line` is not a WFDB format.
  case unsupportedFormat(path: String, line: Int, format: Int)
  /// The record cannot be handled (inconsistent signals, nested multi-segment records, …).
  case unsupportedRecord(path: String, reason: String)
  /// A record cannot be written as requested.
  case invalidRecord(reason: String)
  /// Writing failed.
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .missingHeader(let path): "\(path): WFDB header not found or unreadable"
    case .malformedHeader(let path, let line, let reason):
      "\(path):\(line): malformed WFDB header: \(reason)"
    case .missingSignalFile(let path): "\(path): WFDB signal file not found"
    case .truncatedSignalFile(let path, let expected, let actual):
      "\(path): signal file is truncated (\(actual) of \(expected) bytes)"
    case .checksumMismatch(let path, let signal, let expected, let actual):
      "\(path): checksum mismatch in signal \(signal) (header \(expected), data \(actual)); the file is corrupt"
    case .unsupportedFormat(let path, let line, let format):
      "\(path):\(line): WFDB format \(format) is not supported (supported: "
        + "\(WFDBFormat.allCases.map { String($0.rawValue) }.joined(separator: ", ")))"
    case .unsupportedRecord(let path, let reason): "\(path): unsupported WFDB record: \(reason)"
    case .invalidRecord(let reason): "cannot write WFDB record: \(reason)"
    case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
    }
  }
}

/// WFDB sample storage formats (the `fmt` field of a signal line).
public enum WFDBFormat: Int, Sendable, CaseIterable {
  /// A null signal: nothing stored, every sample missing (layout headers of multi-segment records).
  case format0 = 0
  /// 8-bit first differences from the header's initial value.
  case format8 = 8
  /// 16-bit two's complement, little-endian (PTB-XL's format).
  case format16 = 16
  /// 24-bit two's complement, little-endian.
  case format24 = 24
  /// 32-bit two's complement, little-endian.
  case format32 = 32
  /// 16-bit two's complement, big-endian.
  case format61 = 61
  /// 8-bit offset binary (stored byte − 128).
  case format80 = 80
  /// 16-bit offset binary (stored value − 32,768), little-endian.
  case format160 = 160
  /// Two 12-bit two's-complement samples packed in three bytes.
  case format212 = 212
  /// Three 10-bit two's-complement samples packed in four bytes (bits 1–10, 17–26, 11–15/27–31).
  case format310 = 310
  /// Three 10-bit two's-complement samples packed in a little-endian 32-bit word.
  case format311 = 311
  /// FLAC-compressed, 8 bits a sample (one FLAC channel per signal).
  case format508 = 508
  /// FLAC-compressed, 16 bits a sample.
  case format516 = 516
  /// FLAC-compressed, 24 bits a sample.
  case format524 = 524

  /// The FLAC-compressed formats (508, 516, 524).
  public static let flacFormats: Set<Int> = [508, 516, 524]

  /// True for the FLAC-compressed formats, whose byte offset counts samples.
  public var isFLAC: Bool { Self.flacFormats.contains(rawValue) }

  /// The digital range of the format; the minimum is reserved for missing samples (NaN), except
  /// in format 8, which has no missing value.
  public var digitalRange: ClosedRange<Int> {
    switch self {
    case .format80, .format508: -128...127
    case .format16, .format61, .format160, .format516: -32768...32767
    case .format212: -2048...2047
    case .format310, .format311: -512...511
    case .format24, .format524: -8_388_608...8_388_607
    case .format32, .format8, .format0: Int(Int32.min)...Int(Int32.max)
    }
  }

  /// The digital value that marks a missing sample, or nil (format 8).
  public var missingValue: Int32? {
    switch self {
    case .format8: nil
    default: Int32(digitalRange.lowerBound)
    }
  }

  /// ADC resolution written to headers (bits).
  public var bits: Int {
    switch self {
    case .format0: 0
    case .format8, .format80, .format508: 8
    case .format16, .format61, .format160, .format516: 16
    case .format212: 12
    case .format310, .format311: 10
    case .format24, .format524: 24
    case .format32: 32
    }
  }

  /// Bytes needed to read `count` samples (a trailing partial block of 212, 310 and 311 counts
  /// as wfdb-python's reader counts it: 310 needs its whole last 4-byte block for 2 samples).
  /// FLAC streams have no fixed size: 0.
  public func byteCount(samples count: Int) -> Int {
    switch self {
    case .format0, .format508, .format516, .format524: 0
    case .format8, .format80: count
    case .format16, .format61, .format160: 2 * count
    case .format212: (3 * count + 1) / 2
    case .format310: count % 3 == 2 ? (count / 3 + 1) * 4 : (4 * count + 2) / 3
    case .format311: (4 * count + 2) / 3
    case .format24: 3 * count
    case .format32: 4 * count
    }
  }

  /// The most samples whose bytes fit in `bytes` (how a record without a sample count is sized).
  func samplesFitting(bytes: Int) -> Int {
    switch self {
    case .format0, .format508, .format516, .format524: 0
    case .format8, .format80: bytes
    case .format16, .format61, .format160: bytes / 2
    case .format212: bytes * 2 / 3
    case .format310, .format311: bytes / 4 * 3
    case .format24: bytes / 3
    case .format32: bytes / 4
    }
  }
}

/// One signal line of a WFDB header.
public struct WFDBSignalSpec: Sendable, Equatable {
  /// Signal file name (relative to the header's directory; `~` for a null signal).
  public var fileName: String
  /// Storage format.
  public var format: WFDBFormat
  /// Samples of this signal in each frame (`16x4`: 4); the record reads their mean, as
  /// wfdb-python's `rdrecord(smooth_frames=True)` does.
  public var samplesPerFrame: Int = 1
  /// Skew (`16:3`): the signal's sample t is stored in frame t + skew.
  public var skew: Int = 0
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
  /// First sample (digital); the start of format 8's differences.
  public var initialValue: Int
  /// 16-bit checksum of all samples, if given.
  public var checksum: Int?
  /// Block size.
  public var blockSize: Int
  /// Description (the lead name in PTB-XL); may contain spaces.
  public var description: String
  /// Byte offset of the signal's first sample in its file.
  public var byteOffset: Int
}

/// One segment of a multi-segment record (`NAME/NSEG` on the record line).
public struct WFDBSegment: Sendable, Equatable {
  /// The segment's record name (`~` for a null segment, whose samples are missing).
  public var name: String
  /// Samples per signal in the segment (0 for a variable layout's layout header).
  public var sampleCount: Int
}

/// A parsed WFDB header (`.hea`).
public struct WFDBHeader: Sendable, Equatable {
  /// Record name.
  public var recordName: String
  /// Sampling frequency, Hz (frames per second; WFDB default 250).
  public var samplingFrequency: Double
  /// Counter frequency, Hz, if given (`250/24000`).
  public var counterFrequency: Double?
  /// Samples per signal (nil when the header does not say).
  public var sampleCount: Int?
  /// Base time (`HH:MM:SS[.sss]` as written), if given.
  public var baseTime: String?
  /// Base date (`DD/MM/YYYY` as written), if given.
  public var baseDate: String?
  /// One entry per signal (empty for a multi-segment record's master header).
  public var signals: [WFDBSignalSpec]
  /// The segments of a multi-segment record (empty for an ordinary record).
  public var segments: [WFDBSegment] = []
  /// The announced signal count (equals `signals.count` for an ordinary record).
  public var signalCount: Int = 0
  /// Comment lines without the leading `#`.
  public var comments: [String]

  /// True for a multi-segment record (`NAME/NSEG` on the record line).
  public var isMultiSegment: Bool { !segments.isEmpty }

  /// Header text as written by `WFDB.write` (PTB-XL's layout).
  var text: String {
    var out = "\(recordName) \(signals.count) \(formatNumber(samplingFrequency))"
    if let sampleCount { out += " \(sampleCount)" }
    out += "\n"
    for s in signals {
      out +=
        "\(s.fileName) \(s.format.rawValue) \(formatNumber(s.gain, keepDecimal: true))(\(s.baseline))/\(s.units) "
      out += "\(s.adcResolution) \(s.adcZero) \(s.initialValue) \(s.checksum ?? 0) \(s.blockSize)"
      out += s.description.isEmpty ? "\n" : " \(s.description)\n"
    }
    for c in comments { out += "# \(c)\n" }
    return out
  }

  private func formatNumber(_ x: Double, keepDecimal: Bool = false) -> String {
    if x == x.rounded(), abs(x) < 1e15 {
      return keepDecimal ? String(format: "%.1f", x) : String(Int(x))
    }
    return String(x)
  }
}
