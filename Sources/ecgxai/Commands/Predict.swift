import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai predict`: run a saved model on a NumPy array of ECGs.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a model on ECGs (.npy [N, 12, T] or a PTB-XL folder) and write logits [N, classes].",
    discussion: """
      Examples:
        ecgxai predict --model runs/demo/model --input X.npy --out logits.npy
        ecgxai predict --model runs/demo/model --data runs/demo/data --folds 10 --out logits.npy
      With --data, records are read in batches (never all at once) in ptbxl_database.csv order;
      their ecg_ids are written next to the output as OUT.ecg_id.csv.
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Input .npy, shape [records, leads, samples], values in mV.")
  var input: String?

  @OptionGroup var dataset: DatasetOptions

  @Option(help: "Output .npy for the logits [records, classes] (float32).")
  var out: String

  @Option(help: "Records per forward pass.")
  var batchSize = 64

  @Flag(help: "Write sigmoid probabilities instead of logits.")
  var probabilities = false

  func validate() throws {
    guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    guard (input == nil) != (dataset.data == nil) else {
      throw ValidationError("give exactly one of --input X.npy and --data DIR")
    }
  }

  func run() throws {
    let model = try modelOptions.load()
    var logits: Tensor
    if let input {
      let x = try readArray(input, what: "input")
      try validateECGBatch(x, leads: model.architecture.inputChannels, path: input, model: model)
      logits = Trainer().predict(model, x: x, batchSize: batchSize)
    } else {
      try dataset.check(model)
      let data = try dataset.load()!
      let indices = try dataset.selection(data)
      guard !indices.isEmpty else { throw CLIError("no records in the selected folds") }
      var rows: [Float] = []
      var classes = 0
      for start in stride(from: 0, to: indices.count, by: batchSize) {
        let chunk = Array(indices[start..<min(indices.count, start + batchSize)])
        let x = try dataset.batch(data, chunk)
        try validateECGBatch(x, leads: model.architecture.inputChannels, path: dataset.data!, model: model)
        let y = Trainer().predict(model, x: x, batchSize: batchSize)
        classes = y.shape[1]
        rows += y.scalars
        progress(done: start + chunk.count, total: indices.count)
      }
      logits = Tensor(shape: [indices.count, classes], scalars: rows)
      let ids = "ecg_id\n" + indices.map { "\(data.entries[$0].ecgID)\n" }.joined()
      try Data(ids.utf8).writeAtomically(to: try outputURL(out + ".ecg_id.csv"))
    }
    if probabilities { logits = logits.map { 1 / (1 + expf(-$0)) } }
    try NumPy.write(logits, to: try outputURL(out))
    print("wrote \(out): \(logits.shape) \(probabilities ? "probabilities" : "logits") of \(model.architecture.name)")
  }
}

#if canImport(Glibc)
  import Glibc
#endif
