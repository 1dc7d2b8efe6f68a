import ECGConcepts
import ECGReport
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The TCAV figures are well-formed SVG that mark exactly the significant cells and the
/// expected pairs.
@Suite struct TCAVFigureTests {
  /// A small result as `tcav.json` stores it: R56-LVH significant for LVH at sequential.9.
  static func result() -> TCAVResult {
    func cell(_ concept: String, _ layer: String, significant: Bool, mean: Double) -> String {
      """
      {"concept": "\(concept)", "layer": "\(layer)", "target": "LVH", "signCounts": [\(mean), \(mean), \(mean)],
       "magnitudes": [0.1, 0.1, 0.1], "randomSignCounts": [0.4, 0.6, 0.5, 0.5], "meanSignCount": \(mean),
       "randomMeanSignCount": 0.5, "t": 3, "p": 0.001, "pBonferroni": \(significant ? 0.004 : 0.2), "cohensD": 2,
       "significant": \(significant)}
      """
    }
    let settings = String(decoding: try! JSONEncoder().encode(TCAVSettings(runs: 3, randomRuns: 4)), as: UTF8.self)
    let json = """
      {"settings": \(settings),
       "concepts": [{"name": "R56-LVH", "kind": "expert", "examples": 60, "nonExamples": 900, "perRun": 20, "disjointRuns": true},
                    {"name": "Sex", "kind": "expert", "examples": 480, "nonExamples": 480, "perRun": 48, "disjointRuns": true}],
       "skipped": {}, "layers": [{"name": "sequential.2", "features": 3936}, {"name": "sequential.9", "features": 640}],
       "targets": [{"name": "LVH", "output": 10, "inputs": 50}],
       "cells": [\(cell("R56-LVH", "sequential.2", significant: false, mean: 0.55)), \(cell("R56-LVH", "sequential.9", significant: true, mean: 1)),
                 \(cell("Sex", "sequential.2", significant: false, mean: 0.5)), \(cell("Sex", "sequential.9", significant: false, mean: 0.45))],
       "accuracies": [{"concept": "R56-LVH", "layer": "sequential.9", "runs": [0.9, 0.95, 1], "mean": 0.95}],
       "bonferroniTests": 4}
      """
    return try! JSONDecoder().decode(TCAVResult.self, from: Data(json.utf8))
  }

  func isWellFormed(_ svg: String) -> Bool { XMLParser(data: Data(svg.utf8)).parse() }

  @Test func overviewMarksSignificantCellsAndExpectedPairs() {
    let svg = TCAVFigure(result: Self.result()).overviewSVG()
    #expect(isWellFormed(svg))
    // One significance dot (R56-LVH at sequential.9) plus the legend's.
    #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
    #expect(svg.contains("R56-LVH → LVH at sequential.9: sign_count 1.00 vs random 0.50"))
    #expect(svg.components(separatedBy: "stroke-width=\"0.9\"").count - 1 == 1, "one expected pair outlined (R56-LVH → LVH, not Sex)")
  }

  @Test func pairsShowTheExpectedPairOnly() {
    let figure = TCAVFigure(result: Self.result())
    #expect(figure.pairs.map(\.concept) == ["R56-LVH"])
    let svg = figure.pairsSVG()
    #expect(isWellFormed(svg))
    #expect(svg.contains("R56-LVH → LVH") && !svg.contains("Sex → LVH"))
    #expect(svg.contains("↑"), "the significant layer is marked")
  }
}
