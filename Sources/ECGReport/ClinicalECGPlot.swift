import ECGSignal
import Foundation

/// A 12-lead ECG drawn as on paper: a 3 × 4 layout (I, aVR, V1, V4 / II, aVL, V2, V5 /
/// III, aVF, V3, V6, each column 2.5 s of the same 10 s) above a rhythm strip of lead II, at
/// 25 mm/s and 10 mm/mV on a 1 mm / 5 mm grid. Output is a self-contained SVG in millimetres.
public struct ClinicalECGPlot: Sendable {
  /// Paper speed, mm/s.
  public var mmPerSecond = 25.0
  /// Gain, mm/mV.
  public var mmPerMillivolt = 10.0
  /// Height of one row, mm.
  public var rowHeight = 30.0
  /// Shaded time intervals per lead name (seconds), e.g. an evidence mask, drawn under the trace.
  public var highlights: [String: [ClosedRange<Double>]] = [:]
  /// Relevance per lead name, one value per sample in [0, 1] (e.g. |attribution| divided by its
  /// record-wide 99th percentile, clipped), drawn under the trace in 8 levels: below 1/4
  /// transparent, then light blue through blue to navy (1). See `normalisedRelevance`.
  public var relevance: [String: [Float]] = [:]

  /// Creates a plot with the standard settings.
  public init() {}

  /// The standard layout, rows of lead names.
  public static let layout = [[Lead.i, .aVR, .v1, .v4], [.ii, .aVL, .v2, .v5], [.iii, .aVF, .v3, .v6]].map { $0.map(\.recordName) }

  /// Errors drawing a record.
  public enum PlotError: Error, CustomStringConvertible {
    /// A lead of the layout is missing.
    case missingLead(String, available: [String])

    public var description: String {
      switch self {
      case .missingLead(let lead, let available):
        "lead \(lead) is missing (the record has \(available.joined(separator: ", "))); the clinical layout needs the standard 12 leads"
      }
    }
  }

  /// The SVG text of `record` with a title line.
  public func svg(_ record: ECGRecord, title: String) throws -> String {
    let upper = record.leadNames.map { $0.uppercased() }
    func index(_ name: String) throws -> Int {
      guard let i = upper.firstIndex(of: name) else { throw PlotError.missingLead(name, available: record.leadNames) }
      return i
    }
    let fs = record.samplingRateHz
    let duration = min(10, record.durationSeconds)
    let column = duration / 4
    let left = 8.0, top = 12.0
    let width = duration * mmPerSecond
    let height = rowHeight * 4
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width + 2 * left))mm" height="\(f(height + top + 6))mm" viewBox="0 0 \(f(width + 2 * left)) \(f(height + top + 6))" font-family="Helvetica, Arial, sans-serif">
      <rect width="100%" height="100%" fill="#fff"/>
      <text x="\(f(left))" y="5" font-size="3.2">\(escape(title))</text>
      <text x="\(f(left))" y="9.5" font-size="2.4" fill="#555">\(f(mmPerSecond)) mm/s · \(f(mmPerMillivolt)) mm/mV · \(f(fs)) Hz · \(escape(record.name))</text>

      """
    // Grid.
    var minor = "", major = ""
    var x = 0.0
    while x <= width + 1e-9 {
      let line = "M\(f(left + x)) \(f(top))V\(f(top + height))"
      if Int((x).rounded()) % 5 == 0 { major += line } else { minor += line }
      x += 1
    }
    var y = 0.0
    while y <= height + 1e-9 {
      let line = "M\(f(left)) \(f(top + y))H\(f(left + width))"
      if Int((y).rounded()) % 5 == 0 { major += line } else { minor += line }
      y += 1
    }
    out += "<path d=\"\(minor)\" stroke=\"#f6c9c9\" stroke-width=\"0.1\"/>\n"
    out += "<path d=\"\(major)\" stroke=\"#e88f8f\" stroke-width=\"0.2\"/>\n"
    // Panels: (lead, row, start time, end time).
    var panels: [(String, Int, Double, Double)] = []
    for (r, row) in Self.layout.enumerated() {
      for (c, lead) in row.enumerated() { panels.append((lead, r, Double(c) * column, Double(c + 1) * column)) }
    }
    panels.append(("II", 3, 0, duration))
    for (lead, row, t0, t1) in panels {
      let l = try index(lead)
      let samples = record.lead(l)
      let baseline = top + rowHeight * (Double(row) + 0.5)
      for range in highlights[lead] ?? highlights[record.leadNames[l]] ?? [] {
        let a = max(t0, range.lowerBound), b = min(t1, range.upperBound)
        if a < b {
          out += "<rect x=\"\(f(left + a * mmPerSecond))\" y=\"\(f(baseline - rowHeight / 2))\" width=\"\(f((b - a) * mmPerSecond))\" height=\"\(f(rowHeight))\" fill=\"#ffd54f\" fill-opacity=\"0.45\"/>\n"
        }
      }
      if let values = relevance[lead] ?? relevance[record.leadNames[l]] {
        out += relevanceBand(values, from: t0, to: t1, fs: fs, x0: left, y0: baseline - rowHeight / 2)
      }
      let first = Int((t0 * fs).rounded()), last = min(samples.count - 1, Int((t1 * fs).rounded()) - (t1 < duration ? 1 : 0))
      var d = ""
      for n in first...max(first, last) {
        let v = Double(samples[samples.startIndex + n])
        let px = left + Double(n) / fs * mmPerSecond
        let py = baseline - (v.isFinite ? v : 0) * mmPerMillivolt
        d += (n == first ? "M" : "L") + "\(f(px)) \(f(min(max(py, top), top + height)))"
      }
      out += "<path d=\"\(d)\" fill=\"none\" stroke=\"#000\" stroke-width=\"0.25\" stroke-linejoin=\"round\"/>\n"
      let label = lead.replacingOccurrences(of: "AV", with: "aV")
      out += "<text x=\"\(f(left + t0 * mmPerSecond + 1))\" y=\"\(f(baseline - rowHeight / 2 + 4))\" font-size=\"3\">\(label)</text>\n"
      if t0 > 0 {
        out += "<path d=\"M\(f(left + t0 * mmPerSecond)) \(f(baseline - 3))v6\" stroke=\"#000\" stroke-width=\"0.3\"/>\n"
      }
    }
    out += "</svg>\n"
    return out
  }

  /// Rectangles of equal relevance level between `t0` and `t1` seconds.
  private func relevanceBand(_ values: [Float], from t0: Double, to t1: Double, fs: Double, x0: Double, y0: Double) -> String {
    let levels = 8
    let first = max(0, Int((t0 * fs).rounded())), last = min(values.count, Int((t1 * fs).rounded()))
    var out = ""
    var n = first
    while n < last {
      let level = Int((Double(max(0, min(1, values[n]))) * Double(levels)).rounded(.down))
      var m = n + 1
      while m < last, Int((Double(max(0, min(1, values[m]))) * Double(levels)).rounded(.down)) == level { m += 1 }
      if level >= levels / 4 {
        let t = Double(min(level, levels)) / Double(levels)
        out += "<rect x=\"\(f(x0 + Double(n) / fs * mmPerSecond))\" y=\"\(f(y0))\" width=\"\(f(Double(m - n) / fs * mmPerSecond))\" height=\"\(f(rowHeight))\" fill=\"\(SVG.sequentialBlue(t))\" fill-opacity=\"0.8\"/>\n"
      }
      n = m
    }
    return out
  }

  /// |attribution| of one record [leads × samples] scaled to [0, 1] by its record-wide 99th
  /// percentile (clipped above), keyed by lead name — the input `relevance` expects.
  public static func normalisedRelevance(_ attribution: [Float], leadNames: [String], samples: Int) -> [String: [Float]] {
    precondition(attribution.count == leadNames.count * samples, "normalisedRelevance: \(attribution.count) values for \(leadNames.count) × \(samples)")
    let magnitudes = attribution.map { abs($0.isFinite ? $0 : 0) }
    let sorted = magnitudes.sorted()
    let scale = max(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))], .leastNormalMagnitude)
    var out: [String: [Float]] = [:]
    for (l, name) in leadNames.enumerated() {
      out[name] = magnitudes[(l * samples)..<((l + 1) * samples)].map { min(1, $0 / scale) }
    }
    return out
  }

  private func f(_ x: Double) -> String { SVG.number(x) }

  private func escape(_ text: String) -> String { SVG.escape(text) }
}
