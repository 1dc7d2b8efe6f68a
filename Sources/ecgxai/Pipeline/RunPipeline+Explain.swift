import ECGEvaluate
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

extension RunPipeline {
  /// Attributes the records of the configured split with the first classifier and every
  /// configured method, as `ecgxai explain RUN` writes them (attributions/METHOD[.SPLIT].npy +
  /// .ecg_id.csv). Each record is attributed to the class of its planted, labelled finding on the
  /// phantom (the predicted class otherwise), and on the phantom the share of |attribution| inside
  /// the finding's true evidence mask is scored against the mask's share (relevance mass accuracy
  /// over chance) → explain.json.
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
    let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    let scored = ids.map { truth?.plantedClass(ecgID: $0, classIndex: classIndex) }
    let methods = try c.explain.methods.map { name -> any AttributionMethod in
      let spec = AttributionSpec(method: name, absolute: true)
      if let problem = spec.validationProblem { throw CLIError(problem) }
      return spec.makeMethod(for: model)
    }
    let suffix = c.explain.split == "test" ? "" : ".\(c.explain.split)"
    let samples = 1000
    var outputs: [String] = []
    var summary: [String: [String: [String: Double]]] = [:]
    var targetsUsed: [Int] = []
    for method in methods {
      let file = "attributions/\(method.name)\(suffix).npy"
      try FileManager.default.createDirectory(at: runURL.appendingPathComponent("attributions"), withIntermediateDirectories: true)
      let writer = try NumPy.StreamWriter(url: runURL.appendingPathComponent(file), shape: [ids.count, 12, samples])
      var mass: [String: [(inside: Double, chance: Double)]] = [:]
      targetsUsed = []
      for s in stride(from: 0, to: ids.count, by: 64) {
        let range = s..<min(s + 64, ids.count)
        let x = try options.batch(dataset, Array(indices[range]))
        guard x.shape[2] == samples else { throw CLIError("explain expects 10 s records at 100 Hz (1000 samples), got \(x.shape[2])") }
        let predicted = predictedTargets(model.forward(x))
        let targets = range.enumerated().map { scored[$0.element]?.target ?? predicted[$0.offset] }
        targetsUsed += targets
        let values: [Float]
        do { values = try method.attribute(model, input: x, targets: targets).values.scalars } catch let error as AttributionError {
          throw CLIError(error.description)
        }
        try writer.append(values)
        progress(done: range.upperBound, total: ids.count)
        guard let truth else { continue }
        for (offset, r) in range.enumerated() {
          guard let (code, _) = scored[r] else { continue }
          let mask = truth.evidenceMask(ecgID: ids[r], finding: code, rate: 100, samples: samples)
          let area = mask.reduce(0, +)
          guard area > 0 else { continue }
          let record = Array(values[(offset * 12 * samples)..<((offset + 1) * 12 * samples)])
          guard let inside = Localisation.relevanceMassAccuracy(record, mask: mask, absolute: true), inside.isFinite else { continue }
          mass[code, default: []].append((inside, Double(area) / Double(mask.count)))
        }
      }
      try writer.finish()
      let idFile = "attributions/\(method.name)\(suffix).ecg_id.csv"
      try Data(("ecg_id\n" + ids.map(String.init).joined(separator: "\n") + "\n").utf8)
        .writeAtomically(to: runURL.appendingPathComponent(idFile))
      outputs += [file, idFile]
      for (code, list) in mass {
        let inside = list.map(\.inside).reduce(0, +) / Double(list.count)
        let chance = list.map(\.chance).reduce(0, +) / Double(list.count)
        summary[code, default: [:]][method.name] = ["n": Double(list.count), "share_inside": inside, "chance": chance, "over_chance": inside / max(chance, 1e-12)]
      }
    }
    if !summary.isEmpty {
      print("    share of |attribution| inside the finding's true evidence mask ÷ the mask's share (relevance mass accuracy over chance)")
      print("    finding    n   " + methods.map { $0.name.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
      for (code, row) in summary.sorted(by: { $0.key < $1.key }) {
        let n = Int(row.values.first?["n"] ?? 0)
        print("    " + code.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %4d   ", n)
          + methods.map { m in row[m.name].map { String(format: "%.2f×", $0["over_chance"]!).padding(toLength: 13, withPad: " ", startingAt: 0) } ?? "—            " }.joined())
      }
    }
    let json: [String: Any] = [
      "split": c.explain.split, "records": ids.count, "methods": methods.map(\.name), "model": modelPath, "model_name": model.architecture.name,
      "targets": ["rule": "the class of the record's planted, labelled finding (phantom), else the predicted class",
                  "classes": targetsUsed.map { classes[$0] }],
      "relevance_mass_in_evidence": summary,
      "files": Dictionary(uniqueKeysWithValues: methods.map { ($0.name, "attributions/\($0.name)\(suffix).npy") }),
    ]
    let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    try data.writeAtomically(to: runURL.appendingPathComponent("explain.json"))
    return StepOutcome(outputs: outputs + ["explain.json"])
  }
}
