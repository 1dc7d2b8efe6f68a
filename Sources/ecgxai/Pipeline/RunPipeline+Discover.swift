import ECGDiscovery
import ECGExplain
import Foundation

extension RunPipeline {
  /// The discover step: `DiscoveryAnalysis` of the configuration's class and subtypes on RUN/data
  /// with the configured model, written as `ecgxai discover` writes it; skipped (with the reason)
  /// when the dataset has no record of the class with one of the subtypes.
  func discoverSubtypes() throws -> StepOutcome {
    let c = configuration
    let settings = DiscoverySettings(
      className: c.discover.className, subtypes: c.discover.subtypes, attribution: c.attribution(c.discover.method, absolute: true),
      inits: c.discover.inits, seed: c.seed, stabilityResamples: c.discover.stabilityResamples)
    let options = DatasetOptions(data: runURL.appendingPathComponent("data").path, rate: settings.rateHz, folds: nil)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    if let reason = DiscoveryAnalysis.cohortProblem(in: dataset, settings: settings) { return StepOutcome(outputs: [], skippedReason: reason) }
    let model = try ModelOptions.load(runURL.appendingPathComponent(c.modelDirectory(task: c.discover.model)).path)
    try options.check(model)
    try Discover.discover(settings, model: model, dataset: dataset, runURL: runURL)
    return StepOutcome(outputs: ["discovery.json", "discovery.svg"])
  }
}
