import ECGNet
import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Integrated Gradients (Sundararajan et al. 2017):
/// (x − x′) ⊙ Σₖ wₖ ∇f(x′ + αₖ(x − x′)), with the path points αₖ and weights wₖ of Captum's
/// approximation methods, or Zennit's (right Riemann, as the paper used with n = 10).
public struct IntegratedGradients: AttributionMethod {
  /// How the path integral is approximated.
  public enum Method: String, Sendable, CaseIterable, Codable {
    /// αₖ = k/n, k = 0…n−1 (Captum `riemann_left`).
    case riemannLeft = "riemann_left"
    /// αₖ = k/n, k = 1…n (Captum `riemann_right`; Zennit's `IntegratedGradients`).
    case riemannRight = "riemann_right"
    /// αₖ = (k + ½)/n (Captum `riemann_middle`).
    case riemannMiddle = "riemann_middle"
    /// αₖ = k/(n−1), weights 1/n with halves at both ends (Captum `riemann_trapezoid`, exactly).
    case riemannTrapezoid = "riemann_trapezoid"
    /// Gauss–Legendre nodes and weights on [0, 1] (Captum's default, `gausslegendre`).
    case gaussLegendre = "gausslegendre"
  }

  /// The reference input x′.
  public enum Baseline: Sendable {
    /// All zeros (the paper's and Captum's default).
    case zero
    /// Each lead's mean over time, per record.
    case perLeadMean
    /// A given tensor of the input's shape, or one record [leads, T] used for every record.
    case custom(Tensor)
  }

  public var name: String { "ig" }
  /// Number of path points n (the paper: 10; Captum's default: 50), at most `maximumSteps`.
  public var steps: Int
  /// The most path points `attribute` accepts: far past where the integral converges (a few
  /// hundred), and small enough that the quadrature's tables fit in memory.
  public static let maximumSteps = 10_000
  /// The quadrature.
  public var method: Method
  /// The reference input.
  public var baseline: Baseline
  /// Maximum number of (record, step) inputs per forward/backward pass, bounding memory
  /// (Captum's `internal_batch_size`); nil: all steps of all records at once.
  public var internalBatchSize: Int?

  /// Creates the method. Defaults are the paper's (Zennit, n = 10, right Riemann, zero baseline).
  public init(steps: Int = 10, method: Method = .riemannRight, baseline: Baseline = .zero, internalBatchSize: Int? = 64) {
    self.steps = steps
    self.method = method
    self.baseline = baseline
    self.internalBatchSize = internalBatchSize
  }

  /// Path points αₖ and weights wₖ (Σ wₖ ≈ 1).
  public func quadrature() -> (alphas: [Double], weights: [Double]) {
    let n = steps
    switch method {
    case .riemannLeft: return ((0..<n).map { Double($0) / Double(n) }, Array(repeating: 1 / Double(n), count: n))
    case .riemannRight: return ((1...n).map { Double($0) / Double(n) }, Array(repeating: 1 / Double(n), count: n))
    case .riemannMiddle: return ((0..<n).map { (Double($0) + 0.5) / Double(n) }, Array(repeating: 1 / Double(n), count: n))
    case .riemannTrapezoid:
      var weights = Array(repeating: 1 / Double(n), count: n)
      weights[0] /= 2
      weights[n - 1] /= 2
      return ((0..<n).map { Double($0) / Double(n - 1) }, weights)
    case .gaussLegendre:
      let (nodes, w) = gaussLegendre(n)
      return (nodes.map { 0.5 * (1 + $0) }, w.map { 0.5 * $0 })
    }
  }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    guard steps >= 2 || (steps >= 1 && method != .riemannTrapezoid) else {
      throw AttributionError.invalidParameter("--steps must be ≥ 2 (≥ 1 except for the trapezoid rule)")
    }
    guard steps <= Self.maximumSteps else {
      throw AttributionError.invalidParameter("--steps is \(steps); at most \(Self.maximumSteps) (the integral converges within a few hundred)")
    }
    let outputs = try validated(model, input: input, targets: targets)
    let (n, leads, length) = (input.shape[0], input.shape[1], input.shape[2])
    let reference = try baselineTensor(for: input)
    let difference = input - reference
    let (alphas, weights) = quadrature()
    let perChunk = max(1, (internalBatchSize ?? n * steps) / n)
    var integral = [Double](repeating: 0, count: input.count)
    var k = 0
    while k < steps {
      let chunk = Array(k..<min(k + perChunk, steps))
      var stacked = [Float]()
      stacked.reserveCapacity(chunk.count * input.count)
      for step in chunk {
        let alpha = Float(alphas[step])
        for i in 0..<input.count { stacked.append(reference.scalars[i] + alpha * difference.scalars[i]) }
      }
      let points = Tensor(shape: [chunk.count * n, leads, length], scalars: stacked)
      let gradients = inputGradient(model, input: points, targets: Array(repeating: targets, count: chunk.count).flatMap { $0 })
      for (c, step) in chunk.enumerated() {
        let w = weights[step]
        let offset = c * input.count
        for i in 0..<input.count { integral[i] += w * Double(gradients.scalars[offset + i]) }
      }
      k += perChunk
    }
    var values = Tensor(zeros: input.shape)
    for i in 0..<input.count { values.scalars[i] = Float(integral[i]) * difference.scalars[i] }
    // Completeness: Σ attribution − (f(x) − f(x′)) per record.
    let baselineOutputs = model.forward(reference)
    let classes = outputs.shape[1]
    let perRecord = leads * length
    let delta = (0..<n).map { r -> Double in
      let total = values.scalars[(r * perRecord)..<((r + 1) * perRecord)].reduce(0.0) { $0 + Double($1) }
      let gap = Double(outputs.scalars[r * classes + targets[r]]) - Double(baselineOutputs.scalars[r * classes + targets[r]])
      return total - gap
    }
    return Attribution(values: values, outputs: outputs, targets: targets, diagnostics: ["completeness_delta": delta])
  }

  private func baselineTensor(for input: Tensor) throws -> Tensor {
    switch baseline {
    case .zero: return Tensor(zeros: input.shape)
    case .perLeadMean:
      var result = input
      let length = input.shape[2]
      for row in 0..<(input.shape[0] * input.shape[1]) {
        let mean = input.scalars[(row * length)..<((row + 1) * length)].reduce(0, +) / Float(length)
        for t in 0..<length { result.scalars[row * length + t] = mean }
      }
      return result
    case .custom(let tensor):
      if tensor.shape == input.shape { return tensor }
      if tensor.shape == Array(input.shape.dropFirst()) {
        return Tensor(shape: input.shape, scalars: Array(repeating: tensor.scalars, count: input.shape[0]).flatMap { $0 })
      }
      throw AttributionError.invalidParameter("baseline shape \(tensor.shape) fits neither \(input.shape) nor \(Array(input.shape.dropFirst()))")
    }
  }
}

/// Gauss–Legendre nodes and weights on [−1, 1] (Newton's method on Pₙ, as numpy's `leggauss`).
func gaussLegendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
  var nodes = [Double](repeating: 0, count: n)
  var weights = [Double](repeating: 0, count: n)
  for i in 0..<((n + 1) / 2) {
    var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
    var derivative = 0.0
    for _ in 0..<100 {
      var p0 = 1.0
      var p1 = x
      for k in 2...max(n, 2) where n >= 2 {
        let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
        p0 = p1
        p1 = p2
      }
      if n == 1 { p1 = x; p0 = 1 }
      derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
      let step = p1 / derivative
      x -= step
      if abs(step) < 1e-15 { break }
    }
    nodes[i] = -x
    nodes[n - 1 - i] = x
    let w = 2 / ((1 - x * x) * derivative * derivative)
    weights[i] = w
    weights[n - 1 - i] = w
  }
  return (nodes, weights)
}
