import ECGConcepts
import Foundation

/// The TCAV figures of a run (SVG, self-contained):
/// - an overview per target: concepts × layers, each cell coloured by mean sign_count minus the
///   random CAVs' mean (red: the class output rises along the concept more often than along
///   random directions; blue: less), a dot where the test is significant after Bonferroni, and
///   the mean CAV accuracy per concept × layer as a grey panel;
/// - per concept → target pair (by default the paper's expected pairs): sign_count per layer
///   (mean ± SD over runs, red), the random CAVs' mean ± SD (grey band), the CAV hold-out accuracy
///   (dashed), and ↑/↓ marks at significant layers.
public struct TCAVFigure: Sendable {
  /// The analysis to draw.
  public var result: TCAVResult
  /// The concept → target pairs to draw in detail (default: the paper's expected pairs present).
  public var pairs: [(concept: String, target: String)]

  /// Creates the figure; `pairs` nil = the expected pairs of `ExpectedConceptPairs`.
  public init(result: TCAVResult, pairs: [(concept: String, target: String)]? = nil) {
    self.result = result
    let concepts = result.concepts.filter { $0.kind != "null" }.map(\.name)
    self.pairs = pairs ?? concepts.flatMap { c in
      result.targets.map(\.name).filter { ExpectedConceptPairs.contains(concept: c, target: $0) }.map { (c, $0) }
    }
  }

  /// Short layer labels: the last path component (`sequential.9` → `9`, `features.3` → `3`).
  var layerLabels: [String] { result.layers.map { String($0.name.split(separator: ".").last ?? Substring($0.name)) } }

  /// The overview SVG.
  public func overviewSVG() -> String {
    let concepts = result.concepts.filter { $0.kind != "null" }.map(\.name)
    let layers = result.layers.map(\.name)
    let cellW = 13.0, cellH = 12.0, labelW = 104.0, top = 58.0, gap = 22.0
    let panelW = Double(layers.count) * cellW
    let panels = result.targets.map(\.name) + ["CAV accuracy"]
    let width = labelW + Double(panels.count) * (panelW + gap) + 10
    let height = top + Double(concepts.count) * cellH + 74
    var cells: [String: TCAVResult.Cell] = [:]
    for c in result.cells { cells["\(c.concept)|\(c.layer)|\(c.target)"] = c }
    var accuracy: [String: Double] = [:]
    for a in result.accuracies { accuracy["\(a.concept)|\(a.layer)"] = a.mean }
    let n = SVG.number
    var out = svgHeader(width: width, height: height)
    out += "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">TCAV: sign_count of each concept's CAVs minus random CAVs', per layer</text>\n"
    out += "<text x=\"8\" y=\"31\" font-size=\"10\" fill=\"#444\">\(SVG.escape(caption()))</text>\n"
    var outlines = ""
    for (p, panel) in panels.enumerated() {
      let x0 = labelW + Double(p) * (panelW + gap)
      for (r, concept) in concepts.enumerated() where ExpectedConceptPairs.contains(concept: concept, target: panel) {
        outlines += "<rect x=\"\(n(x0 - 1))\" y=\"\(n(top + Double(r) * cellH))\" width=\"\(n(panelW + 2))\" height=\"\(n(cellH))\" fill=\"none\" stroke=\"#000\" stroke-width=\"0.9\"/>\n"
      }
      out += "<text x=\"\(n(x0 + panelW / 2))\" y=\"\(n(top - 16))\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\">\(SVG.escape(panel))</text>\n"
      for (l, label) in layerLabels.enumerated() {
        out += "<text x=\"\(n(x0 + (Double(l) + 0.5) * cellW))\" y=\"\(n(top - 4))\" font-size=\"7\" text-anchor=\"middle\" fill=\"#555\">\(SVG.escape(label))</text>\n"
      }
      for (r, concept) in concepts.enumerated() {
        let y = top + Double(r) * cellH
        if p == 0 {
          out += "<text x=\"\(n(labelW - 5))\" y=\"\(n(y + cellH - 3))\" font-size=\"9\" text-anchor=\"end\">\(SVG.escape(concept))</text>\n"
        }
        for (l, layer) in layers.enumerated() {
          let x = x0 + Double(l) * cellW
          if p == panels.count - 1 {
            let a = accuracy["\(concept)|\(layer)"] ?? .nan
            let shade = a.isNaN ? 255 : Int(255 - max(0, min(1, (a - 0.5) * 2)) * 200)
            out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellW))\" height=\"\(n(cellH))\" fill=\"rgb(\(shade),\(shade),\(shade))\" stroke=\"#fff\" stroke-width=\"0.5\"><title>\(SVG.escape(concept)) at \(SVG.escape(layer)): accuracy \(String(format: "%.2f", a))</title></rect>\n"
            continue
          }
          guard let c = cells["\(concept)|\(layer)|\(panel)"] else { continue }
          let d = c.meanSignCount - c.randomMeanSignCount
          out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellW))\" height=\"\(n(cellH))\" fill=\"\(SVG.diverging(d * 2))\" stroke=\"#fff\" stroke-width=\"0.5\"><title>\(SVG.escape(concept)) → \(SVG.escape(panel)) at \(SVG.escape(layer)): sign_count \(String(format: "%.2f", c.meanSignCount)) vs random \(String(format: "%.2f", c.randomMeanSignCount)), p(Bonferroni) \(c.pBonferroni.map { String(format: "%.1e", $0) } ?? "n/a")</title></rect>\n"
          if c.significant { out += "<circle cx=\"\(n(x + cellW / 2))\" cy=\"\(n(y + cellH / 2))\" r=\"2\" fill=\"#000\"/>\n" }
        }
      }
    }
    out += outlines
    // Legend.
    let ly = top + Double(concepts.count) * cellH + 22
    out += "<text x=\"8\" y=\"\(n(ly + 9))\" font-size=\"9\">sign_count − random:</text>\n"
    for (i, v) in [-0.5, -0.25, 0, 0.25, 0.5].enumerated() {
      let x = 110 + Double(i) * 46
      out += "<rect x=\"\(n(x))\" y=\"\(n(ly))\" width=\"14\" height=\"11\" fill=\"\(SVG.diverging(v * 2))\" stroke=\"#999\" stroke-width=\"0.4\"/><text x=\"\(n(x + 17))\" y=\"\(n(ly + 9))\" font-size=\"8\">\(v > 0 ? "+" : "")\(v)</text>\n"
    }
    out += "<circle cx=\"\(n(350))\" cy=\"\(n(ly + 5.5))\" r=\"2\" fill=\"#000\"/><text x=\"356\" y=\"\(n(ly + 9))\" font-size=\"9\">significant (\(result.settings.equalVariances ? "Student" : "Welch") t-test vs random CAVs, Bonferroni over \(result.bonferroniTests) tests, α = \(result.settings.alpha))</text>\n"
    out += "<rect x=\"8\" y=\"\(n(ly + 18))\" width=\"14\" height=\"11\" fill=\"none\" stroke=\"#000\" stroke-width=\"0.8\"/><text x=\"26\" y=\"\(n(ly + 27))\" font-size=\"9\">pair the paper expects · CAV accuracy: white 0.5 → dark 1.0 · layers: \(SVG.escape(layerLegend()))</text>\n"
    return out + "</svg>\n"
  }

  /// The per-pair SVG: small multiples, four per row.
  public func pairsSVG() -> String {
    let chartW = 230.0, chartH = 130.0, left = 34.0, gapX = 24.0, gapY = 46.0, top = 64.0
    let columns = max(1, min(4, pairs.count))
    let rows = (pairs.count + columns - 1) / columns
    let width = Double(columns) * (left + chartW + gapX) + 10
    let height = top + Double(max(rows, 1)) * (chartH + gapY) + 24
    let n = SVG.number
    var out = svgHeader(width: width, height: height)
    out += "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">TCAV sign_count per layer for the concept → class pairs the paper expects</text>\n"
    out += "<text x=\"8\" y=\"31\" font-size=\"10\" fill=\"#444\">red: concept CAVs, mean ± SD over \(result.settings.runs) runs; grey band: \(result.settings.randomRuns) random CAVs, mean ± SD; dashed: CAV hold-out accuracy; ↑/↓ significant (Bonferroni)</text>\n"
    if pairs.isEmpty { out += "<text x=\"8\" y=\"60\" font-size=\"11\">(no expected pair among these concepts and targets)</text>\n" }
    for (i, pair) in pairs.enumerated() {
      let x0 = 8 + left + Double(i % columns) * (left + chartW + gapX)
      let y0 = top + Double(i / columns) * (chartH + gapY)
      let cells = result.layers.map { layer in result.cells.first { $0.concept == pair.concept && $0.target == pair.target && $0.layer == layer.name } }
      let accuracies = result.layers.map { layer in result.accuracies.first { $0.concept == pair.concept && $0.layer == layer.name }?.mean }
      let count = Double(max(result.layers.count - 1, 1))
      func x(_ l: Int) -> Double { x0 + Double(l) / count * chartW }
      func y(_ v: Double) -> Double { y0 + chartH - max(0, min(1, v)) * chartH }
      out += "<text x=\"\(n(x0))\" y=\"\(n(y0 - 8))\" font-size=\"11\" font-weight=\"bold\">\(SVG.escape(pair.concept)) → \(SVG.escape(pair.target))</text>\n"
      out += "<rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(chartW))\" height=\"\(n(chartH))\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.6\"/>\n"
      for v in [0.0, 0.5, 1.0] {
        out += "<path d=\"M\(n(x0)) \(n(y(v)))h\(n(chartW))\" stroke=\"#ddd\" stroke-width=\"0.5\"/><text x=\"\(n(x0 - 4))\" y=\"\(n(y(v) + 3))\" font-size=\"8\" text-anchor=\"end\">\(v)</text>\n"
      }
      // Random band.
      let stats = cells.map { c in c.map { ($0.randomMeanSignCount, Self.sd($0.randomSignCounts), $0.meanSignCount, Self.sd($0.signCounts)) } }
      let upper = stats.enumerated().compactMap { l, s in s.map { "\(n(x(l))) \(n(y($0.0 + $0.1)))" } }
      let lower = stats.enumerated().reversed().compactMap { l, s in s.map { "\(n(x(l))) \(n(y($0.0 - $0.1)))" } }
      if !upper.isEmpty { out += "<path d=\"M\(upper.joined(separator: " L"))L\(lower.joined(separator: " L"))Z\" fill=\"#ccc\" fill-opacity=\"0.6\"/>\n" }
      let randomLine = stats.enumerated().compactMap { l, s in s.map { "\(n(x(l))) \(n(y($0.0)))" } }
      if !randomLine.isEmpty { out += "<path d=\"M\(randomLine.joined(separator: " L"))\" fill=\"none\" stroke=\"#888\" stroke-width=\"1\"/>\n" }
      let accuracyLine = accuracies.enumerated().compactMap { l, a in a.map { "\(n(x(l))) \(n(y($0)))" } }
      if !accuracyLine.isEmpty { out += "<path d=\"M\(accuracyLine.joined(separator: " L"))\" fill=\"none\" stroke=\"#2a7\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>\n" }
      let conceptLine = stats.enumerated().compactMap { l, s in s.map { "\(n(x(l))) \(n(y($0.2)))" } }
      if !conceptLine.isEmpty { out += "<path d=\"M\(conceptLine.joined(separator: " L"))\" fill=\"none\" stroke=\"#b2182b\" stroke-width=\"1.4\"/>\n" }
      for (l, s) in stats.enumerated() {
        guard let s, let c = cells[l] else { continue }
        out += "<path d=\"M\(n(x(l))) \(n(y(s.2 - s.3)))V\(n(y(s.2 + s.3)))\" stroke=\"#b2182b\" stroke-width=\"0.8\"/><circle cx=\"\(n(x(l)))\" cy=\"\(n(y(s.2)))\" r=\"1.8\" fill=\"#b2182b\"/>\n"
        if let direction = c.significantDirection {
          let up = direction == .above
          out += "<text x=\"\(n(x(l)))\" y=\"\(n(y0 + 9))\" font-size=\"9\" text-anchor=\"middle\" fill=\"\(up ? "#b2182b" : "#2166ac")\">\(up ? "↑" : "↓")</text>\n"
        }
      }
      for (l, label) in layerLabels.enumerated() where result.layers.count <= 20 || l % 2 == 0 {
        out += "<text x=\"\(n(x(l)))\" y=\"\(n(y0 + chartH + 10))\" font-size=\"7\" text-anchor=\"middle\" fill=\"#555\">\(SVG.escape(label))</text>\n"
      }
    }
    out += "<text x=\"8\" y=\"\(n(height - 8))\" font-size=\"9\" fill=\"#444\">layers: \(SVG.escape(layerLegend()))</text>\n"
    return out + "</svg>\n"
  }

  private func caption() -> String {
    let s = result.settings
    return "\(result.concepts.filter { $0.kind == "expert" }.count) concepts × \(result.layers.count) layers × \(result.targets.count) targets; " +
      "\(s.runs) CAVs per concept (\(s.classifier.rawValue)), \(s.randomRuns) random CAVs per size; dot: significant"
  }

  private func layerLegend() -> String {
    let names = result.layers.map(\.name)
    let prefixes = Set(names.map { $0.split(separator: ".").dropLast().joined(separator: ".") })
    return prefixes.count == 1 && !(prefixes.first ?? "").isEmpty ? "\(prefixes.first!).N" : names.joined(separator: ", ")
  }

  private func svgHeader(width: Double, height: Double) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVG.number(width))\" height=\"\(SVG.number(height))\" viewBox=\"0 0 \(SVG.number(width)) \(SVG.number(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
  }

  static func sd(_ x: [Double]) -> Double {
    guard x.count > 1 else { return 0 }
    let m = x.reduce(0, +) / Double(x.count)
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
  }
}
