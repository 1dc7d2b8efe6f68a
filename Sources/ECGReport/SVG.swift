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

  /// A sequential colour for t in [0, 1]: white (0) · yellow · orange · red · dark red (1)
  /// (ColorBrewer YlOrRd anchors, linearly interpolated).
  static func sequential(_ t: Double) -> String { interpolate(t, [(255, 255, 255), (254, 224, 144), (253, 141, 60), (227, 26, 28), (128, 0, 38)]) }

  /// A blue sequential colour for t in [0, 1]: white (0) · light blue · blue · navy (1)
  /// (ColorBrewer Blues anchors) — contrasts with the red ECG grid.
  static func sequentialBlue(_ t: Double) -> String { interpolate(t, [(247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107)]) }

  private static func interpolate(_ t: Double, _ anchors: [(Double, Double, Double)]) -> String {
    let x = max(0, min(1, t.isFinite ? t : 0)) * Double(anchors.count - 1)
    let i = min(anchors.count - 2, Int(x)), w = x - Double(i)
    func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * w).rounded()) }
    let (a, b) = (anchors[i], anchors[i + 1])
    return "rgb(\(mix(a.0, b.0)),\(mix(a.1, b.1)),\(mix(a.2, b.2)))"
  }

  /// A categorical colour (Okabe–Ito, colour-blind safe) for series `i`.
  static func categorical(_ i: Int) -> String {
    let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
    return palette[((i % palette.count) + palette.count) % palette.count]
  }
}
