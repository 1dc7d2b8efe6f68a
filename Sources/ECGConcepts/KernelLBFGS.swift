import Foundation

/// Fits an L2-regularised linear classifier f(x) = w·x + b exactly, in the span of its training
/// rows: by the representer theorem w = Σᵢ αᵢ xᵢ, so everything needs only the Gram matrix
/// K = X Xᵀ (n × n) and never the feature dimension — the right trade for TCAV, where a layer has
/// thousands of features and a CAV a few hundred examples.
///
/// Minimises J(w, b) = c · Σᵢ ℓ(yᵢ (w·xᵢ + b)) + (λ/2)‖w‖² (labels yᵢ = ±1, intercept not
/// penalised) with L-BFGS in the primal's geometry (inner product αᵀKα′ + b b′), so iterates
/// and curvature pairs are those of primal L-BFGS on w.
struct KernelLBFGS {
  /// The margin loss ℓ(z) and its derivative.
  enum Loss {
    /// log(1 + e^(−z)) — logistic regression.
    case logistic
    /// max(0, 1 − z)² — the squared hinge of a linear SVM (LinearSVC's default loss).
    case squaredHinge

    func value(_ z: Double) -> Double {
      switch self {
      case .logistic: return z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z))
      case .squaredHinge: let h = max(0, 1 - z); return h * h
      }
    }

    func derivative(_ z: Double) -> Double {
      switch self {
      case .logistic: return z > 0 ? -exp(-z) / (1 + exp(-z)) : -1 / (1 + exp(z))
      case .squaredHinge: return -2 * max(0, 1 - z)
      }
    }
  }

  var loss: Loss
  /// Weight of the summed loss (sklearn's C; 1/n for a mean loss).
  var lossWeight: Double
  /// λ of the penalty (λ/2)‖w‖².
  var penalty: Double
  var maxIterations = 1000
  var memory = 10
  /// Stop when the gradient norm falls below `tolerance` × its initial value.
  var tolerance = 1e-8

  /// The solution: coefficients α (w = Σ αᵢ xᵢ), intercept b, iterations used.
  struct Solution { var alpha: [Double]; var intercept: Double; var iterations: Int }

  /// Solves for Gram matrix `gram` (n × n, row-major, symmetric) and labels ±1.
  func solve(gram: [Double], labels y: [Double]) -> Solution {
    let n = y.count
    precondition(gram.count == n * n, "KernelLBFGS: Gram matrix is not n × n")
    func kTimes(_ v: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: n)
      gram.withUnsafeBufferPointer { k in
        for i in 0..<n {
          var s = 0.0
          let row = i * n
          for j in 0..<n { s += k[row + j] * v[j] }
          out[i] = s
        }
      }
      return out
    }
    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    // State: α, b, Kα, margins m = Kα + b, objective and gradient (α-coordinates γ, b-part).
    var alpha = [Double](repeating: 0, count: n), b = 0.0
    var kAlpha = [Double](repeating: 0, count: n)
    func evaluate(_ kAlpha: [Double], _ alpha: [Double], _ b: Double) -> (value: Double, g: [Double]) {
      var value = 0.0
      var g = [Double](repeating: 0, count: n)
      for i in 0..<n {
        let z = y[i] * (kAlpha[i] + b)
        value += lossWeight * loss.value(z)
        g[i] = lossWeight * y[i] * loss.derivative(z)
      }
      return (value + penalty / 2 * dot(alpha, kAlpha), g)
    }
    // Gradient in α-coordinates: γ = g + λα (w-gradient Xᵀγ); intercept part Σg.
    func gradient(_ g: [Double], _ alpha: [Double]) -> (alpha: [Double], intercept: Double) {
      (zip(g, alpha).map { $0 + penalty * $1 }, g.reduce(0, +))
    }
    let start = evaluate(kAlpha, alpha, b)
    var value = start.value
    var (gamma, gammaB) = gradient(start.g, alpha)
    var kGamma = kTimes(gamma)
    func norm2(_ v: [Double], _ kv: [Double], _ vb: Double) -> Double { dot(v, kv) + vb * vb }
    let initialNorm = norm2(gamma, kGamma, gammaB).squareRoot()
    guard initialNorm > 0 else { return Solution(alpha: alpha, intercept: b, iterations: 0) }
    // Curvature pairs with their K-products.
    var pairs: [(s: [Double], ks: [Double], sb: Double, y: [Double], ky: [Double], yb: Double, rho: Double)] = []
    var iteration = 0
    while iteration < maxIterations {
      iteration += 1
      // Two-loop recursion for the direction r ≈ H·∇ (q, r carried with their K-products).
      var q = gamma, kq = kGamma, qb = gammaB
      var coefficients = [Double](repeating: 0, count: pairs.count)
      for i in pairs.indices.reversed() {
        let p = pairs[i]
        let a = p.rho * (dot(p.ks, q) + p.sb * qb)
        coefficients[i] = a
        Self.add(-a, times: p.y, to: &q)
        Self.add(-a, times: p.ky, to: &kq)
        qb -= a * p.yb
      }
      var scale = 1.0
      if let last = pairs.last { scale = 1 / (last.rho * norm2(last.y, last.ky, last.yb)) }
      else { scale = 1 / max(initialNorm, 1e-300) }
      let directionScale = scale
      var r = q.map { $0 * directionScale }, kr = kq.map { $0 * directionScale }, rb = qb * scale
      for i in pairs.indices {
        let p = pairs[i]
        let beta = p.rho * (dot(p.ky, r) + p.yb * rb)
        let c = coefficients[i] - beta
        Self.add(c, times: p.s, to: &r)
        Self.add(c, times: p.ks, to: &kr)
        rb += c * p.sb
      }
      // Direction d = −r; directional derivative ⟨∇, d⟩.
      var slope = -(dot(kGamma, r) + gammaB * rb)
      if slope >= 0 {  // not a descent direction: restart with steepest descent
        pairs.removeAll()
        r = gamma.map { $0 / initialNorm }; kr = kGamma.map { $0 / initialNorm }; rb = gammaB / initialNorm
        slope = -(dot(kGamma, r) + gammaB * rb)
      }
      // Backtracking (Armijo) line search; every trial is O(n) since K·d is known.
      var step = 1.0
      var accepted: (value: Double, g: [Double])?
      for _ in 0..<60 {
        // No closure captures a `var` here: a captured var is boxed for the whole function, and
        // every access to it (α, Kα in the loops below) then retains and releases the box —
        // half of the TCAV step's time went there.
        let trialStep = step
        let trialK = zip(kAlpha, kr).map { $0 - trialStep * $1 }
        let trialAlpha = zip(alpha, r).map { $0 - trialStep * $1 }
        let trial = evaluate(trialK, trialAlpha, b - step * rb)
        if trial.value <= value + 1e-4 * step * slope { accepted = trial; break }
        step *= 0.5
      }
      guard let next = accepted else { break }
      let acceptedStep = step
      let s = r.map { -acceptedStep * $0 }, ks = kr.map { -acceptedStep * $0 }, sb = -step * rb
      Self.add(1, times: s, to: &alpha)
      Self.add(1, times: ks, to: &kAlpha)
      b += sb
      let (newGamma, newGammaB) = gradient(next.g, alpha)
      let newKGamma = kTimes(newGamma)
      let yv = zip(newGamma, gamma).map { $0 - $1 }, ky = zip(newKGamma, kGamma).map { $0 - $1 }
      let yb = newGammaB - gammaB
      let sy = dot(ks, yv) + sb * yb
      let decrease = value - next.value
      value = next.value; gamma = newGamma; gammaB = newGammaB; kGamma = newKGamma
      if sy > 1e-12 * norm2(yv, ky, yb).squareRoot() * norm2(s, ks, sb).squareRoot() {
        pairs.append((s, ks, sb, yv, ky, yb, 1 / sy))
        if pairs.count > memory { pairs.removeFirst() }
      }
      if norm2(gamma, kGamma, gammaB).squareRoot() <= tolerance * initialNorm { break }
      if decrease <= 1e-15 * max(1, abs(value)) { break }
    }
    return Solution(alpha: alpha, intercept: b, iterations: iteration)
  }

  // The vector updates of the two-loop recursion through unsafe buffers: element by element on
  // the arrays (one of them inside a tuple of the history) they retained and released an array
  // per element — half of the TCAV step's time. The products are exact to the bit: 1·x[j] is
  // x[j], and y + (−a)·x is y − a·x (negation is exact).

  /// y[j] += a · x[j].
  private static func add(_ a: Double, times x: [Double], to y: inout [Double]) {
    x.withUnsafeBufferPointer { xv in
      y.withUnsafeMutableBufferPointer { yv in
        for j in 0..<yv.count { yv[j] += a * xv[j] }
      }
    }
  }
}
