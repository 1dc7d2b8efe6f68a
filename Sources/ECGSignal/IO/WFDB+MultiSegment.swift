import Foundation

extension WFDB {
  /// The most samples (signals × samples) a multi-segment record may join: null segments are
  /// NaN that no file backs, so a few header bytes could otherwise ask for any amount of memory.
  /// 2²⁸ samples are 1 GiB of Float (a 125 Hz, 8-signal record of three days).
  public static let maximumMultiSegmentSamples = 1 << 28

  /// Joins the segments of a multi-segment record as wfdb-python's `rdrecord(m2s=True)` does:
  /// fixed layout (every segment has the record's signals, in order) or variable layout (the
  /// first segment, of length 0, is a layout header naming the signals; each segment's signals
  /// are placed by name). Null segments (`~`) and signals a segment lacks are NaN.
  static func readMultiSegment(_ header: WFDBHeader, directory: URL, headerPath: String) throws
    -> ECGRecord
  {
    var segments = header.segments
    func segmentHeader(_ name: String) throws -> WFDBHeader {
      let segment = try readHeader(directory.appendingPathComponent(name))
      guard !segment.isMultiSegment else {
        throw WFDBError.unsupportedRecord(
          path: headerPath,
          reason: "segment \(name) is itself a multi-segment record (WFDB does not nest them)")
      }
      return segment
    }
    // The signals of the joined record: the layout header's (variable layout) or those of the
    // first segment that is not null (fixed layout).
    let layout: WFDBHeader?
    let signals: [WFDBSignalSpec]
    if let first = segments.first, first.sampleCount == 0, first.name != "~" {
      let layoutHeader = try segmentHeader(first.name)
      layout = layoutHeader
      signals = layoutHeader.signals
      segments.removeFirst()
    } else if let first = segments.first(where: { $0.name != "~" }) {
      layout = nil
      signals = try segmentHeader(first.name).signals
    } else {
      throw WFDBError.unsupportedRecord(path: headerPath, reason: "every segment is null (~)")
    }
    guard !signals.isEmpty else {
      throw WFDBError.unsupportedRecord(path: headerPath, reason: "the record has no signals")
    }
    let total = segments.reduce(0) { $0 + $1.sampleCount }  // bounded by the header's parser
    if let n = header.sampleCount, n != total {
      throw WFDBError.unsupportedRecord(
        path: headerPath,
        reason: "the segment lengths add up to \(total) samples, the record line says \(n)")
    }
    guard total <= maximumMultiSegmentSamples / signals.count else {
      throw WFDBError.unsupportedRecord(
        path: headerPath,
        reason:
          "\(signals.count) signals × \(total) samples exceed the \(maximumMultiSegmentSamples) "
          + "samples a multi-segment record may join; split it into shorter records")
    }
    let names = signals.map(\.description)
    var samples = [Float](repeating: .nan, count: signals.count * total)
    var start = 0
    for segment in segments {
      defer { start += segment.sampleCount }
      guard segment.name != "~", segment.sampleCount > 0 else { continue }
      let sub = try segmentHeader(segment.name)
      let subPath = headerURL(directory.appendingPathComponent(segment.name)).path
      guard abs(sub.samplingFrequency - header.samplingFrequency) <= 1e-9 * header.samplingFrequency
      else {
        throw WFDBError.unsupportedRecord(
          path: subPath,
          reason:
            "segment sampled at \(sub.samplingFrequency) Hz in a record at \(header.samplingFrequency) Hz"
        )
      }
      guard !sub.signals.isEmpty else { continue }
      let (values, n) = try readSamples(sub, directory: directory, headerPath: subPath)
      guard n >= segment.sampleCount else {
        throw WFDBError.unsupportedRecord(
          path: subPath,
          reason:
            "segment holds \(n) samples, the record \(header.recordName) says \(segment.sampleCount)"
        )
      }
      // Where each of the record's signals is in this segment.
      let columns: [Int?]
      if layout == nil {
        guard sub.signals.count == signals.count else {
          throw WFDBError.unsupportedRecord(
            path: subPath,
            reason:
              "a fixed-layout segment with \(sub.signals.count) signals in a record of \(signals.count)"
          )
        }
        columns = Array(0..<signals.count)
      } else {
        columns = names.map { name in sub.signals.firstIndex { $0.description == name } }
      }
      for (i, column) in columns.enumerated() {
        guard let column else { continue }
        // Voltages are in mV in every segment; another unit must be the record's.
        let unit = physicalUnits(sub.signals[column])
        guard unit == physicalUnits(signals[i]) else {
          throw WFDBError.unsupportedRecord(
            path: subPath,
            reason:
              "signal \(names[i]) is in \(unit) here and in \(physicalUnits(signals[i])) in the record"
          )
        }
        for t in 0..<segment.sampleCount { samples[i * total + start + t] = values[column * n + t] }
      }
    }
    return ECGRecord(
      name: header.recordName, leadNames: leadNames(names),
      samplingRateHz: header.samplingFrequency,
      samples: samples, units: signals.map(physicalUnits))
  }
}
