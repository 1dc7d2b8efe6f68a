/// The paper's soft segmentation of a record: per lead and sample, weights in [0, 1] over the
/// 24 `SegmentClass`es (the paper's S[t, lead, class]).
///
/// Point classes are triangular windows centred on their fiducial, weight 1 there and 0 at
/// ± `pointHalfWidth` (default 20 ms), narrowed to half the distance to a neighbouring point so
/// that windows never overlap; an interval class takes the rest of the weight (1 − the point
/// weights) between its two points. So the weights of every sample inside the beats sum to 1.
/// The interval after a point is the class that follows it (`tp` after T offset, also before the
/// first beat); when a point is absent (no P wave in AF, no Q) the interval runs on to the next
/// present point and keeps the class that follows the previous one.
///
/// Stored sparsely: each sample has at most three non-zero classes.
public struct SoftSegmentation: Sendable {
  /// One non-zero weight: lead, sample, class, weight.
  public struct Entry: Sendable, Equatable {
    /// Sample index.
    public var sample: Int32
    /// Segment class.
    public var segment: SegmentClass
    /// Weight in (0, 1].
    public var weight: Float
  }

  /// Number of samples per lead.
  public let sampleCount: Int
  /// Per lead, the non-zero weights in sample order.
  public let leads: [[Entry]]
  /// Per lead, the number of beats that defined it.
  public let beatCounts: [Int]

  /// Builds the segmentation of one record.
  /// - Parameters:
  ///   - landmarks: per lead (12), the landmarks of each beat in time order.
  ///   - sampleCount: samples per lead.
  ///   - rate: sampling rate in Hz (for `pointHalfWidth`).
  ///   - pointHalfWidth: half-width of a point class's window in seconds.
  public init(landmarks: [[BeatLandmarks]], sampleCount: Int, rate: Double, pointHalfWidth: Double = 0.02) {
    precondition(sampleCount > 0, "SoftSegmentation: empty record")
    self.sampleCount = sampleCount
    beatCounts = landmarks.map(\.count)
    let halfWidth = pointHalfWidth * rate
    leads = landmarks.map { beats in
      // The lead's timeline of present points, kept strictly increasing.
      var points: [(position: Double, segment: SegmentClass)] = []
      for beat in beats {
        for (k, point) in beat.points.enumerated() {
          guard let p = point, p.isFinite else { continue }
          if let last = points.last, p <= last.position { continue }
          points.append((p, SegmentClass(rawValue: 2 * k)!))
        }
      }
      guard !points.isEmpty else { return [] }
      let widths = points.indices.map { i -> Double in
        var h = halfWidth
        if i > 0 { h = min(h, (points[i].position - points[i - 1].position) / 2) }
        if i + 1 < points.count { h = min(h, (points[i + 1].position - points[i].position) / 2) }
        return h
      }
      func pointWeight(_ i: Int, _ n: Double) -> Float {
        guard widths[i] > 0 else { return 0 }
        return Float(max(0, 1 - abs(n - points[i].position) / widths[i]))
      }
      var entries: [Entry] = []
      entries.reserveCapacity(sampleCount * 2)
      var next = 0  // index of the first point after the current sample
      for n in 0..<sampleCount {
        let t = Double(n)
        while next < points.count && points[next].position <= t { next += 1 }
        let before = next - 1
        let wBefore = before >= 0 ? pointWeight(before, t) : 0
        let wNext = next < points.count ? pointWeight(next, t) : 0
        let rest = 1 - wBefore - wNext
        let interval: SegmentClass =
          before >= 0 ? SegmentClass(rawValue: points[before].segment.rawValue + 1)! : .tp
        if rest > 1e-6 { entries.append(Entry(sample: Int32(n), segment: interval, weight: min(1, rest))) }
        if wBefore > 0 { entries.append(Entry(sample: Int32(n), segment: points[before].segment, weight: wBefore)) }
        if wNext > 0 { entries.append(Entry(sample: Int32(n), segment: points[next].segment, weight: wNext)) }
      }
      return entries
    }
  }

  /// The dense weights [samples, 12, 24] (the layout of the paper's segmentation files).
  public func dense() -> [Float] {
    let classes = SegmentClass.allCases.count
    var out = [Float](repeating: 0, count: sampleCount * leads.count * classes)
    for (lead, entries) in leads.enumerated() {
      for e in entries { out[(Int(e.sample) * leads.count + lead) * classes + e.segment.rawValue] += e.weight }
    }
    return out
  }
}
