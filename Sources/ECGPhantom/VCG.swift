/// A heart vector in Frank's vectorcardiographic (VCG) coordinates, in **mV**:
/// `x` points to the patient's left, `y` to the feet (inferior), `z` to the back (posterior).
public typealias HeartVector = SIMD3<Double>

/// The projection of the heart vector onto the standard 12 leads.
///
/// The eight independent leads (I, II, V1–V6) come from the heart vector by **Dower's transform**
/// (Dower, Machado & Osborne, Clin. Cardiol. 1980; the coefficients as tabulated by Edenbrandt &
/// Pahlm, J. Electrocardiol. 1988). The limb electrodes are then reconstructed with Wilson's
/// central terminal at zero (RA + LA + LL = 0), so noise and gains can be applied per electrode
/// and every derived lead is computed from electrodes: III = II − I, aVR = −(I + II)/2,
/// aVL = I − II/2 and aVF = II − I/2 hold exactly (before quantisation).
public enum LeadProjection {
  /// Dower's coefficients: rows I, II, V1, V2, V3, V4, V5, V6; columns X, Y, Z.
  public static let dower: [HeartVector] = [
    HeartVector(0.632, -0.235, 0.059),
    HeartVector(0.235, 1.066, -0.132),
    HeartVector(-0.515, 0.157, -0.917),
    HeartVector(0.044, 0.164, -1.387),
    HeartVector(0.882, 0.098, -1.277),
    HeartVector(1.213, 0.127, -0.601),
    HeartVector(1.125, 0.127, -0.086),
    HeartVector(0.831, 0.076, 0.230),
  ]

  /// The 12 lead values (mV) of one heart vector, noise-free, in the standard order (`Lead`).
  @inlinable
  public static func leads(of v: HeartVector) -> [Double] {
    let i = (dower[0] * v).sum()
    let ii = (dower[1] * v).sum()
    var out = [Double](repeating: 0, count: 12)
    out[0] = i
    out[1] = ii
    out[2] = ii - i
    out[3] = -(i + ii) / 2
    out[4] = i - ii / 2
    out[5] = ii - i / 2
    for k in 0..<6 { out[6 + k] = (dower[2 + k] * v).sum() }
    return out
  }

  /// The coefficient vector of lead `index` (0…11): lead value = (coefficient · heart vector).
  @inlinable
  public static func coefficients(lead index: Int) -> HeartVector {
    precondition((0..<12).contains(index), "lead index \(index) out of 0..<12")
    let i = dower[0]
    let ii = dower[1]
    switch index {
    case 0: return i
    case 1: return ii
    case 2: return ii - i
    case 3: return -(i + ii) / 2
    case 4: return i - ii / 2
    case 5: return ii - i / 2
    default: return dower[index - 4]
    }
  }
}

/// Rotates a heart vector by `frontal` radians in the frontal plane (about the z axis, positive
/// towards the feet, i.e. a rightward axis shift) and `horizontal` radians about the y axis
/// (positive turns leftward forces posteriorly).
@inlinable
func rotate(_ v: HeartVector, frontal: Double, horizontal: Double) -> HeartVector {
  let (cf, sf) = (cos(frontal), sin(frontal))
  let a = HeartVector(v.x * cf - v.y * sf, v.x * sf + v.y * cf, v.z)
  let (ch, sh) = (cos(horizontal), sin(horizontal))
  return HeartVector(a.x * ch - a.z * sh, a.y, a.x * sh + a.z * ch)
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
