import ECGExplain
import ECGNet
import ECGTensor

/// The model-parameter randomisation test (Adebayo et al., "Sanity Checks for Saliency Maps",
/// NeurIPS 2018; Quantus's `MPRT`). The layers with trainable parameters are re-initialised from
/// the output towards the input — **cascading** (each step keeps the layers randomised before
/// it) or **independent** (one layer at a time, all others intact) — and after each step the
/// attribution of the same records and targets is compared with the original one by
/// `Similarity.scores` (Spearman signed and absolute, SSIM, top-k intersection; per record, then
/// averaged). A method whose maps barely change when the model's knowledge is destroyed explains
/// the input, not the model.
public enum ModelRandomisation {
  /// How layers are randomised.
  public enum Order: String, Sendable, CaseIterable {
    /// Output layer first, each step adding one more randomised layer (Quantus `top_down`).
    case cascading
    /// One layer at a time, the others at their trained values (Quantus `independent`).
    case independent
  }

  /// One step of the test.
  public struct Step: Sendable, Equatable {
    /// The layer re-initialised in this step (parameter name prefix, e.g. `sequential.14`).
    public var layer: String
    /// Mean similarities to the original attribution over records.
    public var scores: Similarity.Scores
    /// Mean Spearman rank correlation of |attribution| with the original (`scores.spearmanAbsolute`).
    public var spearman: Double { scores.spearmanAbsolute }
  }

  /// Runs the test on `input` [records, leads, T] for `targets` (one per record); `k` is the
  /// top-k size of the similarity. The model's parameters are restored afterwards (also when
  /// `attribute` throws). Re-initialised weights are N(0, σ²) with σ the original tensor's
  /// standard deviation (at least 1e-3; biases likewise), drawn from a generator seeded by
  /// `seed` and the layer's position, so the cascading and the independent order give a layer
  /// the same random values.
  public static func run(
    _ model: Model, method: any AttributionMethod, input: Tensor, targets: [Int], order: Order = .cascading,
    k: Int = 120, seed: UInt64 = 0
  ) throws -> [Step] {
    precondition(input.rank == 3 && targets.count == input.shape[0], "ModelRandomisation: input [records, leads, T], one target per record")
    let parameters = model.namedParameters.filter { !$0.parameter.isBuffer }
    let originals = parameters.map { $0.parameter.value }
    defer { for (p, v) in zip(parameters, originals) { p.parameter.value = v } }
    let reference = try method.attribute(model, input: input, targets: targets).values
    func layerName(_ name: String) -> String { name.split(separator: ".").dropLast().joined(separator: ".") }
    var layers: [String] = []
    for (name, _) in parameters where layers.last != layerName(name) { layers.append(layerName(name)) }
    var steps: [Step] = []
    for (position, layer) in layers.reversed().enumerated() {
      if order == .independent { for (p, v) in zip(parameters, originals) { p.parameter.value = v } }
      var rng = SeededRNG.stream(seed: seed, index: UInt64(position))
      for (i, (name, parameter)) in parameters.enumerated() where layerName(name) == layer {
        let values = originals[i].scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        let std = (values.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count))).squareRoot()
        parameter.value = Tensor.randomNormal(parameter.value.shape, standardDeviation: Float(max(std, 1e-3)), using: &rng)
      }
      let randomised = try method.attribute(model, input: input, targets: targets).values
      steps.append(Step(layer: layer, scores: Similarity.meanScores(reference, randomised, k: k)))
    }
    return steps
  }

  /// The cascading test (`run(…, order: .cascading)`).
  public static func cascading(
    _ model: Model, method: any AttributionMethod, input: Tensor, targets: [Int], seed: UInt64 = 0
  ) throws -> [Step] {
    try run(model, method: method, input: input, targets: targets, order: .cascading, seed: seed)
  }

  /// Mean over records of the Spearman rank correlation of the absolute values of two
  /// attributions [records, …] (also the score of the data-randomisation test: the same method on
  /// a model trained on permuted targets).
  public static func meanSpearman(_ a: Tensor, _ b: Tensor, records: Int) -> Double {
    let size = a.count / records
    var total = 0.0
    for r in 0..<records {
      let x = a.scalars[(r * size)..<((r + 1) * size)].map { Double(abs($0)) }
      let y = b.scalars[(r * size)..<((r + 1) * size)].map { Double(abs($0)) }
      total += Similarity.spearman(x, y)
    }
    return total / Double(records)
  }

  /// Spearman rank correlation (`Similarity.spearman`).
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double { Similarity.spearman(x, y) }
}
