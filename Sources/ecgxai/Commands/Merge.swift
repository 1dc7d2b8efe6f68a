import ArgumentParser
import ECGAudit
import ECGAuditStore
import Foundation

/// The audit's table on standard output.
func printSummary(_ summary: AuditSummary) {
  let s = summary.settings
  print("\(summary.records) records; groups: \(s.selection == "top" ? "top \(s.topN) by predicted score" : "labelled records"); reference \(s.reference)")
  func scores(_ a: AlignmentScores?) -> String {
    guard let a else { return "—" }
    return String(format: "enrichment AUC %@  rank %.2f  share %.2f vs chance %.2f (%.1f×)  top-5 %d  significant %d/%d  median p %@",
      a.enrichmentAUC.map { String(format: "%.3f", $0) } ?? "n/a", a.meanRankPercentile, a.relevanceShare, a.chanceShare, a.enrichment,
      a.topFiveInSet, a.significantCells, a.cells, a.medianHolmP.map { String(format: "%.1e", $0) } ?? "n/a")
  }
  for c in summary.conditions {
    print("  \(c.condition) (n \(c.n), \(c.labelled) labelled; reference n \(c.referenceN)): \(c.fine.significantCells) of 288 cells enriched (Holm p < \(s.alpha))")
    if c.zeroRelevance + c.referenceZeroRelevance > 0 {
      print("    attribution zero everywhere (no density, not tested): \(c.zeroRelevance) of the group, \(c.referenceZeroRelevance) of the reference")
    }
    for m in [c.fine, c.coarse] {
      print("    \(m.view.rawValue) top-5: " + m.topCells.map { $0.cell + ($0.ruleCell ? "*" : "") + ($0.evidenceCell == true ? "†" : "") }.joined(separator: ", ") + "   (* rule, † truth)")
      print("      vs rules: " + scores(m.rules))
      if m.truth != nil { print("      vs truth: " + scores(m.truth)) }
    }
  }
}

/// `ecgxai merge`: combine the partial results of a sharded audit.
struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Combine the partial results of `ecgxai audit --shard i/n` into results.sqlite and audit.json.",
    discussion: """
      Reads RUN/audit/partial-*-of-N.sqlite (or the files given with --parts), checks that every
      shard 1…N is there once and that all were made with the same settings and the same model
      weights (SHA-256; shards of different models are refused, naming both), and runs the
      analysis: the result is byte for byte the one an unsharded `ecgxai audit` writes.
      Example: ecgxai merge runs/ptbxl
      """)

  @Argument(help: "Run directory.") var runDirectory: String
  @Option(parsing: .upToNextOption, help: "Partial result files (default RUN/audit/partial-*.sqlite).") var parts: [String] = []
  @Option(help: "Expert rules file (YAML); default the built-in rules.") var rules: String?

  func run() throws {
    let runURL = URL(fileURLWithPath: runDirectory)
    try prepareRunDirectory(runURL)
    var files = parts
    if files.isEmpty {
      let folder = runURL.appendingPathComponent("audit")
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      files = names.filter { $0.hasPrefix("partial-") && $0.hasSuffix(".sqlite") }.sorted().map { folder.appendingPathComponent($0).path }
      guard !files.isEmpty else { throw CLIError("no partial results in \(folder.path); run `ecgxai audit \(runDirectory) --shard i/n` first") }
    }
    let partials = try files.map { try AuditStore.readPartial(URL(fileURLWithPath: $0)) }
    print("merging \(partials.count) partial results (\(partials.map(\.records.count).reduce(0, +)) records)")
    let started = Date()
    try writeAuditResults(try AuditAnalysis(parts: partials, rules: try loadRules(rules)), runURL: runURL)
    try recordInManifest(runURL, settings: partials[0].settings, rules: rules, seconds: ["merge": Date().timeIntervalSince(started)], shards: partials.count)
  }
}
