/// A record's median beat: per lead, the sample-wise median over all beats aligned on their R
/// peaks — the noise-reduced template that delineation and features are measured on.
public struct MedianBeat: Sendable, Equatable {
  /// Samples in mV, row-major [leads, sampleCount], baseline-corrected (the PR-segment level of
  /// every lead is 0).
  public var samples: [Double]
  /// Lead names.
  public var leadNames: [String]
  /// Sampling rate in Hz.
  public var samplingRateHz: Double
  /// Index of the R peak within the template.
  public var rIndex: Int
  /// Number of beats the median was taken over.
  public var beatCount: Int

  /// Samples per lead.
  public var sampleCount: Int { leadNames.isEmpty ? 0 : samples.count / leadNames.count }
  /// One lead of the template (mV).
  public func lead(_ index: Int) -> ArraySlice<Double> {
    let n = sampleCount
    return samples[(index * n)..<((index + 1) * n)]
  }

  /// The template of `signals` ([leads, count] row-major, already filtered) around `rPeaks`: from
  /// `before` samples before to `after` samples after each R peak. Beats whose window leaves the
  /// record are skipped; with fewer than one usable beat nil is returned.
  static func median(
    signals: [Double], leadCount: Int, count: Int, rPeaks: [Int], before: Int, after: Int
  ) -> (template: [Double], beats: Int)? {
    let beats = rPeaks.filter { $0 - before >= 0 && $0 + after < count }
    guard !beats.isEmpty else { return nil }
    let width = before + after + 1
    var template = [Double](repeating: 0, count: leadCount * width)
    var column = [Double](repeating: 0, count: beats.count)
    for lead in 0..<leadCount {
      for offset in 0..<width {
        for (b, r) in beats.enumerated() { column[b] = signals[lead * count + r - before + offset] }
        column.sort()
        let m = column.count
        template[lead * width + offset] = m % 2 == 1 ? column[m / 2] : (column[m / 2 - 1] + column[m / 2]) / 2
      }
    }
    return (template, beats.count)
  }
}
