import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// Training and testing one classifier on a label task of a PTB-XL-layout dataset with the
/// paper's protocol: folds 1–8 train, 9 selects the best epoch, 10 tests
/// (`PTBXLDataset.TaskSplit`, `ClassifierTraining`). The result is `evaluation-TASK.json`.
///
/// It lives in ECGExplain because its result carries a `Provenance` (defined here): ECGExplain
/// is the lowest module that sees ECGNet, ECGSignal and `Provenance`. The tensor-level protocol
/// is `ClassifierTraining` in ECGNet, the dataset split `PTBXLDataset.TaskSplit` in ECGSignal.
public struct TaskTraining: Codable, Sendable {
  /// The label task (`PTBXLDataset.Task`).
  public var task: PTBXLDataset.Task
  /// How the classifier is trained (architecture, epochs, seed, …).
  public var training: ClassifierTraining
  /// Sampling rate of the records read, Hz (100 or 500).
  public var rateHz: Int

  /// Training of `task` with `training` on records read at `rateHz`.
  public init(task: PTBXLDataset.Task, training: ClassifierTraining, rateHz: Int = 100) {
    (self.task, self.training, self.rateHz) = (task, training, rateHz)
  }

  /// The task's split of `dataset`.
  /// - Throws: `TaskTrainingError.tooFewRecords` when a split is (nearly) empty.
  public func split(_ dataset: PTBXLDataset) throws -> PTBXLDataset.TaskSplit {
    let split = PTBXLDataset.TaskSplit(dataset, task: task)
    guard split.train.count >= 10, !split.validation.isEmpty, !split.test.isEmpty else {
      throw TaskTrainingError.tooFewRecords(
        task: task.rawValue, train: split.train.count, validation: split.validation.count, test: split.test.count)
    }
    return split
  }

  /// Trains a new classifier on `split` of `dataset` (or takes `pretrained`, whose outputs must
  /// be the task's classes, untrained) and scores it on the test fold.
  /// - Parameters:
  ///   - started: called with the new model before training starts (not for `pretrained`).
  ///   - progress: called after every epoch.
  /// - Returns: the model and its evaluation (`model` path empty: the caller sets it).
  /// - Throws: `PTBXLError` (records), `TrainingError` (training).
  public func run(
    dataset: PTBXLDataset, split: PTBXLDataset.TaskSplit, pretrained: Model? = nil,
    started: (Model) -> Void = { _ in }, progress: (EpochSummary) -> Void = { _ in }
  ) throws -> (model: Model, evaluation: TaskEvaluation) {
    let clock = Date()
    let classes = split.labels.classes
    let model: Model
    var history: [TaskEvaluation.Epoch] = []
    var bestEpoch: Int? = nil
    if let pretrained {
      model = pretrained
    } else {
      let train = try split.tensors(dataset, rows: split.train, rate: rateHz)
      let validation = try split.tensors(dataset, rows: split.validation, rate: rateHz)
      model = try training.makeModel(outputs: classes.count, classNames: classes, samplingRateHz: Double(rateHz))
      started(model)
      let report = try training.fit(model, x: train.x, y: train.y, validationX: validation.x, validationY: validation.y) { e in
        history.append(TaskEvaluation.Epoch(e))
        progress(e)
      }
      bestEpoch = report.bestEpoch
    }
    let test = try split.tensors(dataset, rows: split.test, rate: rateHz)
    let scores = training.evaluate(model, x: test.x, y: test.y, classNames: classes)
    let evaluation = TaskEvaluation(
      provenance: Provenance(model: model, datasetSHA256: dataset.indexSHA256, seed: training.configuration.seed),
      task: task.rawValue, architecture: model.architecture.name, parameters: model.parameterCount, model: "",
      classes: classes, epochs: training.configuration.epochs, bestEpoch: bestEpoch, history: history,
      records: ["train": split.train.count, "validation": split.validation.count, "test": split.test.count],
      classCounts: [
        "train": split.classCounts(split.train), "validation": split.classCounts(split.validation),
        "test": split.classCounts(split.test),
      ],
      test: scores, seconds: Date().timeIntervalSince(clock), pretrained: pretrained != nil)
    return (model, evaluation)
  }
}

/// Why a label task cannot be trained.
public enum TaskTrainingError: Error, CustomStringConvertible, Equatable {
  /// The paper's split left fewer than 10 training, or no validation or test records.
  case tooFewRecords(task: String, train: Int, validation: Int, test: Int)

  /// What is wrong and what to do.
  public var description: String {
    switch self {
    case .tooFewRecords(let task, let train, let validation, let test):
      "task \(task): too few labelled records per split (\(train) train, \(validation) validation, \(test) test); the paper's split needs strat_fold 1–10"
    }
  }
}


