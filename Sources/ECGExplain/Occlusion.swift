import ECGNet
import ECGTensor

/// Occlusion (Zeiler & Fergus 2014) per lead, Captum's `Occlusion` with sliding window
/// (1, `window`) and step (1, `stride`): every element's attribution is the mean, over the windows
/// covering it, of f(x) − f(x with the window set to `baseline`). Windows start at 0, stride,
/// 2·stride, … ⌈(T − window)/stride⌉·stride (the last one cut at the end of the record).
public struct Occlusion: AttributionMethod {
  public let name = "occlusion"
  /// Window length in samples.
  public var window: Int
  /// Step between windows in samples (≤ window).
  public var stride: Int
  /// Value written into the occluded window (mV).
  public var baseline: Float
  /// Occluded copies evaluated per forward pass.
  public var perturbationsPerPass: Int

  /// Creates the method; e.g. 50-sample windows (500 ms at 100 Hz) every 25 samples.
  public init(window: Int = 50, stride: Int = 25, baseline: Float = 0, perturbationsPerPass: Int = 64) {
    self.window = window
    self.stride = stride
    self.baseline = baseline
    self.perturbationsPerPass = perturbationsPerPass
  }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    let outputs = try validated(model, input: input, targets: targets)
    let (n, leads, length) = (input.shape[0], input.shape[1], input.shape[2])
    guard window >= 1, window <= length, stride >= 1, stride <= window || window == length else {
      throw AttributionError.invalidParameter("occlusion needs 1 ≤ window ≤ \(length) and 1 ≤ stride ≤ window")
    }
    let shifts = (length - window + stride - 1) / stride + 1
    let windows = (0..<leads).flatMap { lead in (0..<shifts).map { (lead, $0 * stride) } }
    let classes = outputs.shape[1]
    var totals = [Double](repeating: 0, count: input.count)
    var counts = [Double](repeating: 0, count: input.count)
    let perRecord = leads * length
    for r in 0..<n {
      let record = Array(input.scalars[(r * perRecord)..<((r + 1) * perRecord)])
      let reference = Double(outputs.scalars[r * classes + targets[r]])
      for chunkStart in Swift.stride(from: 0, to: windows.count, by: perturbationsPerPass) {
        let chunk = windows[chunkStart..<min(chunkStart + perturbationsPerPass, windows.count)]
        var copies = [Float]()
        copies.reserveCapacity(chunk.count * perRecord)
        for (lead, start) in chunk {
          var copy = record
          for t in start..<min(start + window, length) { copy[lead * length + t] = baseline }
          copies += copy
        }
        let occluded = model.forward(Tensor(shape: [chunk.count, leads, length], scalars: copies))
        for (k, (lead, start)) in chunk.enumerated() {
          let drop = reference - Double(occluded.scalars[k * classes + targets[r]])
          for t in start..<min(start + window, length) {
            totals[r * perRecord + lead * length + t] += drop
            counts[r * perRecord + lead * length + t] += 1
          }
        }
      }
    }
    let values = Tensor(shape: input.shape, scalars: zip(totals, counts).map { Float($0 / $1) })
    return Attribution(values: values, outputs: outputs, targets: targets)
  }
}

/// SmoothGrad and NoiseTunnel (Smilkov et al. 2017; Captum `NoiseTunnel`): the mean (or mean of
/// squares, `smoothgrad_sq`) of a base method over `samples` noisy copies x + N(0, σ²), σ given
/// in mV or as a fraction of each record's range (Captum uses absolute σ). Seeded.
public struct SmoothGrad: AttributionMethod {
  /// How the noisy attributions are combined (Captum's `nt_type`).
  public enum Kind: String, Sendable { case smoothgrad, smoothgradSquared = "smoothgrad_sq", varGrad = "vargrad" }
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
