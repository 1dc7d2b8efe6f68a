import ECGConcepts
import Foundation

extension RunPipeline {
  /// The concepts step: `TCAVStudy` with the configuration's model, runs, random runs, targets
  /// and seed (every other setting as `ecgxai concepts` defaults: all records at 100 Hz, 250-sample
  /// centre crops, every layer, logistic CAVs), writing what the command writes.
  func runConceptStudy() throws -> StepOutcome {
    let started = Date()
    let c = configuration.concepts
    let model = try ModelOptions.load(runURL.appendingPathComponent(configuration.modelDirectory(task: c.model)).path)
    let settings = TCAVStudy.Settings(
      analysis: TCAVSettings(runs: c.runs, randomRuns: c.randomRuns, seed: configuration.seed), targets: c.targets)
    let context = ConceptsErrorContext(split: "all", features: runURL.appendingPathComponent("features.csv").path, queries: nil)
    try context.mapped { try TCAVStudy.validate(settings, model: model) }
    let options = DatasetOptions(data: runURL.appendingPathComponent("data").path, rate: settings.rateHz, folds: nil)
    try options.check(model)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let table = try Concepts.readFeatures(context.features, runURL: runURL, dataset: dataset, settings: settings)
    let study = try context.mapped {
      try TCAVStudy(model: model, dataset: dataset, featureColumns: table.columns, featureValues: table.values, settings: settings)
    }
    print(Concepts.headline(study, runURL: runURL, split: "all"))
    let output = try context.mapped { try study.run(progress: { print("  " + $0) }) }
    try Concepts.save(output, of: study, runURL: runURL, split: "all", started: started)
    return StepOutcome(outputs: ["tcav.json", "concepts/cavs.safetensors"])
  }
}
