/// The vectorcardiogram (Frank X, Y, Z) estimated from a 12-lead ECG with Kors' regression
/// matrix (Kors et al., Eur. Heart J. 1990), the standard way to get a spatial signal from
/// standard leads. R-peak refinement and delineation measure spatial magnitude and velocity on it.
enum KorsVCG {
  /// Rows X, Y, Z; columns I, II, V1–V6.
  static let matrix: [[Double]] = [
    [0.38, -0.07, -0.13, 0.05, -0.01, 0.14, 0.06, 0.54],
    [-0.07, 0.93, 0.06, -0.02, -0.05, 0.06, -0.17, 0.13],
    [0.11, -0.23, -0.43, -0.06, -0.14, -0.20, -0.11, 0.31],
  ]

  /// The spatial components of a record given per lead (nil: unusable lead, e.g. flat): Kors'
  /// X, Y, Z when I, II and V1–V6 are all present and usable, otherwise the usable leads
  /// themselves.
  static func components(_ leads: [[Double]?], leadNames: [String]) -> [[Double]] {
    let names = leadNames.map { $0.uppercased() }
    let inputs = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6"].map { name in names.firstIndex(of: name).flatMap { leads[$0] } }
    guard inputs.allSatisfy({ $0 != nil }) else { return leads.compactMap { $0 } }
    let l = inputs.map { $0! }
    let count = l[0].count
    return matrix.map { row in
      (0..<count).map { i in
        var v = 0.0
        for k in 0..<8 { v += row[k] * l[k][i] }
        return v
      }
    }
  }
}
