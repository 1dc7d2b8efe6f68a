/// The paper's beat-aligned representation (Discovery notebooks): for a signal or an
/// attribution [leads, samples], the mean over beats of the window from `before` samples before
/// to `after` samples after each R peak (default −300…+500 ms at 100 Hz: −30…+50 samples, 80
/// samples), flattened lead-major [leads × width]. Beats whose window leaves the record are
/// skipped; nil without a usable beat.
public enum BeatAlignedCut {
  /// The mean window over beats, [leads, before + after].
  public static func mean(_ values: [Float], leads: Int, rPeaks: [Int], before: Int = 30, after: Int = 50) -> [Double]? {
    let count = values.count / max(leads, 1)
    let beats = rPeaks.filter { $0 - before >= 0 && $0 + after <= count }
    guard !beats.isEmpty, before + after > 0 else { return nil }
    let width = before + after
    var out = [Double](repeating: 0, count: leads * width)
    for lead in 0..<leads {
      for r in beats {
        for i in 0..<width { out[lead * width + i] += Double(values[lead * count + r - before + i]) }
      }
    }
    return out.map { $0 / Double(beats.count) }
  }
}
