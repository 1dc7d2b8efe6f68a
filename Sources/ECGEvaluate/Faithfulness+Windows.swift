import ECGNet
import ECGTensor

/// Deletion and insertion curves over lead × time windows (Samek et al., IEEE TNNLS 2017;
/// Petsiuk et al., BMVC 2018). Each lead is cut into windows of `window` samples (the last one
/// shorter when T is not a multiple); windows are ordered by their summed |attribution|, most
/// relevant first. **Deletion** starts from the record and replaces windows by the baseline in
/// that order; **insertion** starts from the baseline and puts the record's windows back. After
/// every `windowsPerStep` windows the attributed output is read.
///
/// The deletion curve equals Quantus 0.6.0's `RegionPerturbation` (order `morf`, `abs=True`,
/// one patch per step, `y_pred − y_pred_perturb`) when each of its square patches is one lead
/// window (tools/reference/faithfulness_fixtures.py arranges the record so); insertion is the same
/// computation started from the baseline with the record as the replacement.
extension Faithfulness {
  /// What removed samples are replaced by.
  public enum Baseline: String, Sendable, CaseIterable {
    /// 0 mV, the isoelectric line.
    case zero
    /// Each lead's own mean over the record (mV).
    case leadMean = "lead-mean"
  }

  /// Deletion (record → baseline) or insertion (baseline → record).
  public enum Direction: String, Sendable, CaseIterable {
    /// From the record towards the baseline, most relevant windows first.
    case deletion
    /// From the baseline towards the record, most relevant windows first.
    case insertion
  }

  /// A perturbation curve over windows.
  public struct WindowCurve: Sendable, Equatable {
    /// Windows replaced after each step (cumulative).
    public var windows: [Int]
    /// Per record and step: deletion f(x) − f(x̃ₖ), insertion f(x̃ₖ) − f(baseline), in output units.
    public var change: [[Double]]
    /// Mean over records of `change` at each step.
    public var meanChange: [Double] {
      guard let first = change.first else { return [] }
      return first.indices.map { s in change.reduce(0.0) { $0 + $1[s] } / Double(change.count) }
    }
    /// Area over (deletion) or under (insertion) the curve relative to its start: the mean of
    /// `change` over steps and records (higher: the ordered windows matter more).
    public var aopc: Double { mean(change.flatMap { $0 }) }
    /// The same with |change| (for regression outputs, where removing evidence may move the
    /// output either way).
    public var aopcAbsolute: Double { mean(change.flatMap { $0 }.map(abs)) }

    private func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
  }

  /// The baseline record(s) for `input` [records, leads, T].
  public static func baseline(_ input: Tensor, _ kind: Baseline) -> Tensor {
    precondition(input.rank == 3, "Faithfulness: input [records, leads, T]")
    switch kind {
    case .zero: return Tensor(zeros: input.shape)
    case .leadMean:
      let t = input.shape[2]
      var out = input
      for row in 0..<(input.shape[0] * input.shape[1]) {
        let values = input.scalars[(row * t)..<((row + 1) * t)]
        let mean = Float(values.reduce(0.0) { $0 + Double($1) } / Double(t))
        for i in (row * t)..<((row + 1) * t) { out.scalars[i] = mean }
      }
      return out
    }
  }

  /// Window indices (lead · windowsPerLead + j) of one record's attribution [leads, T], by
  /// descending Σ|attribution| (ties: lower index first).
  public static func windowOrder(_ attribution: ArraySlice<Float>, leads: Int, window: Int) -> [Int] {
    precondition(window >= 1 && attribution.count % leads == 0, "Faithfulness: [leads, T] and a window ≥ 1")
    let t = attribution.count / leads, perLead = (t + window - 1) / window
    let start = attribution.startIndex
    var sums = [Double](repeating: 0, count: leads * perLead)
    for l in 0..<leads {
      for s in 0..<t { sums[l * perLead + s / window] += Double(abs(attribution[start + l * t + s])) }
    }
    return sums.indices.sorted { sums[$0] > sums[$1] || (sums[$0] == sums[$1] && $0 < $1) }
  }

  /// The deletion or insertion curve of `attribution` ([records, leads, T], as `input`) for output
  /// `targets[r]` of record r: `steps` steps of `windowsPerStep` windows (stopping when all are
  /// used). With `randomSeed` the windows are taken in a seeded random order instead (the
  /// baseline an attribution must beat); `attribution` is then only used for its shape.
  public static func windowCurve(
    _ model: Model, input: Tensor, attribution: Tensor, targets: [Int], window: Int = 10,
    baseline kind: Baseline = .zero, direction: Direction = .deletion, windowsPerStep: Int = 12, steps: Int = 20,
    randomSeed: UInt64? = nil
  ) -> WindowCurve {
    precondition(input.shape == attribution.shape && input.rank == 3, "Faithfulness: input and attribution [N, leads, T] alike")
    precondition(targets.count == input.shape[0], "Faithfulness: one target per record")
    precondition(window >= 1 && windowsPerStep >= 1 && steps >= 1, "Faithfulness: window, windowsPerStep and steps ≥ 1")
    let (n, leads, t) = (input.shape[0], input.shape[1], input.shape[2])
    let perLead = (t + window - 1) / window, total = leads * perLead
    let size = leads * t
    let base = baseline(input, kind)
    var rng = SeededRNG(seed: randomSeed ?? 0)
    let orders: [[Int]] = (0..<n).map { r in
      if randomSeed != nil {
        var order = Array(0..<total)
        order.shuffle(using: &rng)
        return order
      }
      return windowOrder(attribution.scalars[(r * size)..<((r + 1) * size)], leads: leads, window: window)
    }
    // Deletion moves from the record towards the baseline, insertion the other way.
    let (from, to) = direction == .deletion ? (input, base) : (base, input)
    let start = model.forward(from)
    var working = from
    var done = 0
    var windows: [Int] = []
    var change = [[Double]](repeating: [], count: n)
    for _ in 0..<steps where done < total {
      let next = min(total, done + windowsPerStep)
      for r in 0..<n {
        for w in orders[r][done..<next] {
          let lead = w / perLead, first = (w % perLead) * window
          for s in first..<min(t, first + window) {
            let i = r * size + lead * t + s
            working.scalars[i] = to.scalars[i]
          }
        }
      }
      done = next
      windows.append(done)
      let output = model.forward(working)
      for r in 0..<n {
        let d = Double(start[r, targets[r]]) - Double(output[r, targets[r]])
        change[r].append(direction == .deletion ? d : -d)
      }
    }
    return WindowCurve(windows: windows, change: change)
  }
}
