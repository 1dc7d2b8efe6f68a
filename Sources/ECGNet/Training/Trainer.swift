import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Settings of a training run; defaults are the paper's (hhi-aml/xai4ecg `train_model.py`):
/// AdamW lr 1e-3, weight decay 1e-3, batch 128, random crops of 250 samples, best validation
/// macro-AUC checkpoint (lowest validation loss for regression).
public struct TrainingConfiguration: Codable, Sendable {
  /// Passes over the training set (the paper: up to 100).
  public var epochs: Int = 100
  /// Records per optimizer step.
  public var batchSize: Int = 128
  /// AdamW learning rate (peak rate for the schedules).
  public var learningRate: Float = 1e-3
  /// AdamW decoupled weight decay.
  public var weightDecay: Float = 1e-3
  /// Length of the random training crop in samples (nil: full records).
  public var cropLength: Int? = 250
  /// Learning-rate schedule: `constant` (the paper), `cosine` or `onecycle`.
  public var schedule: String = "constant"
  /// Stop after this many epochs without validation improvement (nil: never).
  public var earlyStoppingPatience: Int? = nil
  /// Seed of shuffling, crops and dropout.
  public var seed: UInt64 = 0
  /// Objective: BCE with logits (multi-label) or MSE (regression).
  public var loss: Loss = .binaryCrossEntropyWithLogits

  /// The paper's settings.
  public init() {}
}

/// What happened in one epoch.
public struct EpochSummary: Codable, Sendable {
  /// 1-based epoch number.
  public var epoch: Int
  /// Mean training loss over the epoch's batches.
  public var trainingLoss: Float
  /// Validation loss on full-length records.
  public var validationLoss: Float
  /// Validation macro-AUC (multi-label) or R² (regression), if defined.
  public var validationScore: Double?
  /// Learning rate used.
  public var learningRate: Float
}

/// The outcome of `Trainer.fit`.
public struct TrainingReport: Codable, Sendable {
  /// Per-epoch history.
  public var epochs: [EpochSummary]
  /// The epoch whose weights were restored (best validation score / loss).
  public var bestEpoch: Int
}

/// Mini-batch training with seeded shuffling and crops, AdamW, and best-checkpoint restore.
public struct Trainer {
  /// The settings.
  public var configuration: TrainingConfiguration

  /// Creates a trainer.
  public init(configuration: TrainingConfiguration = TrainingConfiguration()) {
    self.configuration = configuration
  }

  /// Trains `model` on x [N, C, T] / y [N, K], validating on full-length xVal / yVal after each
  /// epoch; on return the model holds the best epoch's weights. `progress` is called after each
  /// epoch.
  /// - Throws: `TrainingError.invalidConfiguration` for unusable settings (also crops or
  ///   validation records too short for the model), `.nonFiniteData` for
  ///   NaN or infinite inputs or targets, `.nonFiniteLoss` when training diverges (the model
  ///   then holds the diverged weights; do not save it).
  public func fit(
    _ model: Model, x: Tensor, y: Tensor, validationX: Tensor, validationY: Tensor,
    progress: (EpochSummary) -> Void = { _ in }
  ) throws -> TrainingReport {
    let c = configuration
    precondition(x.rank == 3 && y.rank == 2 && x.shape[0] == y.shape[0], "Trainer: x \(x.shape) y \(y.shape)")
    precondition(validationX.shape[0] == validationY.shape[0], "Trainer: validation shapes")
    if let problem = c.problem { throw TrainingError.invalidConfiguration(problem) }
    for (tensor, name) in [(x, "inputs"), (y, "targets"), (validationX, "validation inputs"), (validationY, "validation targets")] {
      if let problem = nonFiniteProblem(tensor.scalars, rowSize: tensor.count / max(tensor.shape[0], 1), name: name) {
        throw TrainingError.nonFiniteData(problem)
      }
    }
    let (n, channels, length) = (x.shape[0], x.shape[1], x.shape[2])
    let crop = min(c.cropLength ?? length, length)
    // A crop (or record) shorter than the model's receptive field leaves a layer without output.
    for (shape, what) in [([2, channels, crop], "training crops"), (validationX.shape, "validation records")] {
      if let problem = model.inputShapeProblem(shape) {
        throw TrainingError.invalidConfiguration("\(what) of \(shape[2]) samples: \(problem)")
      }
    }
    let classes = y.shape[1]
    var rng = SeededRNG(seed: c.seed)
    let optimizer = AdamW(parameters: model.trainableParameters, learningRate: c.learningRate, weightDecay: c.weightDecay)
    let stepsPerEpoch = (n + c.batchSize - 1) / c.batchSize
    let totalSteps = max(1, stepsPerEpoch * c.epochs)
    var history: [EpochSummary] = []
    var best: (epoch: Int, key: Double, weights: [Tensor])? = nil
    var step = 0
    for epoch in 1...max(c.epochs, 1) {
      var order = Array(0..<n)
      order.shuffle(using: &rng)
      var lossSum: Float = 0
      var batches = 0
      for start in stride(from: 0, to: n, by: c.batchSize) {
        let indices = order[start..<min(start + c.batchSize, n)]
        if indices.count < 2 { continue }  // BatchNorm needs more than one record
        var batchX = [Float](repeating: 0, count: indices.count * channels * crop)
        var batchY = [Float](repeating: 0, count: indices.count * classes)
        for (row, record) in indices.enumerated() {
          let offset = crop < length ? Int(rng.next() % UInt64(length - crop + 1)) : 0
          for ch in 0..<channels {
            let source = (record * channels + ch) * length + offset
            let target = (row * channels + ch) * crop
            for t in 0..<crop { batchX[target + t] = x.scalars[source + t] }
          }
          for k in 0..<classes { batchY[row * classes + k] = y.scalars[record * classes + k] }
        }
        optimizer.learningRate = learningRate(step: step, total: totalSteps)
        let inputs = Tensor(shape: [indices.count, channels, crop], scalars: batchX)
        let logits = model.forward(inputs, options: .training)
        let (value, gradient) = c.loss.evaluate(logits: logits, targets: Tensor(shape: [indices.count, classes], scalars: batchY))
        guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, step: step + 1, loss: value) }
        _ = model.backward(gradient, options: .training)
        model.root.clearRecords()
        optimizer.step()
        lossSum += value
        batches += 1
        step += 1
      }
      let validation = evaluate(model, x: validationX, y: validationY)
      guard validation.loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, step: step, loss: validation.loss) }
      let summary = EpochSummary(
        epoch: epoch, trainingLoss: batches > 0 ? lossSum / Float(batches) : .nan,
        validationLoss: validation.loss, validationScore: validation.score,
        learningRate: optimizer.learningRate)
      history.append(summary)
      progress(summary)
      let key = c.loss == .meanSquaredError ? -Double(validation.loss) : (validation.score ?? -Double(validation.loss))
      if best == nil || key > best!.key {
        best = (epoch, key, model.namedParameters.map { $0.parameter.value })
      } else if let patience = c.earlyStoppingPatience, epoch - best!.epoch >= patience {
        break
      }
    }
    if let best {
      for (parameter, value) in zip(model.namedParameters.map(\.parameter), best.weights) { parameter.value = value }
    }
    return TrainingReport(epochs: history, bestEpoch: best?.epoch ?? 0)
  }

  /// Validation loss and score (macro-AUC for BCE, R² for MSE) of full-length records, in
  /// evaluation mode, batched.
  public func evaluate(_ model: Model, x: Tensor, y: Tensor) -> (loss: Float, score: Double?, logits: Tensor) {
    let logits = predict(model, x: x, batchSize: configuration.batchSize)
    let loss = configuration.loss.evaluate(logits: logits, targets: y).value
    let score = configuration.loss == .meanSquaredError
      ? Metrics.rSquared(logits, y) : Metrics.macroAUC(scores: logits, targets: y)
    return (loss, score, logits)
  }

  /// Logits [N, K] of x [N, C, T] in evaluation mode, in batches.
  public func predict(_ model: Model, x: Tensor, batchSize: Int = 64) -> Tensor {
    let n = x.shape[0]
    var parts: [Float] = []
    for start in stride(from: 0, to: n, by: batchSize) {
      parts += model.forward(x.slice(start..<min(start + batchSize, n))).scalars
    }
    return Tensor(shape: [n, model.architecture.classes], scalars: parts)
  }

  private func learningRate(step: Int, total: Int) -> Float {
    let peak = configuration.learningRate
    let progress = Float(step) / Float(total)
    switch configuration.schedule {
    case "cosine":
      return peak * 0.5 * (1 + cosf(Float.pi * progress))
    case "onecycle":
      // Linear warm-up over the first 30 % from peak/25, cosine annealing to peak/25e4.
      if progress < 0.3 { return peak / 25 + (peak - peak / 25) * progress / 0.3 }
      let down = (progress - 0.3) / 0.7
      return peak / 25e4 + (peak - peak / 25e4) * 0.5 * (1 + cosf(Float.pi * down))
    default:
      return peak
    }
  }
}
