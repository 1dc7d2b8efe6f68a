/// The relevance of one record (for one target) per lead × segment class: the paper's weighted
/// mean and the sums behind it. Every array is a flat [12 × 24] map (`AuditCell.index`), or
/// [12 × 6] in the coarse view (`viewed(.coarse)`).
public struct CellRelevance: Sendable, Equatable {
  /// Σ_t S[t, l, k] — the cell's soft length in samples.
  public var support: [Float]
  /// Σ_t max(A, 0)·S and Σ_t min(A, 0)·S — positive and negative relevance.
  public var positive: [Float], negative: [Float]
  /// Σ_t |A|·S.
  public var absolute: [Float]
  /// Beats per lead that defined the segmentation.
  public var beats: [Int]

  /// Aggregates an attribution [12, T] (lead-major) over a segmentation.
  public init(attribution: UnsafeBufferPointer<Float>, segmentation: SoftSegmentation) {
    let t = segmentation.sampleCount
    precondition(attribution.count == segmentation.leads.count * t, "CellRelevance: attribution has \(attribution.count) values, segmentation \(segmentation.leads.count) × \(t)")
    var support = [Double](repeating: 0, count: AuditLeads.cellCount)
    var positive = support, negative = support, absolute = support
    for (lead, entries) in segmentation.leads.enumerated() {
      let base = lead * SegmentClass.allCases.count
      for e in entries {
        let a = Double(attribution[lead * t + Int(e.sample)]), w = Double(e.weight)
        let cell = base + e.segment.rawValue
        support[cell] += w
        absolute[cell] += w * abs(a)
        if a > 0 { positive[cell] += w * a } else { negative[cell] += w * a }
      }
    }
    self.support = support.map(Float.init)
    self.positive = positive.map(Float.init)
    self.negative = negative.map(Float.init)
    self.absolute = absolute.map(Float.init)
    beats = segmentation.beatCounts
  }

  /// Stored values (read back from a results file).
  public init(support: [Float], positive: [Float], negative: [Float], absolute: [Float], beats: [Int]) {
    self.support = support
    self.positive = positive
    self.negative = negative
    self.absolute = absolute
    self.beats = beats
  }

  /// The paper's M[l, k] = Σ|A|·S / ΣS: mean |relevance| per sample of the cell (NaN where the
  /// cell has no support, e.g. P classes in AF).
  public var meanAbsolute: [Float] { zip(absolute, support).map { $1 > 0 ? $0 / $1 : .nan } }

  /// Each cell's share of the record's total |relevance| (Σ over cells = 1 inside the beats).
  public var share: [Float] {
    let total = absolute.reduce(0, +)
    return absolute.map { total > 0 ? $0 / total : .nan }
  }

  /// The same sums in `view` (the coarse view adds up the fine classes of each segment).
  public func viewed(_ view: AuditView) -> CellRelevance {
    guard view == .coarse, support.count == AuditView.fine.cellCount else { return self }
    func sum(_ values: [Float]) -> [Float] {
      var out = [Float](repeating: 0, count: view.cellCount)
      for (i, v) in values.enumerated() { out[view.cell(ofFine: i)] += v }
      return out
    }
    return CellRelevance(support: sum(support), positive: sum(positive), negative: sum(negative), absolute: sum(absolute), beats: beats)
  }

  /// |relevance| per beat: Σ|A|·S divided by the lead's beat count.
  public var perBeat: [Float] {
    absolute.indices.map { i in
      let b = beats[i / (absolute.count / 12)]
      return b > 0 ? absolute[i] / Float(b) : .nan
    }
  }

  /// The test statistic of the audit: `meanAbsolute` divided by its mean over the record's
  /// supported cells — a relevance density free of the gradient's scale (which differs between
  /// outputs and models) and of segment length. 1 = the record's average cell.
  public var density: [Float] {
    let m = meanAbsolute
    let finite = m.filter { $0.isFinite }
    let mean = finite.reduce(0, +) / Float(max(finite.count, 1))
    return m.map { mean > 0 && $0.isFinite ? $0 / mean : .nan }
  }
}
