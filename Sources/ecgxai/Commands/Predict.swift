import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai predict`: run a saved model on a NumPy array of ECGs.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a model on [N, 12, T] float32 ECGs (.npy) and write logits [N, classes].",
    discussion: "Example: ecgxai predict --model runs/demo/model --input X.npy --out logits.npy")

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Input .npy, shape [records, leads, samples], values in mV.")
  var input: String

  @Option(help: "Output .npy for the logits [records, classes] (float32).")
  var out: String

  @Option(help: "Records per forward pass.")
  var batchSize = 64

  @Flag(help: "Write sigmoid probabilities instead of logits.")
  var probabilities = false

  func validate() throws {
    guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
  }

  func run() throws {
    let model = try modelOptions.load()
    let x = try readArray(input, what: "input")
    try validateECGBatch(x, leads: model.architecture.inputChannels, path: input)
    var logits = Trainer().predict(model, x: x, batchSize: batchSize)
    if probabilities { logits = logits.map { 1 / (1 + expf(-$0)) } }
    try NumPy.write(logits, to: URL(fileURLWithPath: out))
    print("wrote \(out): \(logits.shape) \(probabilities ? "probabilities" : "logits") of \(model.architecture.name)")
  }
}

#if canImport(Glibc)
  import Glibc
#endif
