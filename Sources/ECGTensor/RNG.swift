/// A seeded pseudo-random generator: **xoshiro256\*\*** (Blackman & Vigna, 2018), seeded through
/// SplitMix64 so that any 64-bit seed, including 0, gives a well-mixed state.
///
/// Every random quantity in ecgxai (weight initialisation, crops, shuffles, phantom records)
/// comes from a generator like this one, so every result is reproducible from its seed.
/// Normal deviates use the Box–Muller transform (both values of a pair are used).
public struct SeededRNG: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)
  private var spareNormal: Double?

  /// Creates a generator whose whole sequence is determined by `seed`.
  public init(seed: UInt64) {
    var splitMix = seed
    func nextSplitMix() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    spareNormal = nil
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotateLeft(state.3, 45)
    return result
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A standard normal deviate (mean 0, variance 1) by the Box–Muller transform.
  public mutating func nextNormal() -> Double {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    var u1 = nextUniform()
    while u1 <= .leastNormalMagnitude { u1 = nextUniform() }
    let u2 = nextUniform()
    let radius = (-2 * _log(u1)).squareRoot()
    let angle = 2 * Double.pi * u2
    spareNormal = radius * _sin(angle)
    return radius * _cos(angle)
  }

  /// A generator for an independent stream: the seed of a child derived from this seed and a
  /// stream index (e.g. a record number), so parallel work stays reproducible.
  public static func stream(seed: UInt64, index: UInt64) -> SeededRNG {
    SeededRNG(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7))
  }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
  (x << k) | (x >> (64 - k))
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }

extension Tensor {
  /// A tensor of independent normal deviates with the given mean and standard deviation.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
    using rng: inout SeededRNG
  ) -> Tensor {
    let n = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: n)
    for i in 0..<n { values[i] = mean + standardDeviation * Float(rng.nextNormal()) }
    return Tensor(shape: shape, scalars: values)
  }

  /// A tensor of independent uniform deviates in [lower, upper).
  public static func randomUniform(
    _ shape: [Int], lower: Float = 0, upper: Float = 1, using rng: inout SeededRNG
  ) -> Tensor {
    let n = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: n)
    let width = Double(upper - lower)
    for i in 0..<n { values[i] = lower + Float(rng.nextUniform() * width) }
    return Tensor(shape: shape, scalars: values)
  }
}
