@testable import ECGReport
import ECGSignal
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The report's building blocks are well-formed, draw what they are given and load nothing
/// from outside the page.
@Suite struct ReportFiguresTests {
  @Test func segmentMapDrawsACellPerValueWithItsMarks() {
    let values: [[Double?]] = [[0.1, 0.5, nil], [0.9, 0.0, 0.3]]
    var map = SegmentMapFigure(title: "LVH <top>", rows: ["I", "II"], columns: ["P", "QRS", "T"], values: values)
    map.marked = [[1, 0]]
    map.outlined = [[0, 1], [1, 1]]
    map.ranked = [[1, 0], [0, 1]]
    let svg = map.svg()
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.components(separatedBy: "<title>").count - 1 == 6, "one hoverable cell per value")
    #expect(svg.contains("<title>I T: no support</title>") && svg.contains("fill=\"#d9d9d9\""), "no support is grey")
    #expect(svg.components(separatedBy: "<circle").count - 1 == 1)
    #expect(svg.components(separatedBy: "stroke=\"#000\" stroke-width=\"1.2\"").count - 1 == 2, "rule cells outlined")
    #expect(svg.contains(">1</text>") && svg.contains(">2</text>") && !svg.contains(">3</text>"))
    #expect(svg.contains("LVH &lt;top&gt;"), "text is escaped")
    var difference = map
    difference.values = [[-1, 0, 1], [0.5, -0.5, nil]]
    difference.diverging = true
    #expect(difference.svg().contains("rgb(178,24,43)") && difference.svg().contains("rgb(33,102,172)"), "±max are full red and blue")
  }

  @Test func lineFigureTicksAreRoundAndCoverTheRange() {
    func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 } }
    #expect(close(LineFigure.ticks(0...1), [0, 0.2, 0.4, 0.6, 0.8, 1]))
    #expect(close(LineFigure.ticks(-300...500), [-200, 0, 200, 400]))
    let figure = LineFigure(title: "ROC", xLabel: "FPR", yLabel: "TPR", xRange: 0...1, yRange: 0...1,
                            series: [.init(name: "MI 0.90", points: [(0, 0), (0.1, 0.8), (1, 1)]), .init(name: "chance", points: [(0, 0), (1, 1)], dashed: true)])
    let svg = figure.svg()
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.contains(">MI 0.90<") && svg.contains("stroke-dasharray"))
  }

  @Test func relevanceOverlayIsScaledByThe99thPercentileAndDrawnInBands() throws {
    let samples = 1000
    var attribution = [Float](repeating: 0, count: 12 * samples)
    for i in 200..<260 { attribution[i] = -2 }  // lead I, 0.6 s of strong (negative) relevance
    let leads = FeatureTable.leadNames
    let relevance = ClinicalECGPlot.normalisedRelevance(attribution, leadNames: leads, samples: samples)
    #expect(relevance["I"]?[230] == 1 && relevance["II"]?[230] == 0, "|A| scaled, per lead")
    var plot = ClinicalECGPlot()
    plot.relevance = relevance
    let record = ECGRecord(name: "t", leadNames: leads, samplingRateHz: 100, samples: [Float](repeating: 0, count: 12 * samples))
    let svg = try plot.svg(record, title: "overlay")
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.components(separatedBy: "fill-opacity=\"0.8\"").count - 1 == 1, "one merged band for the run of equal level")
  }

  @Test func reportIsOnePageWithNumberedFiguresAndNoExternalResource() {
    var report = HTMLReport(title: "run <1>", subtitle: ["a & b"])
    report.sections = [
      .init(id: "models", title: "Models", blocks: [.table(header: ["class", "AUC"], rows: [["MI", "0.90"]], numeric: true),
                                                    .figures(["<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"], caption: "ROC")]),
      .init(id: "audit", title: "Audit", blocks: [.paragraph("x < y"), .figures(["<?xml version=\"1.0\"?><svg></svg>"], caption: "maps")]),
    ]
    let html = report.html()
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<style>"))
    #expect(html.contains("<b>Figure 1.</b> ROC") && html.contains("<b>Figure 2.</b> maps"))
    #expect(html.contains("run &lt;1&gt;") && html.contains("a &amp; b") && html.contains("x &lt; y"))
    #expect(!html.contains("<?xml"), "SVG declarations are dropped when inlined")
    #expect(html.contains("<td class=\"n\">0.90</td>"))
    for external in ["<script", "<link", "src=\"http", "@import", "url("] { #expect(!html.contains(external)) }
  }
}
