import ECGAudit
import Foundation

extension RunPipeline {
  /// The glocal audit of the configured classifier on RUN/data (all records at 100 Hz, the top N
  /// per class against NORM, built-in expert rules): `AuditRun` through the same `AuditJob` as
  /// `ecgxai audit RUN`, so it writes the same results.sqlite, audit.json and manifest entry.
  func auditClassifier() throws -> StepOutcome {
    let c = configuration
    try prepareRunDirectory(runURL)
    let job = AuditJob(
      runURL: runURL, model: runURL.appendingPathComponent(c.modelDirectory(task: c.audit.model)).path, arch: nil,
      data: runURL.appendingPathComponent("data"), rate: 100, split: "all", shard: nil, rules: nil, subgroups: nil,
      features: runURL.appendingPathComponent("features.csv"), conditions: c.audit.conditions, reference: "NORM",
      referenceOutput: "condition", selection: "top", top: c.audit.top,
      attribution: c.attribution(c.audit.method, absolute: true), segmentation: "delineation",
      bootstrap: c.audit.bootstrap, alpha: 0.01, seed: c.seed, batchSize: 64)
    try job.perform()
    return StepOutcome(outputs: ["audit.json", "results.sqlite"])
  }
}
