import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai demo`: the interim end-to-end demonstration (the phantom cohort and the full pipeline
/// replace it as they land): train the paper's lenet1d on a learnable 12-lead task with known
/// evidence, evaluate it, and check where its saliency lands.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train lenet1d on a synthetic 12-lead task, evaluate it, and check its saliency.",
    discussion: """
      Generates a learnable 12-lead task at 100 Hz, 10 s (SyntheticTask: beat trains with findings
      planted on inferior, septal or lateral leads), trains the paper's lenet1d with its settings
      (AdamW 1e-3/1e-3, batch 128, 250-sample crops, best validation macro-AUC), reports test
      AUCs, computes saliency (input gradient of the predicted finding) for the test records and
      measures how much of it lies on the leads that carry the finding, against chance.
      Writes RUN/manifest.json, RUN/model/, RUN/data/*.npy, RUN/attributions/saliency.npy.
      """)

  @Option(help: "Run directory to write into.")
  var out = "runs/demo"

  @Option(help: "Records to generate (split 80/10/10 into train/validation/test).")
  var records = 2000

  @Option(help: "Training epochs.")
  var epochs = 12

  @Option(help: "Seed of data, initialisation and training.")
  var seed: UInt64 = 0

  @Flag(help: "A smoke run in a few seconds (300 records, 3 epochs).")
  var quick = false

  func validate() throws {
    guard records >= 50 else { throw ValidationError("--records must be at least 50") }
    guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
  }

  func run() throws {
    let start = Date()
    let n = quick ? 300 : records
    let epochCount = quick ? 3 : epochs
    let runURL = URL(fileURLWithPath: out)
    for sub in ["model", "data", "attributions"] {
      try FileManager.default.createDirectory(at: runURL.appendingPathComponent(sub), withIntermediateDirectories: true)
    }
    print("ecgxai demo → \(out)")
    print("1/4 data: \(n) synthetic 12-lead records, 100 Hz × 10 s, findings \(SyntheticTask.classNames.joined(separator: "/")) planted on known leads")
    let data = SyntheticTask.generate(records: n, length: 1000, seed: seed)
    let (trainEnd, validationEnd) = (n * 8 / 10, n * 9 / 10)
    let train = (data.x.slice(0..<trainEnd), data.y.slice(0..<trainEnd))
    let validation = (data.x.slice(trainEnd..<validationEnd), data.y.slice(trainEnd..<validationEnd))
    let test = (data.x.slice(validationEnd..<n), data.y.slice(validationEnd..<n), data.leadMask.slice(validationEnd..<n))

    let architecture = ModelArchitecture(name: "lenet1d", classes: 3, classNames: SyntheticTask.classNames)
    let model = try ModelZoo.make(architecture, seed: seed)
    var configuration = TrainingConfiguration()
    configuration.epochs = epochCount
    configuration.seed = seed
    let trainer = Trainer(configuration: configuration)
    print("2/4 train: lenet1d, \(model.parameterCount) parameters, \(epochCount) epochs, AdamW lr 1e-3 wd 1e-3, batch 128, 250-sample crops")
    let trainStart = Date()
    let report = trainer.fit(model, x: train.0, y: train.1, validationX: validation.0, validationY: validation.1) { e in
      let auc = e.validationScore.map { String(format: "%.4f", $0) } ?? "n/a"
      print(String(format: "    epoch %2d  train loss %.4f  val loss %.4f", e.epoch, e.trainingLoss, e.validationLoss) + "  val macro-AUC \(auc)")
    }
    let trainSeconds = Date().timeIntervalSince(trainStart)

    let evaluation = trainer.evaluate(model, x: test.0, y: test.1)
    let perClass = Metrics.perClassAUC(scores: evaluation.logits, targets: test.1)
    print("3/4 test (\(test.0.shape[0]) records): macro-AUC \(format(evaluation.score))  per class "
      + zip(SyntheticTask.classNames, perClass).map { "\($0) \(format($1))" }.joined(separator: ", "))

    // Saliency of the predicted finding; share of its per-lead L2 norm on the finding's leads.
    let testCount = test.0.shape[0]
    var saliency = [Float]()
    saliency.reserveCapacity(test.0.count)
    var shares = [[Double]](repeating: [], count: 3)
    let batch = 50
    for s in stride(from: 0, to: testCount, by: batch) {
      let x = test.0.slice(s..<min(s + batch, testCount))
      let logits = model.forward(x)
      var targets: [Int] = []
      for r in 0..<x.shape[0] {
        let row = (0..<3).map { logits[r, $0] }
        targets.append(row.indices.max { row[$0] < row[$1] }!)
      }
      var gradients = [Tensor](repeating: Tensor(zeros: []), count: 3)
      for k in Set(targets) { gradients[k] = model.inputGradient(x, target: k) }
      for r in 0..<x.shape[0] {
        let k = targets[r]
        let g = gradients[k]
        let slice = Array(g.scalars[(r * 12000)..<((r + 1) * 12000)])
        saliency += slice
        if test.1[s + r, k] > 0.5 {
          let norms = (0..<12).map { lead in slice[(lead * 1000)..<((lead + 1) * 1000)].reduce(0) { $0 + Double($1 * $1) } }
          let onLeads = SyntheticTask.leadGroups[k].reduce(0) { $0 + norms[$1] }
          shares[k].append(onLeads / max(norms.reduce(0, +), 1e-30))
        }
      }
    }
    print("4/4 saliency (|∂ logit / ∂ input|² per lead, records where the predicted finding is present):")
    var saliencySummary: [String: Double] = [:]
    for k in 0..<3 where !shares[k].isEmpty {
      let mean = shares[k].reduce(0, +) / Double(shares[k].count)
      let chance = Double(SyntheticTask.leadGroups[k].count) / 12
      saliencySummary[SyntheticTask.classNames[k]] = mean
      print("    " + SyntheticTask.classNames[k].padding(toLength: 9, withPad: " ", startingAt: 0)
        + String(format: " share on its leads %.2f  (chance %.2f, n = %d)", mean, chance, shares[k].count))
    }

    try model.save(to: runURL.appendingPathComponent("model"))
    try NumPy.write(test.0, to: runURL.appendingPathComponent("data/x_test.npy"))
    try NumPy.write(test.1, to: runURL.appendingPathComponent("data/y_test.npy"))
    try NumPy.write(Tensor(shape: [testCount, 12, 1000], scalars: saliency), to: runURL.appendingPathComponent("attributions/saliency.npy"))
    let manifest: [String: Any] = [
      "command": "demo", "seed": seed, "records": n, "epochs": epochCount,
      "dataset": "SyntheticTask (interim; phantom cohort pending)",
      "model": ["architecture": "lenet1d", "parameters": model.parameterCount, "best_epoch": report.bestEpoch],
      "test": ["macro_auc": evaluation.score as Any, "per_class_auc": perClass.map { $0 ?? -1 }],
      "saliency_share_on_finding_leads": saliencySummary,
      "timings_s": ["train": trainSeconds, "total": Date().timeIntervalSince(start)],
      "threads": parallelThreadCount, "gemm_backend": GEMM.backend.rawValue,
      "outputs": ["model/architecture.json", "model/weights.safetensors", "data/x_test.npy", "data/y_test.npy", "attributions/saliency.npy"],
    ]
    let json = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
    try json.write(to: runURL.appendingPathComponent("manifest.json"), options: .atomic)
    print(String(format: "done in %.1f s (training %.1f s); wrote manifest.json, model/, data/, attributions/saliency.npy", Date().timeIntervalSince(start), trainSeconds))
  }

  private func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
}
