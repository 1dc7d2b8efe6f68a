import ECGNet
import ECGSignal
import ECGTensor
import Foundation

extension RunPipeline {
  /// The paper's split of one label task: rows of `labels` in folds 1–8, 9 and 10.
  struct SplitRows {
    var train: [Int], validation: [Int], test: [Int]

    init(_ dataset: PTBXLDataset, _ labels: PTBXLDataset.Labels) {
      let rows = { (folds: ClosedRange<Int>) in
        labels.entryIndices.indices.filter { folds.contains(dataset.entries[labels.entryIndices[$0]].fold) }
      }
      (train, validation, test) = (rows(1...8), rows(9...9), rows(10...10))
    }
  }

  /// Records [rows, 12, T] and multi-hot targets [rows, K] of label rows.
  static func arrays(_ dataset: PTBXLDataset, _ labels: PTBXLDataset.Labels, _ rows: [Int]) throws -> (x: Tensor, y: Tensor) {
    let x: Tensor
    do { x = try dataset.batch(rows.map { labels.entryIndices[$0] }, rate: 100) } catch let error as PTBXLError {
      throw CLIError(error.description)
    }
    let k = labels.classes.count
    var y = [Float](repeating: 0, count: rows.count * k)
    for (i, row) in rows.enumerated() { for c in 0..<k { y[i * k + c] = labels.matrix[row, c] } }
    return (x, Tensor(shape: [rows.count, k], scalars: y))
  }

  /// Trains one classifier per label task with the paper's protocol and writes, per task, the
  /// model directory and `evaluation-TASK.json` (class counts per split, training history,
  /// per-class test AUC and ROC curves).
  func trainClassifiers() throws -> StepOutcome {
    let c = configuration
    guard let dataset = try DatasetOptions(data: runURL.appendingPathComponent("data").path, rate: 100, folds: nil).load() else { throw CLIError("no dataset") }
    var outputs: [String] = []
    for (index, taskName) in c.train.tasks.enumerated() {
      let task = PTBXLDataset.Task(rawValue: taskName)!
      let labels = dataset.labels(task: task)
      let split = SplitRows(dataset, labels)
      guard split.train.count >= 10, !split.validation.isEmpty, !split.test.isEmpty else {
        throw CLIError("task \(taskName): too few labelled records per split (\(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test); the paper's split needs strat_fold 1–10")
      }
      let directory = c.modelDirectory(task: taskName)
      let model: Model
      var history: [[String: Any]] = []
      var bestEpoch: Any = NSNull()
      let trainer = Trainer(configuration: {
        var t = TrainingConfiguration()
        t.epochs = c.train.epochs
        t.seed = c.seed
        return t
      }())
      let started = Date()
      if index == 0, let given = c.train.model {
        // A model directory, an ONNX file, or a state dict (.safetensors) of train.arch.
        let loaded = try ModelOptions.load(given, arch: given.hasSuffix(".safetensors") ? c.train.arch : nil)
        let names = loaded.architecture.classNames ?? []
        if names.isEmpty && loaded.architecture.classes == labels.classes.count {
          // An imported model knows no class names: its outputs are taken to be the task's
          // classes in the benchmark's (sorted) order, as PTB-XL's benchmark code trains them.
          var architecture = loaded.architecture
          architecture.classNames = labels.classes
          model = Model(architecture: architecture, root: loaded.root)
          print("    \(taskName): \(given) names no classes; its \(labels.classes.count) outputs are taken as \(labels.classes.joined(separator: ", ")) (sorted, as the PTB-XL benchmark orders them)")
        } else {
          guard names == labels.classes else {
            throw CLIError("train.model \(given) has \(names.isEmpty ? "\(loaded.architecture.classes) unnamed outputs" : "classes " + names.joined(separator: ","))"
              + "; the \(taskName) task of the data has \(labels.classes.count): \(labels.classes.joined(separator: ",")) (in this order)")
          }
          model = loaded
        }
        print("    \(taskName): using the model \(given) (\(model.architecture.name), \(model.parameterCount) parameters), not training")
      } else {
        let train = try Self.arrays(dataset, labels, split.train), validation = try Self.arrays(dataset, labels, split.validation)
        let architecture = ModelArchitecture(
          name: c.train.arch, classes: labels.classes.count, classNames: labels.classes, samplingRateHz: 100)
        model = try ModelZoo.make(architecture, seed: c.seed)
        print("    \(taskName): \(labels.classes.count) classes, \(model.parameterCount) parameters; \(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test records")
        let report = try trainer.fit(model, x: train.x, y: train.y, validationX: validation.x, validationY: validation.y) { e in
          progress(done: e.epoch, total: c.train.epochs)
          history.append(["epoch": e.epoch, "train_loss": Double(e.trainingLoss), "validation_loss": Double(e.validationLoss),
                          "validation_macro_auc": e.validationScore ?? NSNull()])
        }
        bestEpoch = report.bestEpoch
      }
      let test = try Self.arrays(dataset, labels, split.test)
      let evaluation = trainer.evaluate(model, x: test.x, y: test.y)
      let perClass = Metrics.perClassAUC(scores: evaluation.logits, targets: test.y)
      let k = labels.classes.count
      var curves: [String: Any] = [:]
      for (ci, name) in labels.classes.enumerated() {
        let scores = (0..<split.test.count).map { evaluation.logits.scalars[$0 * k + ci] }
        let truth = (0..<split.test.count).map { test.y.scalars[$0 * k + ci] > 0.5 }
        if let curve = Metrics.rocCurve(scores: scores, labels: truth) { curves[name] = thinned(curve).map { [$0.fpr, $0.tpr] } }
      }
      func counts(_ rows: [Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: labels.classes.enumerated().map { ci, name in (name, rows.filter { labels.matrix[$0, ci] > 0.5 }.count) })
      }
      if directory.hasSuffix(".onnx"), let given = c.train.model {
        // An imported graph is kept as the user's file (ecgxai saves only its own architectures).
        let target = runURL.appendingPathComponent(directory)
        let partial = AtomicFile.begin(target)
        do {
          try FileManager.default.copyItem(at: URL(fileURLWithPath: given), to: partial)
          try AtomicFile.commit(partial, to: target)
        } catch {
          AtomicFile.abandon(partial)
          throw error
        }
        try Data((labels.classes.joined(separator: "\n") + "\n").utf8)
          .writeAtomically(to: target.deletingPathExtension().appendingPathExtension("classes.txt"))
      } else {
        try model.save(to: runURL.appendingPathComponent(directory))
      }
      let summary: [String: Any] = [
        "task": taskName, "arch": model.architecture.name, "parameters": model.parameterCount, "model": directory,
        "classes": labels.classes, "epochs": c.train.epochs, "best_epoch": bestEpoch, "history": history,
        "records": ["train": split.train.count, "validation": split.validation.count, "test": split.test.count],
        "class_counts": ["train": counts(split.train), "validation": counts(split.validation), "test": counts(split.test)],
        "test": ["macro_auc": evaluation.score.map { $0 as Any } ?? NSNull(),
                 "per_class_auc": Dictionary(uniqueKeysWithValues: zip(labels.classes, perClass.map { $0 ?? NSNull() as Any })),
                 "roc": curves],
        "seconds": Date().timeIntervalSince(started), "pretrained": index == 0 && c.train.model != nil,
      ]
      let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
      try json.writeAtomically(to: runURL.appendingPathComponent("evaluation-\(taskName).json"))
      let shown = zip(labels.classes, perClass).filter { $0.1 != nil }
      print("    \(taskName) test fold 10: macro-AUC \(evaluation.score.map { String(format: "%.3f", $0) } ?? "n/a")"
        + (shown.count <= 8 ? ";  " + shown.map { "\($0.0) \(String(format: "%.3f", $0.1!))" }.joined(separator: "  ") : " over \(shown.count) classes")
        + "  → \(directory)/")
      outputs += (directory.hasSuffix(".onnx") ? [directory] : ["\(directory)/architecture.json", "\(directory)/weights.safetensors"])
        + ["evaluation-\(taskName).json"]
    }
    return StepOutcome(outputs: outputs)
  }

  /// At most about 200 points of a ROC curve (its corners kept), for the report's figure.
  private func thinned(_ curve: [(fpr: Double, tpr: Double)]) -> [(fpr: Double, tpr: Double)] {
    guard curve.count > 200 else { return curve }
    let step = Double(curve.count - 1) / 199
    return (0..<200).map { curve[Int((Double($0) * step).rounded())] }
  }
}
