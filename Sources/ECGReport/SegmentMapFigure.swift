import Foundation

/// A lead × segment heatmap (SVG, pixels) as the glocal audit draws it: 12 lead rows, one
/// column per segment class, each cell coloured by its value, with significance dots,
/// expert-rule cells outlined and the top cells numbered.
public struct SegmentMapFigure: Sendable {
  /// Title above the map.
  public var title: String
  /// Row labels (leads, top to bottom).
  public var rows: [String]
  /// Column labels (segment classes, left to right).
  public var columns: [String]
  /// Values [row][column]; nil = no support (drawn grey).
  public var values: [[Double?]]
  /// Diverging colours (blue · white · red, symmetric about 0) instead of sequential ones.
  public var diverging = false
  /// Cells marked with a dot (e.g. Holm p < α), [row][column].
  public var marked: Set<[Int]> = []
  /// Cells outlined (e.g. the expert rule's cells).
  public var outlined: Set<[Int]> = []
  /// Cells outlined in a second style (e.g. the phantom's true evidence).
  public var outlinedSecondary: Set<[Int]> = []
  /// Cells numbered 1, 2, … in this order (e.g. the five highest).
  public var ranked: [[Int]] = []
  /// Label of the colour scale.
  public var scaleLabel = ""
  /// Cell size in pixels.
  public var cellWidth = 18.0, cellHeight = 15.0

  /// Creates a figure; `values` must be rows × columns.
  public init(title: String, rows: [String], columns: [String], values: [[Double?]]) {
    precondition(values.count == rows.count && values.allSatisfy { $0.count == columns.count }, "SegmentMapFigure: values must be rows × columns")
    (self.title, self.rows, self.columns, self.values) = (title, rows, columns, values)
  }

  /// The SVG text.
  public func svg() -> String {
    let left = 40.0, top = 30.0, labelHeight = 62.0
    let width = cellWidth * Double(columns.count), height = cellHeight * Double(rows.count)
    let totalWidth = left + width + 90, totalHeight = top + height + labelHeight
    let n = SVG.number
    let finite = values.flatMap { $0 }.compactMap { $0 }.filter(\.isFinite)
    let high = diverging ? max(finite.map(abs).max() ?? 1, 1e-12) : max(finite.max() ?? 1, 1e-12)
    let low = diverging ? -high : min(0, finite.min() ?? 0)
    func colour(_ v: Double?) -> String {
      guard let v, v.isFinite else { return "#d9d9d9" }
      return diverging ? SVG.diverging(v / high) : SVG.sequential((v - low) / max(high - low, 1e-12))
    }
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(totalWidth))" height="\(n(totalHeight))" viewBox="0 0 \(n(totalWidth)) \(n(totalHeight))" font-family="Helvetica, Arial, sans-serif" font-size="10">
      <text x="\(n(left))" y="16" font-size="12" font-weight="bold">\(SVG.escape(title))</text>

      """
    for (r, row) in values.enumerated() {
      let y = top + Double(r) * cellHeight
      out += "<text x=\"\(n(left - 4))\" y=\"\(n(y + cellHeight * 0.7))\" text-anchor=\"end\">\(SVG.escape(rows[r]))</text>"
      for (c, value) in row.enumerated() {
        let x = left + Double(c) * cellWidth
        let tip = "\(rows[r]) \(columns[c]): " + (value.map { String(format: "%.4g", $0) } ?? "no support")
        out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellWidth))\" height=\"\(n(cellHeight))\" fill=\"\(colour(value))\"><title>\(SVG.escape(tip))</title></rect>"
      }
      out += "\n"
    }
    for cell in outlinedSecondary.sorted(by: { $0.lexicographicallyPrecedes($1) }) where cell.count == 2 {
      out += "<rect x=\"\(n(left + Double(cell[1]) * cellWidth + 2))\" y=\"\(n(top + Double(cell[0]) * cellHeight + 2))\" width=\"\(n(cellWidth - 4))\" height=\"\(n(cellHeight - 4))\" fill=\"none\" stroke=\"#009E73\" stroke-width=\"1.5\" stroke-dasharray=\"2 1.5\"/>"
    }
    for cell in outlined.sorted(by: { $0.lexicographicallyPrecedes($1) }) where cell.count == 2 {
      out += "<rect x=\"\(n(left + Double(cell[1]) * cellWidth + 0.6))\" y=\"\(n(top + Double(cell[0]) * cellHeight + 0.6))\" width=\"\(n(cellWidth - 1.2))\" height=\"\(n(cellHeight - 1.2))\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.2\"/>"
    }
    for cell in marked.sorted(by: { $0.lexicographicallyPrecedes($1) }) where cell.count == 2 {
      out += "<circle cx=\"\(n(left + (Double(cell[1]) + 0.8) * cellWidth))\" cy=\"\(n(top + (Double(cell[0]) + 0.25) * cellHeight))\" r=\"2\" fill=\"#000\"/>"
    }
    for (i, cell) in ranked.enumerated() where cell.count == 2 {
      out += "<text x=\"\(n(left + (Double(cell[1]) + 0.5) * cellWidth))\" y=\"\(n(top + (Double(cell[0]) + 0.75) * cellHeight))\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"0.6\" paint-order=\"stroke\">\(i + 1)</text>"
    }
    out += "\n"
    for (c, label) in columns.enumerated() {
      let x = left + (Double(c) + 0.6) * cellWidth, y = top + height + 4
      out += "<text transform=\"translate(\(n(x)) \(n(y))) rotate(60)\" font-size=\"9\">\(SVG.escape(label))</text>"
    }
    // Colour scale.
    let sx = left + width + 14, steps = 20
    for i in 0..<steps {
      let t = 1 - Double(i) / Double(steps - 1)
      let v = low + (high - low) * t
      out += "<rect x=\"\(n(sx))\" y=\"\(n(top + Double(i) * height / Double(steps)))\" width=\"10\" height=\"\(n(height / Double(steps) + 0.5))\" fill=\"\(colour(v))\"/>"
    }
    out += "<text x=\"\(n(sx + 13))\" y=\"\(n(top + 8))\" font-size=\"9\">\(String(format: "%.2g", high))</text>"
    out += "<text x=\"\(n(sx + 13))\" y=\"\(n(top + height))\" font-size=\"9\">\(String(format: "%.2g", low))</text>"
    out += "<text transform=\"translate(\(n(sx + 40)) \(n(top + height / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"9\">\(SVG.escape(scaleLabel))</text>\n"
    return out + "</svg>\n"
  }
}
