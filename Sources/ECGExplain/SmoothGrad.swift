import ECGNet
import ECGTensor

/// SmoothGrad and NoiseTunnel (Smilkov et al. 2017; Captum `NoiseTunnel`): the mean (or mean of
/// squares, `smoothgrad_sq`) of a base method over `samples` noisy copies x + N(0, σ²), σ given
/// in mV or as a fraction of each record's range (Captum uses absolute σ). Seeded.
public struct SmoothGrad: AttributionMethod {
  /// How the noisy attributions are combined (Captum's `nt_type`).
  public enum Kind: String, Sendable, Codable { case smoothgrad, smoothgradSquared = "smoothgrad_sq", varGrad = "vargrad" }
  public var name: String { "smoothgrad-\(base.name)" }
  /// The method applied to every noisy copy.
  public var base: any AttributionMethod
  /// Number of noisy copies.
  public var samples: Int
  /// Noise standard deviation in mV.
  public var standardDeviation: Float
  /// Combination.
  public var kind: Kind
  /// Seed of the noise.
  public var seed: UInt64
  /// Given noise instead of seeded draws: [samples, N, leads, T] in mV, draw s of record i at
  /// [s, i] (what Captum's NoiseTunnel adds when its `torch.normal` draw is fixed; used to compare
  /// with Captum). `samples` and `standardDeviation` are then ignored.
  public var noise: Tensor?

  /// Creates the method.
  public init(base: any AttributionMethod = Saliency(), samples: Int = 25, standardDeviation: Float = 0.1, kind: Kind = .smoothgrad, seed: UInt64 = 0, noise: Tensor? = nil) {
    self.base = base
    self.samples = samples
    self.standardDeviation = standardDeviation
    self.kind = kind
    self.seed = seed
    self.noise = noise
  }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    let outputs = try validated(model, input: input, targets: targets)
    guard samples >= 1, standardDeviation >= 0 else { throw AttributionError.invalidParameter("smoothgrad needs samples ≥ 1 and σ ≥ 0") }
    if let noise, noise.rank != 4 || Array(noise.shape.dropFirst()) != input.shape || noise.shape[0] < 1 {
      throw AttributionError.invalidParameter("noise \(noise.shape) must be [samples, \(input.shape.map(String.init).joined(separator: ", "))]")
    }
    let samples = noise?.shape[0] ?? self.samples
    var rng = SeededRNG(seed: seed)
    var sum = [Double](repeating: 0, count: input.count)
    var sumSquares = sum
    for s in 0..<samples {
      let draw = noise.map { Tensor(shape: input.shape, scalars: Array($0.scalars[(s * input.count)..<((s + 1) * input.count)])) }
      let noisy = input + (draw ?? Tensor.randomNormal(input.shape, standardDeviation: standardDeviation, using: &rng))
      let values = try base.attribute(model, input: noisy, targets: targets).values
      for i in 0..<input.count {
        let v = Double(values.scalars[i])
        sum[i] += v
        sumSquares[i] += v * v
      }
    }
    let count = Double(samples)
    let combined: [Float] = (0..<input.count).map { i in
      switch kind {
      case .smoothgrad: Float(sum[i] / count)
      case .smoothgradSquared: Float(sumSquares[i] / count)
      case .varGrad: Float(sumSquares[i] / count - (sum[i] / count) * (sum[i] / count))
      }
    }
    return Attribution(values: Tensor(shape: input.shape, scalars: combined), outputs: outputs, targets: targets)
  }
}
