import ECGPhantom
import Foundation

extension RunPipeline {
  /// Writes the configured phantom cohort (100 Hz, 10 s records) into `dataURL`, replacing what
  /// is there, as `ecgxai synth` does (`Synth.write`: `PhantomCohort` → `PhantomWriter`).
  func writePhantom(to dataURL: URL) throws {
    let c = configuration
    guard let preset = PhantomDifficulty.named(c.data.difficulty) else {
      throw CLIError("unknown difficulty '\(c.data.difficulty)'; use easy, default or hard")
    }
    let config = PhantomConfig(recordCount: c.data.records, seed: c.seed, rates: [100], durationSeconds: 10, difficulty: preset)
    try Synth.write(config, difficulty: c.data.difficulty, to: dataURL.path, overwrite: true)
  }
}
