import ECGTensor
import Foundation

extension WFDB {
  /// Writes `NAME.hea` and `NAME.mat` into `directory` as the PhysioNet/CinC Challenges 2020–2021
  /// ship their records: a MATLAB 4 file holding `val`, an int16 matrix [leads, samples] after a
  /// 20-byte header and the 4-byte name, announced as `NAME.mat 16+24 GAIN/mV 16 0 …`.
  ///
  /// Digital value = round(physical · gain), clamped to −32767…32767 (−32768 is kept for NaN,
  /// written for missing samples). Comments become `#…` lines (e.g. `Age: 53`, `Dx: 164889003`).
  /// - Parameter gain: digital units per physical unit (1000 per mV, as the Challenge files).
  /// - Throws: `WFDBError.invalidRecord` for an empty record or bad name, `.writeFailed` on I/O.
  public static func writeMAT(
    _ record: ECGRecord, to directory: URL, gain: Double = 1000, comments: [String] = []
  ) throws {
    guard record.leadCount > 0, record.sampleCount > 0 else {
      throw WFDBError.invalidRecord(reason: "record '\(record.name)' has no samples")
    }
    guard gain > 0, gain.isFinite else {
      throw WFDBError.invalidRecord(reason: "gain \(gain) must be positive")
    }
    guard !record.name.isEmpty, !record.name.contains("/"), !record.name.contains(" ") else {
      throw WFDBError.invalidRecord(
        reason: "record name '\(record.name)' must be non-empty without '/' or spaces")
    }
    let n = record.sampleCount
    let leads = record.leadCount
    // MATLAB 4 header, little endian: type 30 (int16, full), rows, columns, imaginary 0, name length.
    var data = Data()
    func append(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    for v in [30, leads, n, 0, 4] { append(Int32(v)) }
    data.append(contentsOf: Array("val".utf8) + [0])
    var digital = [Int16](repeating: 0, count: n * leads)
    for s in 0..<leads {
      for t in 0..<n {
        let x = Double(record.samples[s * n + t])
        digital[t * leads + s] =
          x.isNaN ? Int16.min : Int16(min(max((x * gain).rounded(), -32767), 32767))
      }
    }
    // Column-major [leads, samples]: sample t of every lead, then sample t + 1.
    digital.withUnsafeBufferPointer { buffer in
      for v in buffer { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    }
    let rate = record.samplingRateHz
    let rateText = rate == rate.rounded() ? String(Int(rate)) : String(rate)
    let gainText = gain == gain.rounded() ? String(Int(gain)) : String(gain)
    var header = "\(record.name) \(leads) \(rateText) \(n)\n"
    for s in 0..<leads {
      var sum = 0
      for t in 0..<n { sum += Int(digital[t * leads + s]) }
      let checksum = Int(Int16(truncatingIfNeeded: sum & 0xFFFF))
      header += "\(record.name).mat 16+24 \(gainText)/\(record.units[s]) 16 0 "
      header += "\(digital[s]) \(checksum) 0 \(record.leadNames[s])\n"
    }
    for c in comments { header += "#\(c)\n" }
    do {
      // After SIGINT/SIGTERM the staging folder is being removed: do not recreate it.
      if AtomicFile.isInterrupted { throw CocoaError(.userCancelled) }
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try data.writeAtomically(to: directory.appendingPathComponent("\(record.name).mat"))
      try Data(header.utf8).writeAtomically(
        to: directory.appendingPathComponent("\(record.name).hea"))
    } catch {
      throw WFDBError.writeFailed(
        path: directory.appendingPathComponent(record.name).path, reason: error.localizedDescription
      )
    }
  }
}
