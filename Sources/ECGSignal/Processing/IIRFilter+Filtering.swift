extension IIRFilter {
  /// Causal filtering of one signal (as `scipy.signal.sosfilt`), optionally from initial section
  /// states `[sections][2]` (direct form II transposed); returns the output and the final states.
  public func filter(_ x: [Double], initialStates: [[Double]]? = nil) -> (output: [Double], states: [[Double]]) {
    var y = x
    var states = initialStates ?? [[Double]](repeating: [0, 0], count: sections.count)
    precondition(states.count == sections.count && states.allSatisfy { $0.count == 2 }, "IIRFilter: one [z0, z1] state per section")
    for (k, s) in sections.enumerated() {
      let (b0, b1, b2, a1, a2) = (s[0], s[1], s[2], s[4], s[5])
      var z0 = states[k][0], z1 = states[k][1]
      for n in y.indices {
        let xn = y[n]
        let yn = b0 * xn + z0
        z0 = b1 * xn - a1 * yn + z1
        z1 = b2 * xn - a2 * yn
        y[n] = yn
      }
      states[k] = [z0, z1]
    }
    return (y, states)
  }

  /// Section states of the steady-state response to a unit step (as `scipy.signal.sosfilt_zi`).
  public var steadyStateStates: [[Double]] {
    var scale = 1.0
    return sections.map { s in
      let (b0, b1, b2, a1, a2) = (s[0], s[1], s[2], s[4], s[5])
      // lfilter_zi for a biquad: solve (I − companion(a)ᵀ) z = b[1:] − a[1:]·b0.
      let B0 = b1 - a1 * b0, B1 = b2 - a2 * b0
      let z0 = (B0 + B1) / (1 + a1 + a2)
      let z1 = B1 - a2 * z0
      defer { scale *= (b0 + b1 + b2) / (1 + a1 + a2) }
      return [z0 * scale, z1 * scale]
    }
  }

  /// The number of samples of odd extension `zeroPhase` adds at each end by default: SciPy's
  /// `sosfiltfilt` padlen, 3 × (2 × sections + 1 − number of first-order sections).
  public var defaultPadding: Int {
    let firstOrderB = sections.filter { $0[2] == 0 }.count
    let firstOrderA = sections.filter { $0[5] == 0 }.count
    return 3 * (2 * sections.count + 1 - min(firstOrderB, firstOrderA))
  }

  /// Zero-phase (forward-backward) filtering, equal to `scipy.signal.sosfiltfilt(sos, x)` with its
  /// defaults: odd extension by `padding` samples at both ends (default `defaultPadding`), initial
  /// states from the steady state scaled by the first sample, forward pass, backward pass.
  ///
  /// - Throws: `SignalError.signalTooShort` when the signal is not longer than the padding (SciPy
  ///   raises the same condition).
  public func zeroPhase(_ x: [Double], padding: Int? = nil) throws -> [Double] {
    let pad = padding ?? defaultPadding
    let extended = try Self.oddExtension(x, by: pad)
    let zi = steadyStateStates
    let forward = filter(extended, initialStates: zi.map { $0.map { $0 * extended[0] } }).output
    let reversed = Array(forward.reversed())
    let backward = filter(reversed, initialStates: zi.map { $0.map { $0 * reversed[0] } }).output
    return Array(backward.reversed()[pad..<(pad + x.count)])
  }

  /// Zero-phase filtering of every lead of a record (`Float` samples, computed in `Double`).
  public func zeroPhase(_ record: ECGRecord, padding: Int? = nil) throws -> ECGRecord {
    var out = record
    let n = record.sampleCount
    for lead in 0..<record.leadCount {
      let y = try zeroPhase(record.lead(lead).map(Double.init), padding: padding)
      for i in 0..<n { out.samples[lead * n + i] = Float(y[i]) }
    }
    return out
  }

  /// Zero-phase filtering with a transfer function b, a, equal to `scipy.signal.filtfilt(b, a, x)`
  /// with its defaults (odd extension by 3 × max(len(a), len(b)) samples, `lfilter_zi` states).
  ///
  /// - Precondition: `a[0] != 0`.
  /// - Throws: `SignalError.signalTooShort` when the signal is not longer than the padding.
  public static func zeroPhase(b: [Double], a: [Double], _ x: [Double], padding: Int? = nil) throws -> [Double] {
    precondition(!a.isEmpty && a[0] != 0 && !b.isEmpty, "filtfilt: a[0] must be nonzero")
    let n = max(a.count, b.count)
    let bn = (b + [Double](repeating: 0, count: n - b.count)).map { $0 / a[0] }
    let an = (a + [Double](repeating: 0, count: n - a.count)).map { $0 / a[0] }
    let pad = padding ?? 3 * n
    let extended = try oddExtension(x, by: pad)
    let zi = transferFunctionSteadyState(b: bn, a: an)
    let forward = directFormII(b: bn, a: an, extended, states: zi.map { $0 * extended[0] })
    let reversed = Array(forward.reversed())
    let backward = directFormII(b: bn, a: an, reversed, states: zi.map { $0 * reversed[0] })
    return Array(backward.reversed()[pad..<(pad + x.count)])
  }

  /// `scipy.signal.lfilter_zi`: solves (I − companion(a)ᵀ) z = b[1:] − a[1:] b[0] (a[0] = 1).
  static func transferFunctionSteadyState(b: [Double], a: [Double]) -> [Double] {
    let m = a.count - 1
    guard m > 0 else { return [] }
    var matrix = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0..<m {
      matrix[i][i] += 1
      matrix[i][0] += a[i + 1]  // −companionᵀ: first column is +a[1:]
      if i + 1 < m { matrix[i][i + 1] -= 1 }
    }
    var rhs = (0..<m).map { b[$0 + 1] - a[$0 + 1] * b[0] }
    // Gaussian elimination with partial pivoting.
    for col in 0..<m {
      let pivot = (col..<m).max { abs(matrix[$0][col]) < abs(matrix[$1][col]) }!
      matrix.swapAt(col, pivot)
      rhs.swapAt(col, pivot)
      for row in (col + 1)..<m where matrix[row][col] != 0 {
        let f = matrix[row][col] / matrix[col][col]
        for k in col..<m { matrix[row][k] -= f * matrix[col][k] }
        rhs[row] -= f * rhs[col]
      }
    }
    var z = [Double](repeating: 0, count: m)
    for row in stride(from: m - 1, through: 0, by: -1) {
      var s = rhs[row]
      for k in (row + 1)..<m { s -= matrix[row][k] * z[k] }
      z[row] = s / matrix[row][row]
    }
    return z
  }

  /// `scipy.signal.lfilter` (direct form II transposed, a[0] = 1) from the given states.
  static func directFormII(b: [Double], a: [Double], _ x: [Double], states: [Double]) -> [Double] {
    var z = states + [0]
    let m = b.count - 1
    var y = [Double](repeating: 0, count: x.count)
    for n in x.indices {
      let xn = x[n]
      let yn = b[0] * xn + z[0]
      for k in 0..<m { z[k] = b[k + 1] * xn - a[k + 1] * yn + z[k + 1] }
      y[n] = yn
    }
    return y
  }

  /// SciPy's `odd_ext`: 2·x[0] − x[pad…1] before and 2·x[last] − x[last−1…last−pad] after.
  static func oddExtension(_ x: [Double], by pad: Int) throws -> [Double] {
    guard pad >= 0 else { throw SignalError.invalidFilter("padding must not be negative") }
    guard x.count > pad else {
      throw SignalError.signalTooShort("zero-phase filtering needs more than \(pad) samples (the padding), got \(x.count)")
    }
    guard pad > 0 else { return x }
    let last = x.count - 1
    var out = [Double]()
    out.reserveCapacity(x.count + 2 * pad)
    for i in stride(from: pad, through: 1, by: -1) { out.append(2 * x[0] - x[i]) }
    out += x
    for i in 1...pad { out.append(2 * x[last] - x[last - i]) }
    return out
  }
}
