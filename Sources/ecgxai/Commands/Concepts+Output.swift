import ECGConcepts
import ECGReport
import ECGSignal
import Foundation

/// What `ecgxai concepts` and the pipeline's concepts step share around `TCAVStudy`: reading
/// features.csv, the printed lines, the files beside the study's own (figures, manifest entry),
/// and the command's wording of the study's errors.
extension Concepts {
  /// The numeric cells of features.csv rows with status ok, by ecg_id, for the records the
  /// settings select.
  static func readFeatures(
    _ path: String, runURL: URL, dataset: PTBXLDataset, settings: TCAVStudy.Settings
  ) throws -> (columns: [String], values: [Int: [String: Double]]) {
    let url = URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw CLIError("no features file \(url.path) (run `ecgxai features --data \(runURL.path)/data --out \(url.path)` first)")
    }
    let ids = Set(settings.records(in: dataset).map { dataset.entries[$0].ecgID })
    do { return try FeatureTable.measuredValues(at: url, keep: ids.contains) } catch let error as CSVError { throw CLIError(error.description) }
  }

  /// The line printed before the study runs.
  static func headline(_ study: TCAVStudy, runURL: URL, split: String) -> String {
    let s = study.settings.analysis
    return "concepts \(runURL.path): \(study.records.count) records (\(split)), \(study.model.architecture.name), \(study.concepts.count) concepts, "
      + "targets \(study.targets.map(\.name).joined(separator: ", ")), \(s.classifier.rawValue) CAVs, R = \(s.runs)"
  }

  /// Writes tcav.json and the CAVs (`TCAVStudy.Output.write`), the figures
  /// concepts/tcav-overview.svg and tcav-pairs.svg and the manifest entry, then prints the summary.
  static func save(_ output: TCAVStudy.Output, of study: TCAVStudy, runURL: URL, split: String, started: Date) throws {
    try output.write(to: runURL)
    let directory = runURL.appendingPathComponent("concepts")
    let figure = TCAVFigure(result: output.result)
    try Data(figure.overviewSVG().utf8).writeAtomically(to: directory.appendingPathComponent("tcav-overview.svg"))
    try Data(figure.pairsSVG().utf8).writeAtomically(to: directory.appendingPathComponent("tcav-pairs.svg"))
    let seconds = Date().timeIntervalSince(started)
    let s = study.settings
    try updateManifest(runURL, key: "concepts", value: [
      "outputs": ["tcav.json", "concepts/cavs.safetensors", "concepts/tcav-overview.svg", "concepts/tcav-pairs.svg"], "records": study.records.count,
      "split": split, "crop": s.cropSamples, "classifier": s.analysis.classifier.rawValue, "runs": s.analysis.runs, "timings_s": ["total": seconds],
    ])
    printSummary(output.result)
    print(String(format: "wrote %@/tcav.json and concepts/{cavs.safetensors,tcav-overview.svg,tcav-pairs.svg} in %.1f s", runURL.path, seconds))
  }
}

/// Words the errors of `TCAVStudy` as `ecgxai concepts` always has (naming its options).
struct ConceptsErrorContext {
  /// The --split value.
  var split: String
  /// The features file.
  var features: String
  /// The --queries file.
  var queries: String?

  /// Runs `body`, turning library errors into `CLIError`s.
  func mapped<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as TCAVStudyError {
      switch error {
      case .noRecordWithFeatures: throw CLIError("no record of the \(split) split has features in \(features)")
      case .noTargets: throw CLIError("--targets is empty")
      case .invalidQueries(let message): throw CLIError("\(queries ?? "--queries"): \(message)")
      case .invalidRelativePair(let a, let b): throw CLIError("--relative '\(a):\(b)': expected A:B with two different concepts of the analysis")
      case .cropTooLong(let crop, let samples): throw CLIError("--crop \(crop) is longer than the records (\(samples) samples)")
      case .invalidCrop: throw CLIError("--crop must be ≥ 0")
      default: throw CLIError(error.description)
      }
    } catch let error as ConceptError { throw CLIError(error.description) } catch let error as PTBXLError { throw CLIError(error.description) }
  }
}

/// The TCAV table on standard output: for each concept and target, the layers where it is
/// significantly above (↑) or below (↓) random (`TCAVResult.Cell.significantDirection`) and the
/// strongest mean sign_count.
func printSummary(_ result: TCAVResult) {
  let layerCount = result.layers.count
  print("significant concept → target pairs (Bonferroni over \(result.bonferroniTests) tests, alpha \(result.settings.alpha); ↑ sign_count above random, ↓ below):")
  for concept in result.concepts where concept.kind != "null" {
    var parts: [String] = []
    for target in result.targets {
      let cells = result.cells.filter { $0.concept == concept.name && $0.target == target.name }
      let higher = cells.filter { $0.significantDirection == .above }
      let lower = cells.filter { $0.significantDirection == .below }
      guard let best = higher.max(by: { $0.meanSignCount - $0.randomMeanSignCount < $1.meanSignCount - $1.randomMeanSignCount }) ?? lower.first else { continue }
      parts.append(String(format: "%@ ↑%d ↓%d of %d layers (%@: %.2f vs random %.2f)", target.name, higher.count, lower.count, layerCount, best.layer, best.meanSignCount, best.randomMeanSignCount))
    }
    print("  \(concept.name) (\(concept.examples) records, m \(concept.perRun)\(concept.disjointRuns ? "" : ", runs share examples")): " + (parts.isEmpty ? "none" : parts.joined(separator: "; ")))
  }
  for (name, reason) in result.skipped.sorted(by: { $0.key < $1.key }) { print("  \(name): skipped — \(reason)") }
  if let null = result.nullCalibration {
    print(String(format: "null concepts: %d random subsets; %.1f%% of their tests p < alpha unadjusted, %.1f%% of them significant anywhere after Bonferroni",
      null.concepts, 100 * null.unadjustedRate, 100 * null.familyRate))
  }
}
