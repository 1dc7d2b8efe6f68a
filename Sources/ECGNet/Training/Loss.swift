import ECGTensor

/// Training objectives. Both return the mean loss and its gradient with respect to the logits,
/// as PyTorch's `reduction="mean"` (mean over every element of [N, K]).
public enum Loss: String, Codable, Sendable {
  /// Multi-label binary cross-entropy on logits (`F.binary_cross_entropy_with_logits`).
  case binaryCrossEntropyWithLogits
  /// Mean squared error (`F.mse_loss`), for regression.
  case meanSquaredError

  /// Loss value and d loss / d logits for logits and targets of equal shape [N, K].
  public func evaluate(logits: Tensor, targets: Tensor) -> (value: Float, gradient: Tensor) {
    precondition(logits.shape == targets.shape, "Loss: logits \(logits.shape) vs targets \(targets.shape)")
    let count = Float(max(logits.count, 1))
    var gradient = Tensor(zeros: logits.shape)
    var total = 0.0
    for i in 0..<logits.count {
      let z = logits.scalars[i]
      let y = targets.scalars[i]
      switch self {
      case .binaryCrossEntropyWithLogits:
        // log(1 + e^{−|z|}) + max(z, 0) − z·y, numerically stable.
        total += Double(max(z, 0) - z * y + log1pf(expf(-abs(z))))
        let sigmoid = z >= 0 ? 1 / (1 + expf(-z)) : expf(z) / (1 + expf(z))
        gradient.scalars[i] = (sigmoid - y) / count
      case .meanSquaredError:
        total += Double((z - y) * (z - y))
        gradient.scalars[i] = 2 * (z - y) / count
      }
    }
    return (Float(total / Double(count)), gradient)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
