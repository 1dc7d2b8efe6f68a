import ECGSignal

/// The twelve fiducial points of one beat in one lead, in **samples** from the record's start
/// (fractional; nil: absent), in the order of the paper's point classes: P onset, P peak,
/// P offset, QRS onset, Q peak, R peak, S peak, QRS offset, J point, T onset, T peak, T offset.
///
/// Wave boundaries and peaks come from a delineation (ECGSignal's, the phantom's truth, …); the
/// Q, R and S peaks are the lead's own extremes inside that beat's QRS (R: the maximum between QRS
/// onset and offset; Q: the minimum before R, S: the minimum after it, absent when that minimum
/// is the QRS boundary itself, i.e. there is no downward deflection). The paper's separate
/// "J-point" class is placed at QRS offset + `jPointDelay` (default 60 ms, where features.csv
/// measures the ST level), and never later than halfway to the T onset.
public struct BeatLandmarks: Sendable, Equatable {
  /// The 12 points, indexed by `SegmentClass.rawValue / 2`.
  public var points: [Double?]

  /// Landmarks from explicit points (12 entries, samples).
  public init(points: [Double?]) {
    precondition(points.count == 12, "BeatLandmarks: 12 points expected, got \(points.count)")
    self.points = points
  }

  /// Landmarks of one beat in one lead.
  /// - Parameters:
  ///   - fiducials: the beat's wave fiducials in seconds from the record's start.
  ///   - lead: the lead's samples (mV), the whole record.
  ///   - rate: sampling rate in Hz.
  ///   - jPointDelay: seconds from QRS offset to the J-point class.
  public init(fiducials f: WaveFiducials, lead: UnsafeBufferPointer<Float>, rate: Double, jPointDelay: Double = 0.06) {
    let s = { (t: Double?) in t.map { $0 * rate } }
    let onset = f.qrsOnset * rate, offset = f.qrsOffset * rate
    var q: Double? = nil, r: Double? = f.rPeak * rate, sPeak: Double? = nil
    let first = max(0, Int(onset.rounded())), last = min(lead.count - 1, Int(offset.rounded()))
    if first < last {
      var rIndex = first
      for n in first...last where lead[n] > lead[rIndex] { rIndex = n }
      r = Double(rIndex)
      if rIndex > first {
        var qIndex = first
        for n in first..<rIndex where lead[n] < lead[qIndex] { qIndex = n }
        if qIndex > first { q = Double(qIndex) }
      }
      if rIndex < last {
        var sIndex = last
        for n in (rIndex + 1)...last where lead[n] < lead[sIndex] { sIndex = n }
        if sIndex < last { sPeak = Double(sIndex) }
      }
    }
    var j = offset + jPointDelay * rate
    if let tOn = s(f.tOnset) { j = min(j, offset + max(0, tOn - offset) / 2) }
    points = [
      s(f.pOnset), s(f.pPeak), s(f.pOffset), onset, q, r, sPeak, offset, j,
      s(f.tOnset), s(f.tPeak), s(f.tOffset),
    ]
  }
}
