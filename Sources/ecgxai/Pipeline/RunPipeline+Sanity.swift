import ECGEvaluate
import ECGExplain
import Foundation

extension RunPipeline {
  /// The sanity step: the amplitude-regression study per task, then (on the phantom, with a
  /// classifier) the localisation check — the library's studies with the run's settings, written
  /// and reported as `ecgxai sanity` does.
  func runSanity() throws -> StepOutcome {
    let c = configuration
    let attributions = c.sanity.methods.map { c.attribution($0) }
    var outputs: [String] = []
    for task in c.sanity.tasks {
      let started = Date()
      var settings = SanitySettings()
      settings.task = AmplitudeTask(rawValue: task)!
      (settings.architecture, settings.epochs, settings.records, settings.seed) = (c.sanity.arch, c.sanity.epochs, c.sanity.records, c.seed)
      (settings.attributions, settings.randomisationRecords, settings.bootstrap) = (attributions, c.sanity.randomisationRecords, c.sanity.bootstrap)
      let name = try Sanity.runRegression(runURL, settings: settings, features: c.sanity.features)
      print("wrote \(c.out)/\(name) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
      outputs.append(name)
    }
    // Localisation of the classifier's attributions against the phantom's evidence masks.
    let manager = FileManager.default
    if manager.fileExists(atPath: runURL.appendingPathComponent("model/architecture.json").path),
      manager.fileExists(atPath: runURL.appendingPathComponent("data/truth").path) {
      let started = Date()
      var settings = LocalisationSettings()
      (settings.attributions, settings.seed, settings.bootstrap) = (attributions, c.seed, c.sanity.bootstrap)
      let name = try Sanity.runLocalisation(runURL, settings: settings, model: nil)
      print("wrote \(c.out)/\(name) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
      outputs.append(name)
    }
    return StepOutcome(outputs: outputs)
  }
}
