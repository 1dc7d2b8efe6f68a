import Foundation

/// A line chart in one panel (SVG, pixels): series of (x, y) points over linear axes with ticks,
/// a legend and optional shaded x-intervals. ROC curves and the sanity checks' temporal
/// relevance profiles are drawn with it.
public struct LineFigure: Sendable {
  /// One line.
  public struct Series: Sendable {
    /// Legend text.
    public var name: String
    /// Points in data units, drawn in order.
    public var points: [(x: Double, y: Double)]
    /// Dashed (a reference such as the mean beat or the chance diagonal).
    public var dashed: Bool
    /// Colour; nil = the palette colour of its position.
    public var colour: String?

    /// Creates a series.
    public init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false, colour: String? = nil) {
      (self.name, self.points, self.dashed, self.colour) = (name, points, dashed, colour)
    }
  }

  /// Title above the panel.
  public var title: String
  /// Axis labels.
  public var xLabel: String, yLabel: String
  /// Axis ranges in data units.
  public var xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
  /// The lines.
  public var series: [Series]
  /// Shaded x-intervals with a label (e.g. the true wave window).
  public var bands: [(range: ClosedRange<Double>, label: String)] = []
  /// Panel size in pixels (plot area).
  public var width = 300.0, height = 220.0

  /// Creates a figure.
  public init(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, series: [Series]) {
    (self.title, self.xLabel, self.yLabel, self.xRange, self.yRange, self.series) = (title, xLabel, yLabel, xRange, yRange, series)
  }

  /// Five or six round tick values covering `range`.
  static func ticks(_ range: ClosedRange<Double>) -> [Double] {
    let span = range.upperBound - range.lowerBound
    guard span > 0 else { return [range.lowerBound] }
    let raw = span / 5
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    var out: [Double] = []
    var t = ceil(range.lowerBound / step) * step
    while t <= range.upperBound + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
    return out
  }

  /// The SVG text.
  public func svg() -> String {
    let left = 48.0, top = 26.0, legendWidth = 150.0
    let totalWidth = left + width + 12 + legendWidth, totalHeight = top + height + 40
    func px(_ x: Double) -> Double { left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * width }
    func py(_ y: Double) -> Double { top + height - (min(max(y, yRange.lowerBound), yRange.upperBound) - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * height }
    let n = SVG.number
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(totalWidth))" height="\(n(totalHeight))" viewBox="0 0 \(n(totalWidth)) \(n(totalHeight))" font-family="Helvetica, Arial, sans-serif" font-size="11">
      <text x="\(n(left))" y="15" font-size="12" font-weight="bold">\(SVG.escape(title))</text>

      """
    for band in bands {
      let a = px(max(band.range.lowerBound, xRange.lowerBound)), b = px(min(band.range.upperBound, xRange.upperBound))
      out += "<rect x=\"\(n(a))\" y=\"\(n(top))\" width=\"\(n(max(0, b - a)))\" height=\"\(n(height))\" fill=\"#ffd54f\" fill-opacity=\"0.35\"/>\n"
      out += "<text x=\"\(n((a + b) / 2))\" y=\"\(n(top + 11))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#7a5c00\">\(SVG.escape(band.label))</text>\n"
    }
    out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.8\"/>\n"
    for t in Self.ticks(xRange) {
      out += "<path d=\"M\(n(px(t))) \(n(top + height))v4\" stroke=\"#333\"/><text x=\"\(n(px(t)))\" y=\"\(n(top + height + 15))\" text-anchor=\"middle\">\(n(t))</text>\n"
    }
    for t in Self.ticks(yRange) {
      out += "<path d=\"M\(n(left - 4)) \(n(py(t)))h4\" stroke=\"#333\"/><text x=\"\(n(left - 6))\" y=\"\(n(py(t) + 4))\" text-anchor=\"end\">\(n(t))</text>\n"
    }
    out += "<text x=\"\(n(left + width / 2))\" y=\"\(n(top + height + 32))\" text-anchor=\"middle\">\(SVG.escape(xLabel))</text>\n"
    out += "<text transform=\"translate(12 \(n(top + height / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVG.escape(yLabel))</text>\n"
    for (i, s) in series.enumerated() where !s.points.isEmpty {
      let colour = s.colour ?? SVG.categorical(i)
      let d = s.points.enumerated().map { ($0.offset == 0 ? "M" : "L") + "\(n(px($0.element.x))) \(n(py($0.element.y)))" }.joined()
      out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(s.dashed ? 1.2 : 1.8)\"\(s.dashed ? " stroke-dasharray=\"4 3\"" : "")/>\n"
      let ly = top + 8 + Double(i) * 16
      out += "<path d=\"M\(n(left + width + 12)) \(n(ly))h18\" stroke=\"\(colour)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"4 3\"" : "")/>"
      out += "<text x=\"\(n(left + width + 34))\" y=\"\(n(ly + 4))\">\(SVG.escape(s.name))</text>\n"
    }
    return out + "</svg>\n"
  }
}
