import ECGNet
import ECGTensor

/// The two TCAV scores of one CAV for one target, exactly as Captum's `TCAV` computes them
/// (captum/concept/_core/tcav.py, `_tcav_sub_computation`) from the layer gradients of the
/// target output, g [inputs, features], and the CAV vector v [features]: with sᵢ = gᵢ·v,
/// - `signCount` = mean(sᵢ > 0), the share of inputs whose output rises along the concept;
/// - `magnitude` = mean(sᵢ), the mean directional derivative. (Captum's docstring describes
///   magnitude as Σ max(sᵢ, 0) / Σ |sᵢ|, but its code — what users compare numbers with —
///   computes the mean; ecgxai follows the code and also reports `positiveShare`, the docstring's.)
public struct TCAVScore: Sendable, Codable, Equatable {
  /// Share of inputs with a positive directional derivative (0…1).
  public var signCount: Double
  /// Mean directional derivative (units of the target output per unit of the CAV's activation
  /// direction; with ecgxai's unit-length CAVs, comparable across runs).
  public var magnitude: Double
  /// Σ max(sᵢ, 0) / Σ |sᵢ| (0…1; NaN when every sᵢ is 0).
  public var positiveShare: Double

  /// Scores from directional derivatives sᵢ.
  public init(directionalDerivatives s: [Double]) {
    let n = Double(max(s.count, 1))
    signCount = Double(s.filter { $0 > 0 }.count) / n
    magnitude = s.reduce(0, +) / n
    let total = s.reduce(0) { $0 + abs($1) }
    positiveShare = total > 0 ? s.reduce(0) { $0 + max($1, 0) } / total : .nan
  }

  /// Scores of every CAV (rows of `cavs` [cavs, features]) for gradients [inputs, features]: the
  /// directional derivatives are one product G·Vᵀ (float32 as Captum's `matmul`).
  public static func scores(gradients: Tensor, cavs: Tensor) -> [TCAVScore] {
    precondition(gradients.rank == 2 && cavs.rank == 2 && gradients.shape[1] == cavs.shape[1], "TCAVScore: shapes \(gradients.shape) and \(cavs.shape) do not match")
    let (n, j, f) = (gradients.shape[0], cavs.shape[0], gradients.shape[1])
    guard n > 0, j > 0 else { return [TCAVScore](repeating: TCAVScore(directionalDerivatives: []), count: j) }
    var d = [Float](repeating: 0, count: n * j)
    gradients.scalars.withUnsafeBufferPointer { g in
      cavs.scalars.withUnsafeBufferPointer { v in
        d.withUnsafeMutableBufferPointer { out in
          GEMM.multiply(transposeA: false, transposeB: true, m: n, n: j, k: f, a: g.baseAddress!, lda: f, b: v.baseAddress!, ldb: f, c: out.baseAddress!, ldc: j)
        }
      }
    }
    return (0..<j).map { c in TCAVScore(directionalDerivatives: (0..<n).map { Double(d[$0 * j + c]) }) }
  }
}

extension TCAVScore {
  /// Scores stored CAVs on new inputs: the layer gradients of output `target` on `input`
  /// [N, leads, time] (cropped as the CAVs' inputs were), against every CAV of every layer.
  /// - Parameter cavs: [layer: [concept: CAV vectors [runs, features]]].
  /// - Returns: [layer: [concept: one score per CAV]].
  /// - Throws: `ConceptError` for unknown layers or CAVs whose width does not match the layer.
  public static func scores(
    _ model: Model, input: Tensor, target: Int, cavs: [String: [String: Tensor]]
  ) throws -> [String: [String: [TCAVScore]]] {
    let layers = cavs.keys.sorted()
    try LayerProbe.validate(layers, in: model)
    guard (0..<model.architecture.classes).contains(target) else {
      throw ConceptError.invalidConcept("target output \(target) is out of range (the model has \(model.architecture.classes) outputs)")
    }
    guard input.rank == 3, input.shape[0] > 0 else { throw ConceptError.invalidConcept("no input records to score (got \(input.shape))") }
    let gradients = TCAVAnalysis.batched(input) { LayerProbe.gradients(model, input: $0, target: target, layers: layers) }
    var out: [String: [String: [TCAVScore]]] = [:]
    for (i, layer) in layers.enumerated() {
      let g = gradients[i], features = g.shape[1]
      for (concept, vectors) in cavs[layer]! {
        guard vectors.rank == 2, vectors.shape[1] == features else {
          throw ConceptError.invalidConcept("the CAVs of \(concept) at \(layer) have \(vectors.shape.last ?? 0) features, but the layer outputs \(features) for these inputs (another model or crop?)")
        }
        out[layer, default: [:]][concept] = scores(gradients: g, cavs: vectors)
      }
    }
    return out
  }
}
