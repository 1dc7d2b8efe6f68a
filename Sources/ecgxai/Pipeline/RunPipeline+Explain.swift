import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

extension RunPipeline {
  /// Attributes the records of the configured split with the first classifier and every
  /// configured method, as `ecgxai explain RUN` writes them (attributions/METHOD[.SPLIT].npy +
  /// .ecg_id.csv), with `SplitAttribution`. Each record is attributed to the class of its planted,
  /// labelled finding on the phantom (the predicted class otherwise), and on the phantom the share
  /// of |attribution| inside the finding's true evidence mask is scored against the mask's share
  /// (relevance mass accuracy over chance) → explain.json (`ExplainSummary`).
  func explainTestRecords() throws -> StepOutcome {
    let c = configuration
    let dataURL = runURL.appendingPathComponent("data")
    let options = DatasetOptions(data: dataURL.path, rate: 100, folds: DatasetSplit.folds[c.explain.split]!)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let modelPath = c.modelDirectory(task: c.train.tasks[0])
    let model = try ModelOptions.load(runURL.appendingPathComponent(modelPath).path)
    try options.check(model)
    let classes = model.architecture.classNames ?? (0..<model.architecture.classes).map(String.init)
    let indices = try options.selection(dataset)
    guard !indices.isEmpty else { throw CLIError("no records in the \(c.explain.split) split") }
    let ids = indices.map { dataset.entries[$0].ecgID }
    let truth = try? PhantomTruth(root: dataURL, ecgIDs: Set(ids))
    let specs = try c.explain.methods.map { name -> AttributionSpec in
      let spec = c.attribution(name, absolute: true)
      if let problem = spec.validationProblem { throw CLIError(problem) }
      return spec
    }
    let suffix = c.explain.split == "test" ? "" : ".\(c.explain.split)"
    let samples = 1000
    var outputs: [String] = []
    var results: [SplitAttributionResult] = []
    var files: [String: String] = [:]
    try FileManager.default.createDirectory(at: runURL.appendingPathComponent("attributions"), withIntermediateDirectories: true)
    for spec in specs {
      let name = spec.makeMethod(for: model).name
      let file = "attributions/\(name)\(suffix).npy"
      let writer = try NumPy.StreamWriter(url: runURL.appendingPathComponent(file), shape: [ids.count, 12, samples])
      let attribution = SplitAttribution(spec: spec, targets: [.findingOrPredicted], batchSize: 64, rateHz: 100)
      do {
        results.append(try attribution.run(
          model: model, records: .dataset(dataset, indices: indices), truth: truth,
          check: { x in
            guard x.shape[2] == samples else { throw CLIError("explain expects 10 s records at 100 Hz (1000 samples), got \(x.shape[2])") }
          },
          write: { _, _, values in try writer.append(values.scalars) }, progress: { progress(done: $0, total: $1) }))
        try writer.finish()
      } catch {
        writer.abandon()
        if let error = error as? SplitAttributionError { throw CLIError(error.description) }
        throw error
      }
      let idFile = "attributions/\(name)\(suffix).ecg_id.csv"
      try writeECGIDs(ids, beside: runURL.appendingPathComponent(file))
      outputs += [file, idFile]
      files[name] = file
    }
    let summary = ExplainSummary(split: c.explain.split, modelPath: modelPath, model: model, classes: classes, results: results, files: files)
    if !summary.relevanceMassInEvidence.isEmpty {
      let methods = summary.methods
      print("    share of |attribution| inside the finding's true evidence mask ÷ the mask's share (relevance mass accuracy over chance)")
      print("    finding    n   " + methods.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
      for (code, row) in summary.relevanceMassInEvidence.sorted(by: { $0.key < $1.key }) {
        let n = row.values.first?.n ?? 0
        print("    " + code.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %4d   ", n)
          + methods.map { m in row[m].map { String(format: "%.2f×", $0.overChance).padding(toLength: 13, withPad: " ", startingAt: 0) } ?? "—            " }.joined())
      }
    }
    try summary.jsonData().writeAtomically(to: runURL.appendingPathComponent("explain.json"))
    return StepOutcome(outputs: outputs + ["explain.json"])
  }
}
