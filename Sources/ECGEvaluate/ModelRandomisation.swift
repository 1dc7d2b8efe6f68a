import ECGExplain
import ECGNet
import ECGTensor

/// The model-parameter randomisation test (Adebayo et al., "Sanity Checks for Saliency Maps",
/// NeurIPS 2018), cascading: the layers with trainable parameters are re-initialised one after
/// the other from the output towards the input, and after each step the attribution of the same
/// records and targets is compared with the original one by Spearman rank correlation of the
/// absolute values (per record, then averaged). A method whose maps barely change when the
/// model's knowledge is destroyed explains the input, not the model.
public enum ModelRandomisation {
  /// One step of the cascade.
  public struct Step: Sendable, Equatable {
    /// The layer re-initialised in this step (parameter name prefix, e.g. `sequential.14`).
    public var layer: String
    /// Mean Spearman rank correlation of |attribution| with the original, over records.
    public var spearman: Double
  }

  /// Runs the cascade; the model's parameters are restored afterwards (also when `attribute`
  /// throws). Re-initialised weights are N(0, σ²) with σ the original tensor's standard
  /// deviation (biases likewise), from a seeded generator.
  public static func cascading(
    _ model: Model, method: any AttributionMethod, input: Tensor, targets: [Int], seed: UInt64 = 0
  ) throws -> [Step] {
    let parameters = model.namedParameters.filter { !$0.parameter.isBuffer }
    let originals = parameters.map { $0.parameter.value }
    defer { for (p, v) in zip(parameters, originals) { p.parameter.value = v } }
    let reference = try method.attribute(model, input: input, targets: targets).values
    // Group by layer (the name without its last component), output side first.
    var layers: [String] = []
    for (name, _) in parameters {
      let layer = name.split(separator: ".").dropLast().joined(separator: ".")
      if layers.last != layer { layers.append(layer) }
    }
    var rng = SeededRNG(seed: seed)
    var steps: [Step] = []
    for layer in layers.reversed() {
      for (name, parameter) in parameters where name.split(separator: ".").dropLast().joined(separator: ".") == layer {
        let values = parameter.value.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        let std = (values.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count))).squareRoot()
        parameter.value = Tensor.randomNormal(parameter.value.shape, standardDeviation: Float(max(std, 1e-3)), using: &rng)
      }
      let randomised = try method.attribute(model, input: input, targets: targets).values
      steps.append(Step(layer: layer, spearman: meanSpearman(reference, randomised, records: input.shape[0])))
    }
    return steps
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
      total += spearman(x, y)
    }
    return total / Double(records)
  }

  /// Spearman rank correlation with average ranks for ties (scipy.stats.spearmanr); 0 when a
  /// side is constant.
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "spearman: equal lengths")
    let rx = ranks(x), ry = ranks(y)
    let n = Double(x.count)
    let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in rx.indices {
      sxy += (rx[i] - mx) * (ry[i] - my)
      sxx += (rx[i] - mx) * (rx[i] - mx)
      syy += (ry[i] - my) * (ry[i] - my)
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
  }

  static func ranks(_ x: [Double]) -> [Double] {
    let order = x.indices.sorted { x[$0] < x[$1] }
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
