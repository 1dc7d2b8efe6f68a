/// Why `Trainer.fit` refused to train or stopped.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
  /// A setting is out of range (a learning rate of NaN, a batch of one record, …).
  case invalidConfiguration(String)
  /// The inputs or targets hold NaN or infinite values.
  case nonFiniteData(String)
  /// The loss became NaN or infinite: the model diverged.
  case nonFiniteLoss(epoch: Int, step: Int, loss: Float)

  public var description: String {
    switch self {
    case .invalidConfiguration(let reason): "invalid training settings: \(reason)"
    case .nonFiniteData(let reason): "\(reason); clean or drop those records first"
    case .nonFiniteLoss(let epoch, let step, let loss):
      "training diverged: the loss became \(loss.isNaN ? "NaN" : "\(loss)") in epoch \(epoch) (step \(step)); "
        + "lower the learning rate or check the inputs and targets"
    }
  }
}

extension TrainingConfiguration {
  /// What makes these settings unusable, or nil.
  public var problem: String? {
    if epochs < 1 { return "epochs is \(epochs); it must be ≥ 1" }
    if batchSize < 2 { return "batch size is \(batchSize); it must be ≥ 2 (BatchNorm needs two records)" }
    if !(learningRate > 0 && learningRate.isFinite) {
      return "learning rate is \(learningRate); it must be a positive number"
    }
    if !(weightDecay >= 0 && weightDecay.isFinite) {
      return "weight decay is \(weightDecay); it must be a number ≥ 0"
    }
    if let crop = cropLength, crop < 1 { return "crop length is \(crop); it must be ≥ 1" }
    return nil
  }
}

/// The first non-finite value of `scalars` as "NAME [row …] holds nan", or nil.
func nonFiniteProblem(_ scalars: [Float], rowSize: Int, name: String) -> String? {
  guard let bad = scalars.firstIndex(where: { !$0.isFinite }) else { return nil }
  return "\(name) row \(bad / max(rowSize, 1)) holds \(scalars[bad])"
}
