import ECGConcepts
import Foundation

/// The terminal summary at the end of `ecgxai run` / `demo`, read back from the run directory's
/// result files (so a resumed run prints the same summary): model AUCs, the sanity ranking, top
/// glocal cells against the expert rules, significant concepts, discovery ARI, the report path.
struct RunSummary {
  let runURL: URL

  /// A JSON object of the run directory, or nil when the file is absent or not an object.
  func json(_ name: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: runURL.appendingPathComponent(name).path) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
  }

  func print(seconds: Double) throws {
    let f2 = { (x: Double) in String(format: "%.2f", x) }
    var lines = ["", "summary of \(runURL.path)"]
    let files = (try? FileManager.default.contentsOfDirectory(atPath: runURL.path)) ?? []
    let evaluations = files.filter { $0.hasPrefix("evaluation-") && $0.hasSuffix(".json") }.compactMap { json($0) }
    for e in evaluations.sorted(by: { ($0["model"] as? String ?? "") < ($1["model"] as? String ?? "") }) {
      guard let test = e["test"] as? [String: Any] else { continue }
      let macro = (test["macro_auc"] as? Double).map(f2) ?? "n/a"
      lines.append("  model \(e["model"] as? String ?? "?") (\(e["arch"] as? String ?? "?"), \(e["task"] as? String ?? "?")): test macro-AUC \(macro)")
    }
    for name in files.filter({ $0.hasPrefix("sanity-") && $0.hasSuffix(".json") }).sorted() {
      guard let s = json(name), let ranking = s["ranking"] as? [[String: Any]] else { continue }
      let r2 = ((s["test_r2"] as? [String: Any])?["mean"] as? Double).map(f2) ?? "n/a"
      lines.append("  sanity \(s["task"] as? String ?? "?") (R² \(r2)): ranking "
        + ranking.map { "\($0["method"] as? String ?? "?") \(String(format: "%.1f", $0["mean_rank"] as? Double ?? .nan))" }.joined(separator: ", "))
    }
    if let audit = json("audit.json"), let conditions = audit["conditions"] as? [[String: Any]] {
      for c in conditions {
        guard let fine = c["fine"] as? [String: Any] else { continue }
        let top = (fine["topCells"] as? [[String: Any]] ?? []).prefix(3).map { cell in
          "\(cell["cell"] as? String ?? "?")\((cell["ruleCell"] as? Bool) == true ? "*" : "")"
        }
        let rules = (fine["rules"] as? [String: Any])?["enrichmentAUC"] as? Double
        let truth = (fine["truth"] as? [String: Any])?["enrichmentAUC"] as? Double
        lines.append("  audit \(c["condition"] as? String ?? "?"): top cells \(top.joined(separator: ", ")) (* = expert-rule cell); "
          + "rule enrichment AUC \(rules.map(f2) ?? "n/a")" + (truth.map { ", true-evidence AUC \(f2($0))" } ?? ""))
      }
    }
    if let tcav = json("tcav.json"), let cells = tcav["cells"] as? [[String: Any]] {
      var layersByPair: [String: Int] = [:]
      for cell in cells where TCAVResult.Cell.significantDirection(
        significant: (cell["significant"] as? Bool) == true, meanSignCount: cell["meanSignCount"] as? Double ?? .nan,
        randomMeanSignCount: cell["randomMeanSignCount"] as? Double ?? .nan) == .above {
        layersByPair["\(cell["concept"] as? String ?? "?") → \(cell["target"] as? String ?? "?")", default: 0] += 1
      }
      let layerCount = (tcav["layers"] as? [Any])?.count ?? 0
      let shown = layersByPair.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(8)
      lines.append("  TCAV: \(layersByPair.count) concept → class pairs significant (↑, Bonferroni) in ≥ 1 of \(layerCount) layers"
        + (shown.isEmpty ? "" : ": " + shown.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")))
    }
    if let d = json("discovery.json"), let results = d["results"] as? [[String: Any]] {
      for truth in ["subtypes", "planted territory"] {
        var best: [String: (ari: Double, algorithm: String)] = [:]
        for r in results {
          guard let rep = r["representation"] as? String, let alg = r["algorithm"] as? String,
            let ari = ((r["scores"] as? [String: Any])?[truth] as? [String: Any])?["ari"] as? Double else { continue }
          if ari > best[rep]?.ari ?? -.infinity { best[rep] = (ari, alg) }
        }
        guard !best.isEmpty else { continue }
        let subtypes = (d["subtypes"] as? [String])?.joined(separator: "/") ?? "subtypes"
        lines.append("  discovery \(d["class"] as? String ?? "?") (\(d["records"] as? Int ?? 0) records) vs \(truth == "subtypes" ? subtypes + " labels" : "the planted " + subtypes + " territory"): best ARI "
          + best.sorted { $0.value.ari > $1.value.ari }.map { "\($0.key) \(f2($0.value.ari)) (\($0.value.algorithm))" }.joined(separator: ", "))
      }
    }
    let report = runURL.appendingPathComponent("report.html")
    if FileManager.default.fileExists(atPath: report.path) { lines.append("  report: \(report.path)") }
    lines.append(String(format: "done in %.1f s", seconds))
    Swift.print(lines.joined(separator: "\n"))
  }
}
