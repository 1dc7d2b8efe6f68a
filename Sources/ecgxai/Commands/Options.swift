import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// `--model DIR`: a model directory written by ecgxai (architecture.json + weights.safetensors).
struct ModelOptions: ParsableArguments {
  @Option(name: .long, help: "Model directory (architecture.json + weights.safetensors).")
  var model: String

  /// Loads the model or throws an error that says what is wrong.
  func load() throws -> Model {
    do { return try Model.load(from: URL(fileURLWithPath: model)) } catch let error as WeightsError {
      throw CLIError(error.description)
    } catch let error as ModelZooError { throw CLIError(error.description) }
  }
}

/// A user-facing failure: printed as `Error: …` and the process exits with status 1.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Reads a .npy file as a tensor, turning format errors into CLI errors.
func readArray(_ path: String, what: String) throws -> Tensor {
  guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(what) file not found: \(path)") }
  do { return try NumPy.read(URL(fileURLWithPath: path)) } catch let error as NumPyError {
    throw CLIError(error.description)
  }
}

/// Checks that an ECG batch is [N, leads, T] with the model's lead count and no NaN/Inf.
func validateECGBatch(_ x: Tensor, leads: Int, path: String) throws {
  guard x.rank == 3, x.shape[1] == leads, x.shape[0] > 0, x.shape[2] > 0 else {
    throw CLIError("\(path): expected an array [records, \(leads), samples], got \(x.shape)")
  }
  if let bad = x.scalars.firstIndex(where: { !$0.isFinite }) {
    let record = bad / (x.shape[1] * x.shape[2])
    throw CLIError("\(path): record \(record) contains NaN or infinite samples; clean or drop it first")
  }
}
