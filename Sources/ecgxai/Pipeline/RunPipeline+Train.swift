import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

extension RunPipeline {
  /// Trains one classifier per label task with the paper's protocol (`TaskTraining`) and writes,
  /// per task, the model directory and `evaluation-TASK.json` (`TaskEvaluation`: class counts per
  /// split, training history, per-class test AUC and ROC curves).
  func trainClassifiers() throws -> StepOutcome {
    let c = configuration
    guard let dataset = try DatasetOptions(data: runURL.appendingPathComponent("data").path, rate: 100, folds: nil).load() else { throw CLIError("no dataset") }
    var outputs: [String] = []
    for (index, taskName) in c.train.tasks.enumerated() {
      var configuration = TrainingConfiguration()
      configuration.epochs = c.train.epochs
      configuration.seed = c.seed
      let training = TaskTraining(
        task: PTBXLDataset.Task(rawValue: taskName)!, training: ClassifierTraining(architecture: c.train.arch, configuration: configuration))
      let directory = c.modelDirectory(task: taskName)
      let trained: (model: Model, evaluation: TaskEvaluation)
      do {
        let split = try training.split(dataset)
        let labels = split.labels
        var pretrained: Model? = nil
        if index == 0, let given = c.train.model { pretrained = try givenModel(given, task: taskName, classes: labels.classes) }
        trained = try training.run(dataset: dataset, split: split, pretrained: pretrained, started: { model in
          print("    \(taskName): \(labels.classes.count) classes, \(model.parameterCount) parameters; \(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test records")
        }, progress: { progress(done: $0.epoch, total: c.train.epochs) })
      } catch let error as TaskTrainingError {
        throw CLIError(error.description)
      } catch let error as PTBXLError {
        throw CLIError(error.description)
      }
      let model = trained.model
      var result = trained.evaluation
      result.model = directory
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
        try Data((result.classes.joined(separator: "\n") + "\n").utf8)
          .writeAtomically(to: target.deletingPathExtension().appendingPathExtension("classes.txt"))
      } else {
        try model.save(to: runURL.appendingPathComponent(directory))
      }
      try result.jsonData().writeAtomically(to: runURL.appendingPathComponent("evaluation-\(taskName).json"))
      let shown = zip(result.classes, result.test.orderedAUC).compactMap { name, auc in auc.map { (name, $0) } }
      print("    \(taskName) test fold 10: macro-AUC \(result.test.macroAUC.map { String(format: "%.3f", $0) } ?? "n/a")"
        + (shown.count <= 8 ? ";  " + shown.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: "  ") : " over \(shown.count) classes")
        + "  → \(directory)/")
      outputs += (directory.hasSuffix(".onnx") ? [directory] : ["\(directory)/architecture.json", "\(directory)/weights.safetensors"])
        + ["evaluation-\(taskName).json"]
    }
    return StepOutcome(outputs: outputs)
  }

  /// The configured `train.model` (a model directory, an ONNX file, or a state dict of
  /// `train.arch`) checked against the task's classes; an imported model without class names
  /// takes the task's classes in the benchmark's (sorted) order, as PTB-XL's benchmark code
  /// trains them.
  private func givenModel(_ given: String, task taskName: String, classes: [String]) throws -> Model {
    let loaded = try ModelOptions.load(given, arch: given.hasSuffix(".safetensors") ? configuration.train.arch : nil)
    let names = loaded.architecture.classNames ?? []
    let model: Model
    if names.isEmpty && loaded.architecture.classes == classes.count {
      var architecture = loaded.architecture
      architecture.classNames = classes
      model = Model(architecture: architecture, root: loaded.root)
      print("    \(taskName): \(given) names no classes; its \(classes.count) outputs are taken as \(classes.joined(separator: ", ")) (sorted, as the PTB-XL benchmark orders them)")
    } else {
      guard names == classes else {
        throw CLIError("train.model \(given) has \(names.isEmpty ? "\(loaded.architecture.classes) unnamed outputs" : "classes " + names.joined(separator: ","))"
          + "; the \(taskName) task of the data has \(classes.count): \(classes.joined(separator: ",")) (in this order)")
      }
      model = loaded
    }
    print("    \(taskName): using the model \(given) (\(model.architecture.name), \(model.parameterCount) parameters), not training")
    return model
  }
}
