import ArgumentParser
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai demo`: the end-to-end demonstration on the built-in phantom cohort. It grows with the
/// pipeline (issue 11); today: phantom cohort → lenet1d on the superdiagnostic task with the
/// paper's protocol → test AUCs → saliency scored against the phantom's true evidence masks.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Phantom cohort → train lenet1d → test AUCs → saliency scored against the true evidence.",
    discussion: """
      1. writes a phantom 12-lead cohort (100 Hz, PTB-XL layout, default difficulty) to RUN/data;
      2. trains the paper's lenet1d on the superdiagnostic task (NORM/MI/STTC/CD/HYP) with the
         paper's protocol: folds 1–8 train, 9 validation, 10 test; AdamW 1e-3/1e-3, batch 128,
         250-sample crops, best validation macro-AUC;
      3. reports per-class test AUCs;
      4. computes saliency (|input gradient| of the finding's superclass) for every test record
         with a planted, labelled finding and measures the share of it inside the finding's true
         evidence mask (relevance mass accuracy) against the mask's share of the record (chance).
      Writes RUN/manifest.json, RUN/data/ (the cohort), RUN/model/, RUN/attributions/saliency.npy
      ([test records, 12, 1000], ecg_ids in saliency.ecg_id.csv).
      """)

  @Option(help: "Run directory to write into (its data/ and model/ are replaced).")
  var out = "runs/demo"

  @Option(help: "Phantom records to generate.")
  var records = 2000

  @Option(help: "Training epochs.")
  var epochs = 20

  @Option(help: "Seed of the cohort, initialisation and training.")
  var seed: UInt64 = 0

  @Flag(help: "A smoke run in a few seconds (400 records, 3 epochs).")
  var quick = false

  func validate() throws {
    guard records >= 200 else { throw ValidationError("--records must be at least 200 (ten folds with all superclasses)") }
    guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
  }

  func run() throws {
    let start = Date()
    let n = quick ? 400 : records
    let epochCount = quick ? 3 : epochs
    let runURL = URL(fileURLWithPath: out)
    let dataURL = runURL.appendingPathComponent("data")
    for sub in ["model", "attributions"] {
      try FileManager.default.createDirectory(at: runURL.appendingPathComponent(sub), withIntermediateDirectories: true)
    }
    print("ecgxai demo → \(out)")

    // 1. The phantom cohort.
    let cohort = try PhantomCohort(PhantomConfig(recordCount: n, seed: seed, rates: [100]))
    let written = try PhantomWriter.write(cohort, to: dataURL, overwrite: true) { done, total in progress(done: done, total: total) }
    print("1/4 data: \(n) phantom records (100 Hz × 10 s, default difficulty) in \(String(format: "%.1f", written.seconds)) s → \(out)/data")

    // 2. Training with the paper's protocol.
    let dataset = try PTBXLDataset(root: dataURL)
    let labels = dataset.labels(task: .superdiagnostic)
    let rows = { (folds: ClosedRange<Int>) in labels.entryIndices.indices.filter { folds.contains(dataset.entries[labels.entryIndices[$0]].fold) } }
    let (trainRows, validationRows, testRows) = (rows(1...8), rows(9...9), rows(10...10))
    func arrays(_ r: [Int]) throws -> (Tensor, Tensor) {
      let x = try dataset.batch(r.map { labels.entryIndices[$0] })
      let k = labels.classes.count
      var y = [Float](repeating: 0, count: r.count * k)
      for (i, row) in r.enumerated() { for c in 0..<k { y[i * k + c] = labels.matrix[row, c] } }
      return (x, Tensor(shape: [r.count, k], scalars: y))
    }
    let train = try arrays(trainRows), validation = try arrays(validationRows), test = try arrays(testRows)
    let architecture = ModelArchitecture(name: "lenet1d", classes: labels.classes.count, classNames: labels.classes)
    let model = try ModelZoo.make(architecture, seed: seed)
    var configuration = TrainingConfiguration()
    configuration.epochs = epochCount
    configuration.seed = seed
    let trainer = Trainer(configuration: configuration)
    print("2/4 train: lenet1d (\(model.parameterCount) parameters) on \(trainRows.count) records (folds 1–8), validation fold 9 (\(validationRows.count)); \(epochCount) epochs, AdamW lr 1e-3 wd 1e-3, batch 128, 250-sample crops")
    let trainStart = Date()
    let report = trainer.fit(model, x: train.0, y: train.1, validationX: validation.0, validationY: validation.1) { e in
      print(String(format: "    epoch %2d  train loss %.4f  val loss %.4f  val macro-AUC ", e.epoch, e.trainingLoss, e.validationLoss) + format(e.validationScore))
    }
    let trainSeconds = Date().timeIntervalSince(trainStart)

    // 3. Test AUCs.
    let evaluation = trainer.evaluate(model, x: test.0, y: test.1)
    let perClass = Metrics.perClassAUC(scores: evaluation.logits, targets: test.1)
    print("3/4 test fold 10 (\(testRows.count) records): macro-AUC \(format(evaluation.score));  "
      + zip(labels.classes, perClass).map { "\($0) \(format($1))" }.joined(separator: "  "))

    // 4. Saliency against the true evidence masks.
    let truth = try PhantomTruth(root: dataURL)
    let testIDs = testRows.map { dataset.entries[labels.entryIndices[$0]].ecgID }
    let samples = test.0.shape[2]
    var saliency = [Float](repeating: 0, count: test.0.count)
    var mass: [String: [(inside: Double, chance: Double)]] = [:]
    let classIndex = Dictionary(uniqueKeysWithValues: labels.classes.enumerated().map { ($1, $0) })
    let batch = 64
    for s in stride(from: 0, to: testRows.count, by: batch) {
      let range = s..<min(s + batch, testRows.count)
      let x = test.0.slice(range)
      var gradients: [Int: Tensor] = [:]
      for (offset, r) in range.enumerated() {
        for finding in truth.findings[testIDs[r]] ?? [] where finding.planted && finding.labelled {
          guard let code = PhantomFinding(rawValue: finding.code), let superclass = code.superclass, let k = classIndex[superclass] else { continue }
          if gradients[k] == nil { gradients[k] = model.inputGradient(x, target: k) }
          let g = gradients[k]!.scalars[(offset * 12 * samples)..<((offset + 1) * 12 * samples)]
          let mask = truth.evidenceMask(ecgID: testIDs[r], finding: finding.code, rate: 100, samples: samples)
          let area = mask.reduce(0, +)
          guard area > 0 else { continue }
          var total = 0.0, inside = 0.0
          for (v, m) in zip(g, mask) {
            total += Double(abs(v))
            inside += Double(abs(v) * m)
          }
          mass[finding.code, default: []].append((inside / max(total, 1e-30), Double(area) / Double(mask.count)))
          // Keep the saliency of the record's first scored finding.
          if saliency[(r * 12 * samples)..<((r + 1) * 12 * samples)].allSatisfy({ $0 == 0 }) {
            for (i, v) in g.enumerated() { saliency[r * 12 * samples + i] = v }
          }
        }
      }
    }
    print("4/4 saliency |∂ logit(superclass) / ∂ input| inside the finding's true evidence mask (test records with the finding planted and labelled):")
    print("    finding  n    share inside  chance   ratio")
    var massSummary: [String: [String: Double]] = [:]
    for (code, values) in mass.sorted(by: { $0.key < $1.key }) {
      let inside = values.map(\.inside).reduce(0, +) / Double(values.count)
      let chance = values.map(\.chance).reduce(0, +) / Double(values.count)
      massSummary[code] = ["n": Double(values.count), "share_inside": inside, "chance": chance]
      print("    " + code.padding(toLength: 8, withPad: " ", startingAt: 0)
        + String(format: " %-4d %.3f         %.3f    %.1f×", values.count, inside, chance, inside / max(chance, 1e-12)))
    }

    try model.save(to: runURL.appendingPathComponent("model"))
    try NumPy.write(Tensor(shape: test.0.shape, scalars: saliency), to: runURL.appendingPathComponent("attributions/saliency.npy"))
    try Data(("ecg_id\n" + testIDs.map(String.init).joined(separator: "\n") + "\n").utf8)
      .write(to: runURL.appendingPathComponent("attributions/saliency.ecg_id.csv"), options: .atomic)
    let manifest: [String: Any] = [
      "command": "demo", "seed": seed, "records": n, "epochs": epochCount,
      "dataset": ["kind": "phantom", "path": "data", "rate_hz": 100, "task": "superdiagnostic", "classes": labels.classes,
                  "folds": ["train": "1-8", "validation": "9", "test": "10"]],
      "model": ["architecture": "lenet1d", "parameters": model.parameterCount, "best_epoch": report.bestEpoch],
      "test": ["macro_auc": evaluation.score as Any, "per_class_auc": Dictionary(uniqueKeysWithValues: zip(labels.classes, perClass.map { $0 ?? -1 }))],
      "saliency_relevance_mass_in_evidence": massSummary,
      "timings_s": ["train": trainSeconds, "total": Date().timeIntervalSince(start)],
      "threads": parallelThreadCount, "gemm_backend": GEMM.backend.rawValue,
      "outputs": ["data/", "model/architecture.json", "model/weights.safetensors", "attributions/saliency.npy", "attributions/saliency.ecg_id.csv"],
    ]
    let json = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
    try json.write(to: runURL.appendingPathComponent("manifest.json"), options: .atomic)
    print(String(format: "done in %.1f s (training %.1f s); wrote manifest.json, data/, model/, attributions/saliency.npy", Date().timeIntervalSince(start), trainSeconds))
  }

  private func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
}
