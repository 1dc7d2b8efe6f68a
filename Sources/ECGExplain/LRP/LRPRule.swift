import ECGNet
import ECGTensor

/// LRP rules, with Zennit's exact definitions (zennit.rules). Each rule maps the relevance R at a
/// layer's output to relevance at its input. "Stabilised" division is x / (z + s·sign(z)) with
/// sign(0) = +1 (zennit.core.stabilize).
public enum LRPRule: Sendable, Equatable {
  /// ε-rule: R_in = x ⊙ Wᵀ(R / (z + ε·sign z)), z = Wx + b. ε = 0 is LRP-0.
  case epsilon(Float)
  /// z⁺ (α1β0 allowing negative inputs): positive weights on positive inputs plus negative weights
  /// on negative inputs.
  case zPlus(stabilizer: Float)
  /// αβ-rule, α − β = 1 (e.g. α2β1).
  case alphaBeta(alpha: Float, beta: Float, stabilizer: Float)
  /// γ-rule: positive contributions boosted by γ (Zennit's four-branch form).
  case gamma(Float, stabilizer: Float)
  /// Flat: weights and inputs set to one, no bias (usually the input layer).
  case flat(stabilizer: Float)
  /// w²-rule: inputs one, squared parameters (usually the input layer).
  case wSquare(stabilizer: Float)
  /// z^B-rule for inputs bounded in [low, high] (the input layer).
  case zBox(low: Float, high: Float, stabilizer: Float)
  /// Relevance passes unchanged (activations, BatchNorm).
  case pass
  /// x ⊙ J ᵀ(R / stab(y)): ε-like normalisation for layers without weights (average pooling,
  /// residual sums).
  case norm(stabilizer: Float)
  /// The ordinary gradient (max pooling, flatten, …).
  case gradient
}

/// z + s·sign(z), sign(0) = +1.
@inline(__always)
func stabilized(_ z: Float, _ s: Float) -> Float { z + (z < 0 ? -s : s) }

/// r / stab(z) element by element (equal shapes), in one parallel pass.
func stabilisedQuotient(_ r: Tensor, _ z: Tensor, _ s: Float) -> Tensor {
  r.stabilisedQuotient(by: z, epsilon: s)
}

/// A layer whose output is linear in its input given parameters (Conv1d, Linear), so rules can
/// run it with modified weights, bias and inputs.
struct LinearMap {
  let forward: (_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor
  let backward: (_ g: Tensor, _ w: Tensor) -> Tensor
  /// The ε-rule x ⊙ Wᵀ(R / stab(z)) in one fused pass, where the layer has one (convolutions).
  let epsilonRelevance: ((_ r: Tensor, _ z: Tensor, _ x: Tensor, _ w: Tensor, _ epsilon: Float) -> Tensor)?
  let weight: Tensor
  let bias: Tensor?

  init?(_ layer: any Layer, inputShape: [Int]) {
    if let conv = layer as? Conv1d {
      let geometry = conv.geometry
      let length = inputShape[2]
      forward = { x, w, b in Convolution1D.forward(x, weight: w, bias: b, geometry: geometry) }
      backward = { g, w in Convolution1D.backwardInput(g, weight: w, inputLength: length, geometry: geometry) }
      epsilonRelevance = { r, z, x, w, epsilon in
        Convolution1D.backwardInput(
          r, weight: w, inputLength: length, geometry: geometry,
          transform: .stabilisedDivision(by: z, epsilon: epsilon), multiplying: x)
      }
      weight = conv.weight.value
      bias = conv.bias?.value
    } else if let linear = layer as? Linear {
      forward = { x, w, b in linearForward(x, w, b) }
      backward = { g, w in linearBackward(g, w) }
      epsilonRelevance = nil
      weight = linear.weight.value
      bias = linear.bias?.value
    } else {
      return nil
    }
  }
}

func linearForward(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
  let (n, inFeatures, outFeatures) = (x.shape[0], w.shape[1], w.shape[0])
  var y = Tensor(zeros: [n, outFeatures])
  x.withUnsafeBufferPointer { xp in
    w.withUnsafeBufferPointer { wp in
      y.withUnsafeMutableBufferPointer { yp in
        GEMM.multiply(transposeA: false, transposeB: true, m: n, n: outFeatures, k: inFeatures, a: xp.baseAddress!, lda: inFeatures, b: wp.baseAddress!, ldb: inFeatures, c: yp.baseAddress!, ldc: outFeatures)
      }
    }
  }
  if let b {
    for i in 0..<n { for j in 0..<outFeatures { y.scalars[i * outFeatures + j] += b.scalars[j] } }
  }
  return y
}

func linearBackward(_ g: Tensor, _ w: Tensor) -> Tensor {
  let (n, inFeatures, outFeatures) = (g.shape[0], w.shape[1], w.shape[0])
  var gx = Tensor(zeros: [n, inFeatures])
  g.withUnsafeBufferPointer { gp in
    w.withUnsafeBufferPointer { wp in
      gx.withUnsafeMutableBufferPointer { xp in
        GEMM.multiply(transposeA: false, transposeB: false, m: n, n: inFeatures, k: outFeatures, a: gp.baseAddress!, lda: outFeatures, b: wp.baseAddress!, ldb: inFeatures, c: xp.baseAddress!, ldc: inFeatures)
      }
    }
  }
  return gx
}

/// One branch of a Zennit `BasicHook`: modified input, weights and bias.
private struct Branch {
  var input: Tensor
  var weight: Tensor
  var bias: Tensor?
}

extension LRPRule {
  /// Relevance at the input of a linear layer, given its recorded input and output and the
  /// relevance at its output.
  func linearRelevance(_ map: LinearMap, input x: Tensor, output: Tensor, relevance r: Tensor) -> Tensor {
    let positive = { (t: Tensor) in t.map { max($0, 0) } }
    let negative = { (t: Tensor) in t.map { min($0, 0) } }
    let ones = { (t: Tensor) in t.map { _ in 1 } }
    let w = map.weight
    let b = map.bias
    func run(_ branches: [Branch], mapper: ([Tensor]) -> [Tensor], reducer: ([Tensor], [Tensor]) -> Tensor) -> Tensor {
      let outputs = branches.map { map.forward($0.input, $0.weight, $0.bias) }
      let mapped = mapper(outputs)
      let gradients = zip(branches, mapped).map { map.backward($1, $0.weight) }
      return reducer(branches.map(\.input), gradients)
    }
    func divide(_ r: Tensor, by z: Tensor, _ s: Float) -> Tensor { stabilisedQuotient(r, z, s) }
    switch self {
    case .epsilon(let eps):
      // The unmodified branch's output is the recorded output: no second forward pass.
      if let fused = map.epsilonRelevance { return fused(r, output, x, w, eps) }
      return x * map.backward(divide(r, by: output, eps), w)
    case .zPlus(let s):
      return run(
        [Branch(input: positive(x), weight: positive(w), bias: b.map(positive)), Branch(input: negative(x), weight: negative(w), bias: nil)],
        mapper: { let g = divide(r, by: $0[0] + $0[1], s); return [g, g] },
        reducer: { $0[0] * $1[0] + $0[1] * $1[1] })
    case .alphaBeta(let alpha, let beta, let s):
      return run(
        [Branch(input: positive(x), weight: positive(w), bias: b.map(positive)),
         Branch(input: negative(x), weight: negative(w), bias: nil),
         Branch(input: positive(x), weight: negative(w), bias: b.map(negative)),
         Branch(input: negative(x), weight: positive(w), bias: nil)],
        mapper: { o in let p = divide(r, by: o[0] + o[1], s); let n = divide(r, by: o[2] + o[3], s); return [p, p, n, n] },
        reducer: { i, g in (i[0] * g[0] + i[1] * g[1]) * alpha - (i[2] * g[2] + i[3] * g[3]) * beta })
    case .gamma(let gamma, let s):
      let boost = { (t: Tensor, keepPositive: Bool) in t.map { $0 + gamma * (keepPositive ? max($0, 0) : min($0, 0)) } }
      return run(
        [Branch(input: positive(x), weight: boost(w, true), bias: b.map { boost($0, true) }),
         Branch(input: negative(x), weight: boost(w, false), bias: nil),
         Branch(input: positive(x), weight: boost(w, false), bias: b.map { boost($0, false) }),
         Branch(input: negative(x), weight: boost(w, true), bias: nil),
         Branch(input: x, weight: w, bias: b)],
        mapper: { o in
          let z = o[4]
          let p = divide(r, by: o[0] + o[1], s)
          let n = divide(r, by: o[2] + o[3], s)
          let gp = Tensor(shape: p.shape, scalars: zip(p.scalars, z.scalars).map { $1 > 0 ? $0 : 0 })
          let gn = Tensor(shape: n.shape, scalars: zip(n.scalars, z.scalars).map { $1 < 0 ? $0 : 0 })
          return [gp, gp, gn, gn, Tensor(zeros: r.shape)]
        },
        reducer: { i, g in i[0] * g[0] + i[1] * g[1] + i[2] * g[2] + i[3] * g[3] })
    case .flat(let s):
      return run([Branch(input: ones(x), weight: ones(w), bias: nil)], mapper: { [divide(r, by: $0[0], s)] }, reducer: { $1[0] })
    case .wSquare(let s):
      return run([Branch(input: ones(x), weight: w * w, bias: b.map { $0 * $0 })], mapper: { [divide(r, by: $0[0], s)] }, reducer: { $1[0] })
    case .zBox(let low, let high, let s):
      let lowInput = x.map { _ in low }
      let highInput = x.map { _ in high }
      return run(
        [Branch(input: x, weight: w, bias: b), Branch(input: lowInput, weight: positive(w), bias: b.map(positive)), Branch(input: highInput, weight: negative(w), bias: b.map(negative))],
        mapper: { o in let g = divide(r, by: o[0] - o[1] - o[2], s); return [g, g, g] },
        reducer: { i, g in i[0] * g[0] - i[1] * g[1] - i[2] * g[2] })
    case .pass, .norm, .gradient:
      preconditionFailure("linearRelevance: \(self) is not a rule for linear layers")
    }
  }
}
