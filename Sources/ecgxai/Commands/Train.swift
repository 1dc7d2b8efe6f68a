import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai train`: train a built-in architecture on NumPy arrays.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train lenet1d / xresnet1d on [N, 12, T] ECGs (.npy) and targets [N, K] (.npy).",
    discussion: """
      Defaults are the paper's: AdamW lr 1e-3, weight decay 1e-3, batch 128, random 250-sample
      crops, best-validation-macro-AUC checkpoint (lowest validation loss for regression).
      Example: ecgxai train --arch lenet1d --x X.npy --y Y.npy --epochs 20 --out runs/m/model
      """)

  @Option(help: "Architecture: \(ModelZoo.names.joined(separator: ", ")).")
  var arch = "lenet1d"

  @Option(help: "Training ECGs .npy [records, leads, samples].")
  var x: String

  @Option(help: "Training targets .npy [records, outputs] (0/1 labels or regression values).")
  var y: String

  @Option(help: "Validation ECGs .npy (default: the last --validation-fraction of the training set).")
  var validationX: String?

  @Option(help: "Validation targets .npy.")
  var validationY: String?

  @Option(help: "Share of training records held out for validation when no validation set is given.")
  var validationFraction = 0.1

  @Option(help: "Task: multilabel (BCE with logits) or regression (MSE).")
  var task = "multilabel"

  @Option(help: "Epochs.") var epochs = 100
  @Option(help: "Batch size.") var batchSize = 128
  @Option(help: "AdamW learning rate.") var learningRate: Float = 1e-3
  @Option(help: "AdamW weight decay.") var weightDecay: Float = 1e-3
  @Option(help: "Random training crop in samples (0: full records).") var crop = 250
  @Option(help: "Learning-rate schedule: constant, cosine or onecycle.") var schedule = "constant"
  @Option(help: "Stop after this many epochs without validation improvement.") var patience: Int?
  @Option(help: "Seed of initialisation, shuffling, crops and dropout.") var seed: UInt64 = 0
  @Option(help: "Class names, one per line (default: the .classes.txt that `ecgxai export` wrote beside --y, if any).")
  var classes: String?
  @Option(help: "Sampling rate of --x in Hz, recorded in architecture.json so that predict, explain, … refuse data at another rate (default: not recorded).")
  var samplingRate: Double?
  @Option(help: "Output model directory.") var out: String

  func validate() throws {
    guard ModelZoo.names.contains(arch) else {
      throw ValidationError("unknown --arch '\(arch)'; choose one of \(ModelZoo.names.joined(separator: ", "))")
    }
    guard ClassifierTraining.Task(rawValue: task) != nil else { throw ValidationError("--task must be multilabel or regression") }
    guard ["constant", "cosine", "onecycle"].contains(schedule) else {
      throw ValidationError("--schedule must be constant, cosine or onecycle")
    }
    guard learningRate > 0, learningRate.isFinite, weightDecay >= 0, weightDecay.isFinite else {
      throw ValidationError("--learning-rate must be a positive number and --weight-decay a number ≥ 0")
    }
    if let samplingRate, !(samplingRate > 0 && samplingRate.isFinite) {
      throw ValidationError("--sampling-rate must be a positive number of Hz")
    }
    guard epochs > 0, batchSize > 1, crop >= 0 else {
      throw ValidationError("--epochs must be > 0, --batch-size > 1, --crop ≥ 0")
    }
    guard (validationX == nil) == (validationY == nil) else {
      throw ValidationError("give both --validation-x and --validation-y, or neither")
    }
    guard validationFraction > 0 && validationFraction < 1 else {
      throw ValidationError("--validation-fraction must be in (0, 1)")
    }
  }

  func run() throws {
    // The model directory is checked before the training, not after it.
    do { try Model.checkSaveDestination(URL(fileURLWithPath: out)) } catch let error as UnwritableLocationError {
      throw CLIError(error.description)
    }
    let inputs = try readArray(x, what: "--x")
    let targets = try readArray(y, what: "--y")
    try validateECGBatch(inputs, leads: inputs.rank == 3 ? inputs.shape[1] : 12, path: x)
    guard targets.rank == 2, targets.shape[0] == inputs.shape[0] else {
      throw CLIError("\(y): expected targets [\(inputs.shape[0]), outputs], got \(targets.shape)")
    }
    try validateTargets(targets, path: y)
    let split: (x: Tensor, y: Tensor, validationX: Tensor, validationY: Tensor)
    if let vx = validationX, let vy = validationY {
      let validationInputs = try readArray(vx, what: "--validation-x")
      let validationTargets = try readArray(vy, what: "--validation-y")
      try validateECGBatch(validationInputs, leads: inputs.shape[1], path: vx)
      guard validationTargets.shape == [validationInputs.shape[0], targets.shape[1]] else {
        throw CLIError("\(vy): expected [\(validationInputs.shape[0]), \(targets.shape[1])], got \(validationTargets.shape)")
      }
      try validateTargets(validationTargets, path: vy)
      split = (inputs, targets, validationInputs, validationTargets)
    } else {
      guard let held = ClassifierTraining.holdOut(x: inputs, y: targets, fraction: validationFraction) else {
        throw CLIError("too few records (\(inputs.shape[0])) to hold out a validation set")
      }
      split = held
    }
    let classNames = try readClassNames(outputs: targets.shape[1])
    var configuration = TrainingConfiguration()
    configuration.epochs = epochs
    configuration.batchSize = batchSize
    configuration.learningRate = learningRate
    configuration.weightDecay = weightDecay
    configuration.cropLength = crop == 0 ? nil : crop
    configuration.schedule = schedule
    configuration.earlyStoppingPatience = patience
    configuration.seed = seed
    let training = ClassifierTraining(architecture: arch, task: ClassifierTraining.Task(rawValue: task)!, configuration: configuration)
    let model = try training.makeModel(
      inputChannels: inputs.shape[1], outputs: targets.shape[1], classNames: classNames, samplingRateHz: samplingRate)
    print("training \(arch) (\(model.parameterCount) parameters) on \(split.x.shape[0]) records, validating on \(split.validationX.shape[0])")
    let report = try training.fit(model, x: split.x, y: split.y, validationX: split.validationX, validationY: split.validationY) { epoch in
      let score = epoch.validationScore.map { String(format: "%.4f", $0) } ?? "n/a"
      let metric = task == "regression" ? "R²" : "macro-AUC"
      print(String(format: "epoch %3d  train loss %.4f  val loss %.4f", epoch.epoch, epoch.trainingLoss, epoch.validationLoss)
        + "  val \(metric) \(score)")
    }
    try model.save(to: URL(fileURLWithPath: out))
    if let classNames { print("class names: \(classNames.joined(separator: " "))") }
    print("best epoch \(report.bestEpoch); model written to \(out)")
  }

  /// Refuses targets with NaN or infinite values (they would train a NaN model), naming the row.
  private func validateTargets(_ targets: Tensor, path: String) throws {
    guard let bad = targets.scalars.firstIndex(where: { !$0.isFinite }) else { return }
    throw CLIError("\(path): target row \(bad / max(targets.shape[1], 1)) holds \(targets.scalars[bad]); targets must be finite numbers")
  }

  /// The class names from --classes, or from `Y-base.classes.txt` beside --y when it exists.
  private func readClassNames(outputs: Int) throws -> [String]? {
    let base = y.hasSuffix(".labels.npy") ? String(y.dropLast(".labels.npy".count)) : nil
    guard let path = classes ?? base.map({ $0 + ".classes.txt" }), classes != nil || FileManager.default.fileExists(atPath: path) else {
      return nil
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the class names file \(path)") }
    let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard names.count == outputs else { throw CLIError("\(path): \(names.count) class names for \(outputs) outputs") }
    return names
  }
}
