import ArgumentParser
import ECGEvaluate
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai demo`: the end-to-end demonstration on the built-in phantom cohort. It grows with the
/// pipeline (issue 11); today: phantom cohort → lenet1d on the superdiagnostic task with the
/// paper's protocol → test AUCs → saliency, IG and LRP-ε scored against the true evidence masks
/// → the glocal audit.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Phantom cohort → train lenet1d → test AUCs → attributions vs the true evidence → glocal audit → TCAV → discovery.",
    discussion: """
      1. writes a phantom 12-lead cohort (100 Hz, PTB-XL layout, default difficulty) to RUN/data;
      2. trains the paper's lenet1d on the superdiagnostic task (NORM/MI/STTC/CD/HYP) with the
         paper's protocol: folds 1–8 train, 9 validation, 10 test; AdamW 1e-3/1e-3, batch 128,
         250-sample crops, best validation macro-AUC;
      3. reports per-class test AUCs;
      4. attributes every test record to the superclass of its planted, labelled finding with
         saliency (|gradient|), integrated gradients (10 steps) and LRP-ε (the paper's composite)
         and measures the share of |attribution| inside the finding's true evidence mask
         (relevance mass accuracy) against the mask's share of the record (chance);
      5. audits the model glocally (`ecgxai audit` with LRP-ε on MI, HYP, CD, STTC against NORM):
         relevance per lead × ECG segment of the top-100 records per class, per-cell tests,
         alignment with expert rules and the true evidence (docs/audit.md);
      6. measures features and the paper's expert concepts of every record (`ecgxai features`)
         and runs TCAV on every layer (`ecgxai concepts`): CAVs of each concept against random
         records, sign_count per target class, Welch t-tests against random CAVs (docs/concepts.md);
      7. clusters the MI records that are only AMI or only IMI by their beat-aligned saliency, median
         beats and hidden features and scores the clusters against AMI/IMI (`ecgxai discover`,
         docs/discovery.md).
      Writes RUN/manifest.json, RUN/data/ (the cohort), RUN/model/, RUN/attributions/METHOD.npy
      ([test records, 12, 1000]) with METHOD.ecg_id.csv, as `ecgxai explain RUN` writes them,
      RUN/results.sqlite, RUN/audit.json, RUN/features.csv, RUN/tcav.json, RUN/concepts/,
      RUN/discovery.json and RUN/discovery.svg.
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
    print("1/7 data: \(n) phantom records (100 Hz × 10 s, default difficulty) in \(String(format: "%.1f", written.seconds)) s → \(out)/data")

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
    print("2/7 train: lenet1d (\(model.parameterCount) parameters) on \(trainRows.count) records (folds 1–8), validation fold 9 (\(validationRows.count)); \(epochCount) epochs, AdamW lr 1e-3 wd 1e-3, batch 128, 250-sample crops")
    let trainStart = Date()
    let report = trainer.fit(model, x: train.0, y: train.1, validationX: validation.0, validationY: validation.1) { e in
      print(String(format: "    epoch %2d  train loss %.4f  val loss %.4f  val macro-AUC ", e.epoch, e.trainingLoss, e.validationLoss) + format(e.validationScore))
    }
    let trainSeconds = Date().timeIntervalSince(trainStart)

    // 3. Test AUCs.
    let evaluation = trainer.evaluate(model, x: test.0, y: test.1)
    let perClass = Metrics.perClassAUC(scores: evaluation.logits, targets: test.1)
    print("3/7 test fold 10 (\(testRows.count) records): macro-AUC \(format(evaluation.score));  "
      + zip(labels.classes, perClass).map { "\($0) \(format($1))" }.joined(separator: "  "))

    // 4. Attributions against the true evidence masks: one target per test record (the
    // superclass of its first planted, labelled finding; the predicted class otherwise).
    let truth = try PhantomTruth(root: dataURL)
    let testIDs = testRows.map { dataset.entries[labels.entryIndices[$0]].ecgID }
    let samples = test.0.shape[2]
    let classIndex = Dictionary(uniqueKeysWithValues: labels.classes.enumerated().map { ($1, $0) })
    let scored: [(code: String, target: Int)?] = testIDs.map { id in
      for finding in truth.findings[id] ?? [] where finding.planted && finding.labelled {
        if let code = PhantomFinding(rawValue: finding.code), let superclass = code.superclass, let k = classIndex[superclass] {
          return (finding.code, k)
        }
      }
      return nil
    }
    let predicted = predictedTargets(evaluation.logits)
    let targets = scored.enumerated().map { $0.element?.target ?? predicted[$0.offset] }
    let settings = AttributionSettings(absolute: true)
    let methods = ["saliency", "ig", "lrp-epsilon"].map { settings.method($0, architecture: architecture.name)! }
    var massSummary: [String: [String: [String: Double]]] = [:]
    var table: [String: [String: (inside: Double, chance: Double, n: Int)]] = [:]
    for method in methods {
      let writer = try NumPy.StreamWriter(url: runURL.appendingPathComponent("attributions/\(method.name).npy"), shape: test.0.shape)
      var mass: [String: [(inside: Double, chance: Double)]] = [:]
      for s in stride(from: 0, to: testRows.count, by: 64) {
        let range = s..<min(s + 64, testRows.count)
        let values = try method.attribute(model, input: test.0.slice(range), targets: Array(targets[range])).values.scalars
        try writer.append(values)
        for (offset, r) in range.enumerated() {
          guard let (code, _) = scored[r] else { continue }
          let mask = truth.evidenceMask(ecgID: testIDs[r], finding: code, rate: 100, samples: samples)
          let area = mask.reduce(0, +)
          guard area > 0 else { continue }
          let record = Array(values[(offset * 12 * samples)..<((offset + 1) * 12 * samples)])
          guard let inside = Localisation.relevanceMassAccuracy(record, mask: mask, absolute: true), inside.isFinite else { continue }
          mass[code, default: []].append((inside, Double(area) / Double(mask.count)))
        }
      }
      try writer.finish()
      for (code, list) in mass {
        let inside = list.map(\.inside).reduce(0, +) / Double(list.count)
        let chance = list.map(\.chance).reduce(0, +) / Double(list.count)
        table[code, default: [:]][method.name] = (inside, chance, list.count)
        massSummary[code, default: [:]][method.name] = ["n": Double(list.count), "share_inside": inside, "chance": chance]
      }
    }
    let idText = Data(("ecg_id\n" + testIDs.map(String.init).joined(separator: "\n") + "\n").utf8)
    for method in methods {
      try idText.write(to: runURL.appendingPathComponent("attributions/\(method.name).ecg_id.csv"), options: .atomic)
    }
    print("4/7 attributions: share of |attribution| inside the finding's true evidence mask ÷ the mask's share of the record")
    print("    (relevance mass accuracy over chance; test records with the finding planted and labelled, target = its superclass)")
    print("    finding    n   " + methods.map { $0.name.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
    for (code, row) in table.sorted(by: { $0.key < $1.key }) {
      let n = row.values.first?.n ?? 0
      print("    " + code.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %4d   ", n)
        + methods.map { m in row[m.name].map { String(format: "%.2f×", $0.inside / max($0.chance, 1e-12)).padding(toLength: 13, withPad: " ", startingAt: 0) } ?? "—            " }.joined())
    }

    try model.save(to: runURL.appendingPathComponent("model"))
    let manifest: [String: Any] = [
      "command": "demo", "seed": seed, "records": n, "epochs": epochCount,
      "dataset": ["kind": "phantom", "path": "data", "rate_hz": 100, "task": "superdiagnostic", "classes": labels.classes,
                  "folds": ["train": "1-8", "validation": "9", "test": "10"]],
      "model": ["architecture": "lenet1d", "parameters": model.parameterCount, "best_epoch": report.bestEpoch],
      "test": ["macro_auc": evaluation.score as Any, "per_class_auc": Dictionary(uniqueKeysWithValues: zip(labels.classes, perClass.map { $0 ?? -1 }))],
      "relevance_mass_in_evidence": massSummary,
      "timings_s": ["train": trainSeconds, "total": Date().timeIntervalSince(start)],
      "threads": parallelThreadCount, "gemm_backend": GEMM.backend.rawValue,
      "outputs": ["data/", "model/architecture.json", "model/weights.safetensors"]
        + methods.flatMap { ["attributions/\($0.name).npy", "attributions/\($0.name).ecg_id.csv"] },
    ]
    let json = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
    try json.write(to: runURL.appendingPathComponent("manifest.json"), options: .atomic)

    // 5. The glocal audit of the whole cohort (`ecgxai audit`, which adds itself to the manifest).
    print("5/7 glocal audit (ecgxai audit \(out) --conditions MI,HYP,CD,STTC --method lrp-epsilon): top 100 records per class,")
    print("    relevance per lead × segment, tested against NORM, held against expert rules and the true evidence")
    let audit = try Audit.parse([out, "--conditions", "MI,HYP,CD,STTC", "--method", "lrp-epsilon", "--bootstrap", "200", "--seed", "\(seed)"])
    try audit.run()

    // 6. Expert concepts (`ecgxai features`) and TCAV (`ecgxai concepts`, which adds itself to the manifest).
    print("6/7 concepts: features and the paper's 15 expert concepts of every record (ecgxai features), then TCAV")
    print("    on every layer against random CAVs (ecgxai concepts \(out)\(quick ? " --runs 3 --random-runs 5" : ""))")
    try Features.parse(["--data", out, "--out", runURL.appendingPathComponent("features.csv").path]).run()
    try Concepts.parse([out, "--seed", "\(seed)"] + (quick ? ["--runs", "3", "--random-runs", "5"] : [])).run()

    // 7. Knowledge discovery (`ecgxai discover`, which adds itself to the manifest).
    print("7/7 discovery: MI records that are only AMI or only IMI, clustered by their beat-aligned saliency, median beats and")
    print("    hidden features (PCA + Gaussian mixture / k-means, 2 clusters), scored against AMI/IMI (ecgxai discover \(out) --class MI --subtypes AMI,IMI)")
    try Discover.parse([out, "--class", "MI", "--subtypes", "AMI,IMI", "--seed", "\(seed)"] + (quick ? ["--inits", "2", "--stability-resamples", "2"] : [])).run()
    print(String(format: "done in %.1f s (training %.1f s); wrote manifest.json, data/, model/, attributions/{saliency,ig,lrp-epsilon}.npy, results.sqlite, audit.json, features.csv, tcav.json, concepts/, discovery.json, discovery.svg", Date().timeIntervalSince(start), trainSeconds))
  }

  private func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
}
