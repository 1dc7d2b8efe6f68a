import ECGTensor

/// Similarity of two attributions, as the randomisation tests compare them (Quantus 0.6.0's
/// `quantus.functions.similarity_func`, Hedström et al., JMLR 2023). Quantus flattens each
/// record's attribution to one vector before comparing (`a.reshape(batch, -1)`); so does ecgxai:
/// a [12, T] attribution is compared as one vector of 12·T values, leads one after the other.
///
/// See also: `Similarity.Scores`, `ModelRandomisation`, `RandomLogit`.
public enum Similarity {
  /// The four similarities of one pair of records (or their means over records).
  public struct Scores: Sendable, Equatable {
    /// Spearman rank correlation of the signed values.
    public var spearman: Double
    /// Spearman rank correlation of the absolute values (Adebayo et al.'s choice).
    public var spearmanAbsolute: Double
    /// 1-D SSIM of the absolute values, each scaled to maximum 1 (`Similarity.ssim`).
    public var ssim: Double
    /// Share of the k largest |values| of the first map among the k largest of the second.
    public var topKIntersection: Double

    /// Creates scores from their four values.
    public init(spearman: Double, spearmanAbsolute: Double, ssim: Double, topKIntersection: Double) {
      self.spearman = spearman
      self.spearmanAbsolute = spearmanAbsolute
      self.ssim = ssim
      self.topKIntersection = topKIntersection
    }

    /// The mean of each score over `scores` (NaN entries skipped; NaN when none is finite).
    public static func mean(_ scores: [Scores]) -> Scores {
      func m(_ key: KeyPath<Scores, Double>) -> Double {
        let v = scores.map { $0[keyPath: key] }.filter(\.isFinite)
        return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
      }
      return Scores(spearman: m(\.spearman), spearmanAbsolute: m(\.spearmanAbsolute), ssim: m(\.ssim),
                    topKIntersection: m(\.topKIntersection))
    }

    /// The scores as a JSON-ready dictionary.
    public var dictionary: [String: Double] {
      ["spearman": spearman, "spearman_abs": spearmanAbsolute, "ssim": ssim, "top_k_intersection": topKIntersection]
    }
  }

  /// All four similarities of two records' attributions (flattened alike, e.g. [12 × T]); `k`
  /// is the top-k size (clamped to 1…count).
  public static func scores(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>, k: Int) -> Scores {
    precondition(a.count == b.count && !a.isEmpty, "Similarity: two maps of the same, non-zero size")
    let x = a.map(Double.init), y = b.map(Double.init)
    let ax = x.map(abs), ay = y.map(abs)
    let mx = ax.max()!, my = ay.max()!
    let nx = mx > 0 ? ax.map { $0 / mx } : ax, ny = my > 0 ? ay.map { $0 / my } : ay
    return Scores(spearman: spearman(x, y), spearmanAbsolute: spearman(ax, ay), ssim: ssim(nx, ny),
                  topKIntersection: topKIntersection(ax, ay, k: min(max(1, k), x.count)))
  }

  /// The mean over records of `scores` for two attributions [records, …] of the same shape.
  public static func meanScores(_ a: Tensor, _ b: Tensor, k: Int) -> Scores {
    precondition(a.shape == b.shape && a.rank >= 2, "Similarity: two attributions [records, …] of the same shape")
    let n = a.shape[0], size = a.count / n
    // Records in parallel (each writes its own slot; the mean is taken in record order, so the
    // result does not depend on the threads).
    var perRecord = [Scores](repeating: Scores(spearman: 0, spearmanAbsolute: 0, ssim: 0, topKIntersection: 0), count: n)
    perRecord.withUnsafeMutableBufferPointer { out in
      let slots = SendablePointer(out.baseAddress!)
      parallelFor(n) { r in
        slots.pointer[r] = scores(
          a.scalars[(r * size)..<((r + 1) * size)], b.scalars[(r * size)..<((r + 1) * size)], k: k)
      }
    }
    return Scores.mean(perRecord)
  }

  /// Spearman rank correlation with average ranks for ties (`scipy.stats.spearmanr`, Quantus's
  /// `correlation_spearman`); 0 when a side is constant (SciPy: NaN).
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "spearman: equal lengths")
    return pearson(ranks(x), ranks(y)) ?? 0
  }

  /// Pearson correlation (`scipy.stats.pearsonr`, Quantus's `correlation_pearson`); nil when a
  /// side is constant (SciPy: NaN).
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count && !x.isEmpty, "pearson: equal, non-zero lengths")
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
      sxy += (x[i] - mx) * (y[i] - my)
      sxx += (x[i] - mx) * (x[i] - mx)
      syy += (y[i] - my) * (y[i] - my)
    }
    guard sxx > 0 && syy > 0 else { return nil }
    return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
  }

  /// Structural similarity of two 1-D signals as Quantus's `ssim` computes it: scikit-image's
  /// `structural_similarity(a, b, win_size=7, data_range=max(a ∪ b) − min(a ∪ b))` — uniform
  /// 7-sample windows, sample covariances (factor 7/6), K1 = 0.01, K2 = 0.03, the mean of the SSIM
  /// map over the positions whose window lies inside the signal (3 … n − 4). For a [12, T]
  /// attribution the flattened 12·T vector is the signal, so seven windows straddle each lead
  /// boundary (as in Quantus, which flattens too). NaN when both signals are one constant value
  /// (data range 0, as scikit-image), or when `n < windowSize`.
  public static func ssim(_ a: [Double], _ b: [Double], windowSize w: Int = 7) -> Double {
    precondition(a.count == b.count, "ssim: equal lengths")
    precondition(w % 2 == 1 && w > 1, "ssim: an odd window size > 1")
    let n = a.count
    guard n >= w else { return .nan }
    let range = max(a.max()!, b.max()!) - min(a.min()!, b.min()!)
    let c1 = (0.01 * range) * (0.01 * range), c2 = (0.03 * range) * (0.03 * range)
    let covarianceNorm = Double(w) / Double(w - 1)
    let pad = (w - 1) / 2
    var total = 0.0
    for i in pad..<(n - pad) {
      var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
      for j in (i - pad)...(i + pad) {
        sx += a[j]; sy += b[j]; sxx += a[j] * a[j]; syy += b[j] * b[j]; sxy += a[j] * b[j]
      }
      let ux = sx / Double(w), uy = sy / Double(w)
      let vx = covarianceNorm * (sxx / Double(w) - ux * ux)
      let vy = covarianceNorm * (syy / Double(w) - uy * uy)
      let vxy = covarianceNorm * (sxy / Double(w) - ux * uy)
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
    }
    return total / Double(n - 2 * pad)
  }

  /// Top-k intersection of two maps: the share of the k largest values of `b` that are among
  /// the k largest of `a` — Quantus's `TopKIntersection` of `b` against the mask of `a`'s top k
  /// (ties broken by the lower index first, where NumPy's `argsort` is unspecified).
  public static func topKIntersection(_ a: [Double], _ b: [Double], k: Int) -> Double {
    precondition(a.count == b.count && k >= 1 && k <= a.count, "topKIntersection: equal lengths and k in 1…count")
    let top = Set(topIndices(a, k: k))
    return Double(topIndices(b, k: k).filter { top.contains($0) }.count) / Double(k)
  }

  /// Indices of the k largest values (descending; ties by index).
  static func topIndices(_ x: [Double], k: Int) -> [Int] {
    // The k-th largest value from a plain sort of the values (inlined comparisons on contiguous
    // Doubles), then one pass: sorting 12,000 indices through a comparator closure, per record
    // and check, was a tenth of the sanity step's time. Same indices as sorting them all.
    guard k > 0 && !x.isEmpty else { return [] }
    let k = min(k, x.count)
    let threshold = x.sorted()[x.count - k]
    var above: [Int] = []
    var tied: [Int] = []
    for (i, value) in x.enumerated() {
      if value > threshold { above.append(i) } else if value == threshold { tied.append(i) }
    }
    // (With NaNs the order is not total; never more than k, never a trap.)
    let chosen = above + tied.prefix(max(0, k - above.count))
    return Array(chosen.sorted { x[$0] > x[$1] || (x[$0] == x[$1] && $0 < $1) }.prefix(k))
  }

  /// The indices of `x` in ascending order of value (a stable LSD radix sort on order-preserving
  /// 64-bit keys, 8 bits a pass, passes whose byte is the same for every key skipped). Sorting
  /// 12,000 indices through a comparator, twice per record and check, was a tenth of the sanity
  /// step; this is linear. −0 sorts just before +0 (they stay one tie group); NaNs sort last.
  static func ascendingOrder(_ x: [Double]) -> [Int] {
    let n = x.count
    var keys = x.map { value -> UInt64 in
      let bits = value.bitPattern
      return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }
    var order = Array(0..<n)
    var nextKeys = [UInt64](repeating: 0, count: n)
    var nextOrder = [Int](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: 256)
    for shift in stride(from: UInt64(0), to: 64, by: 8) {
      let moved = keys.withUnsafeBufferPointer { k in
        order.withUnsafeBufferPointer { o in
          nextKeys.withUnsafeMutableBufferPointer { nk in
            nextOrder.withUnsafeMutableBufferPointer { no in
              counts.withUnsafeMutableBufferPointer { c in
                for i in 0..<256 { c[i] = 0 }
                for i in 0..<n { c[Int((k[i] >> shift) & 0xff)] += 1 }
                // Every key has this byte: the pass would not move any.
                for i in 0..<256 where c[i] == n { return false }
                var start = 0
                for i in 0..<256 {
                  let count = c[i]
                  c[i] = start
                  start += count
                }
                for i in 0..<n {
                  let bucket = Int((k[i] >> shift) & 0xff)
                  let target = c[bucket]
                  c[bucket] = target + 1
                  nk[target] = k[i]
                  no[target] = o[i]
                }
                return true
              }
            }
          }
        }
      }
      if moved {
        swap(&keys, &nextKeys)
        swap(&order, &nextOrder)
      }
    }
    return order
  }

  /// Average ranks, 1-based (ties share the mean of their positions).
  static func ranks(_ x: [Double]) -> [Double] {
    let order = ascendingOrder(x)
    var ranks = [Double](repeating: 0, count: x.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
      for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }
      i = j + 1
    }
    return ranks
  }
}
