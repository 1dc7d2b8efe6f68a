import ECGAudit
import ECGConcepts
import ECGDiscovery
import ECGEvaluate
import ECGExplain
import ECGReport
import Foundation

/// The terminal summary at the end of `ecgxai run` / `demo`, read back from the run directory's
/// typed result files (so a resumed run prints the same summary): model AUCs, the sanity
/// ranking, top glocal cells against the expert rules, significant concepts, discovery ARI, the
/// report path. A file that is absent or does not decode is left out.
struct RunSummary {
  let runURL: URL

  func print(seconds: Double) throws {
    let run = RunDirectory(runURL)
    let f2 = { (x: Double) in String(format: "%.2f", x) }
    var lines = ["", "summary of \(runURL.path)"]
    let evaluations = run.files("evaluation-", ".json").compactMap { run.decode(TaskEvaluation.self, $0) }
    for e in evaluations.sorted(by: { $0.model < $1.model }) {
      lines.append("  model \(e.model) (\(e.architecture), \(e.task)): test macro-AUC \(e.test.macroAUC.map(f2) ?? "n/a")")
    }
    for name in run.files("sanity-", ".json") {
      guard let s = run.decode(SanityResult.self, name) else { continue }
      let r2 = s.testR2.mean.isFinite ? f2(s.testR2.mean) : "n/a"
      lines.append("  sanity \(s.task.rawValue) (R² \(r2)): ranking "
        + s.ranking.map { "\($0.method) \(String(format: "%.1f", $0.meanRank))" }.joined(separator: ", "))
    }
    if let audit = run.decode(AuditSummary.self, "audit.json") {
      for c in audit.conditions {
        let top = c.fine.topCells.prefix(3).map { "\($0.cell)\($0.ruleCell ? "*" : "")" }
        lines.append("  audit \(c.condition): top cells \(top.joined(separator: ", ")) (* = expert-rule cell); "
          + "rule enrichment AUC \(c.fine.rules?.enrichmentAUC.map(f2) ?? "n/a")" + (c.fine.truth?.enrichmentAUC.map { ", true-evidence AUC \(f2($0))" } ?? ""))
      }
    }
    if let tcav = run.decode(TCAVResult.self, "tcav.json") {
      var layersByPair: [String: Int] = [:]
      for cell in tcav.cells where cell.significantDirection == .above {
        layersByPair["\(cell.concept) → \(cell.target)", default: 0] += 1
      }
      let shown = layersByPair.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(8)
      lines.append("  TCAV: \(layersByPair.count) concept → class pairs significant (↑, Bonferroni) in ≥ 1 of \(tcav.layers.count) layers"
        + (shown.isEmpty ? "" : ": " + shown.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")))
    }
    if let d = run.decode(DiscoveryResult.self, "discovery.json") {
      for truth in ["subtypes", "planted territory"] {
        var best: [String: (ari: Double, algorithm: String)] = [:]
        for r in d.results {
          guard let ari = r.scores[truth]?.ari else { continue }
          if ari > best[r.representation]?.ari ?? -.infinity { best[r.representation] = (ari, r.algorithm) }
        }
        guard !best.isEmpty else { continue }
        let subtypes = d.subtypes.joined(separator: "/")
        lines.append("  discovery \(d.className) (\(d.records) records) vs \(truth == "subtypes" ? subtypes + " labels" : "the planted " + subtypes + " territory"): best ARI "
          + best.sorted { $0.value.ari > $1.value.ari }.map { "\($0.key) \(f2($0.value.ari)) (\($0.value.algorithm))" }.joined(separator: ", "))
      }
    }
    let report = runURL.appendingPathComponent("report.html")
    if FileManager.default.fileExists(atPath: report.path) { lines.append("  report: \(report.path)") }
    lines.append(String(format: "done in %.1f s", seconds))
    Swift.print(lines.joined(separator: "\n"))
  }
}
