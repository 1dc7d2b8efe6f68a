/// Small helpers every figure of ECGReport writes its SVG with.
enum SVG {
  /// A coordinate with at most two decimals, integers without a point.
  static func number(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(r)
  }

  /// Text with XML's special characters escaped.
  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }

  /// A diverging colour for v in [−1, 1]: blue (−1) · white (0) · red (+1) (ColorBrewer RdBu).
  static func diverging(_ v: Double) -> String {
    let t = max(-1, min(1, v))
    let (r, g, b) = t >= 0 ? (178.0, 24.0, 43.0) : (33.0, 102.0, 172.0)
    let a = abs(t)
    func mix(_ c: Double) -> Int { Int((255 + (c - 255) * a).rounded()) }
    return "rgb(\(mix(r)),\(mix(g)),\(mix(b)))"
  }
}
