import Foundation

extension RunConfiguration {
  /// The settings a step's result depends on, as JSON values: recorded in manifest.json and
  /// hashed into the step's key, so a changed setting makes the step (and what reads it) stale.
  func settings(of step: PipelineStep) -> [String: Any] {
    var s: [String: Any]
    switch step {
    case .data:
      s = ["source": data.source, "path": data.path.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? NSNull(),
           "records": data.source == "phantom" ? data.records : NSNull(), "difficulty": data.difficulty]
    case .train:
      s = ["arch": train.arch, "tasks": train.tasks, "epochs": train.epochs, "model": train.model ?? NSNull()]
    case .explain:
      s = ["methods": explain.methods, "split": explain.split]
    case .sanity:
      s = ["tasks": sanity.tasks, "arch": sanity.arch, "epochs": sanity.epochs, "records": sanity.records,
           "methods": sanity.methods, "features": sanity.features ?? NSNull(),
           "randomisation_records": sanity.randomisationRecords, "bootstrap": sanity.bootstrap]
    case .audit:
      s = ["model": audit.model, "conditions": audit.conditions ?? NSNull(), "method": audit.method,
           "top": audit.top, "bootstrap": audit.bootstrap]
    case .features:
      s = [:]
    case .concepts:
      s = ["model": concepts.model, "targets": concepts.targets ?? NSNull(), "runs": concepts.runs,
           "random_runs": concepts.randomRuns]
    case .discover:
      s = ["model": discover.model, "class": discover.className, "subtypes": discover.subtypes,
           "method": discover.method, "inits": discover.inits, "stability_resamples": discover.stabilityResamples]
    case .report:
      s = [:]
    }
    s["seed"] = seed
    return s
  }

  /// What a step's key hashes: its settings and, for the steps that attribute (explain, sanity,
  /// audit, discover), the `attribution` section — a changed ε makes exactly those stale.
  func keyedSettings(of step: PipelineStep) -> [String: Any] {
    var s = settings(of: step)
    if [.explain, .sanity, .audit, .discover].contains(step) { s["attribution"] = attributionSettings }
    return s
  }

  /// The `attribution` section's values (the parameters every attributing step uses).
  var attributionSettings: [String: Any] {
    [
      "steps": attribution.steps, "integration": attribution.integration.rawValue, "baseline": attribution.baseline,
      "epsilon": Self.decimal(attribution.epsilon), "gamma": Self.decimal(attribution.gamma), "residual": attribution.residual.rawValue,
      "samples": attribution.samples, "noise": Self.decimal(attribution.noise), "window": attribution.window,
      "stride": attribution.stride,
    ]
  }

  /// A float32 parameter as the decimal it was written as (1e-3 → 0.001, not 0.0010000000474974513).
  private static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

  /// Every setting, by step (what `manifest.json` records as the run's configuration).
  var allSettings: [String: Any] {
    var all: [String: Any] = ["out": out, "seed": seed, "steps": steps.map(\.rawValue)]
    for step in PipelineStep.allCases { all[step.rawValue] = settings(of: step) }
    all["attribution"] = attributionSettings
    return all
  }

  /// The documented default configuration, as `ecgxai run --write-config` writes it. Parsing it
  /// gives exactly `RunConfiguration()` (tested).
  static let documentedDefaults = """
    # ecgxai run configuration (YAML; JSON with the same keys works too). Every key is optional;
    # the values below are the defaults, which follow the paper's protocol (docs/run.md).
    out: runs/run            # run directory: every step reads and writes here
    seed: 0                  # cohort, initialisation, training, bootstraps, clustering
    steps: [data, train, explain, sanity, audit, features, concepts, discover, report]

    data:
      source: phantom        # phantom (generated into RUN/data) or ptbxl (an existing folder)
      # path: /data/ptb-xl   # with source: ptbxl — linked as RUN/data, never modified
      records: 2000          # phantom records (100 Hz, 10 s, PTB-XL layout with truth/)
      difficulty: default    # phantom: easy, default or hard

    train:                   # folds 1–8 train, 9 validation, 10 test; AdamW lr 1e-3, wd 1e-3,
      arch: lenet1d          # batch 128, random 250-sample crops, best validation macro-AUC
      tasks: [superdiagnostic, subdiagnostic]   # first → RUN/model, others → RUN/model-TASK
      epochs: 100
      # model: path/to/model # use this model directory as RUN/model instead of training it

    explain:                 # attributions of the first classifier (RUN/attributions/METHOD.npy)
      methods: [saliency, ig, lrp-epsilon]
      split: test            # test, validation, train or all

    sanity:                  # amplitude-regression sanity checks (one model per task)
      tasks: [T_Wave_Amplitude, R_Peak_Amplitude, P_Wave_Amplitude]
      arch: lenet1d
      epochs: 20
      records: 200           # test records attributed (the paper: 1000)
      methods: [saliency, ig, lrp-epsilon, guided-gradcam]
      randomisation_records: 16   # records of the randomisation and faithfulness tests (0: skip)
      bootstrap: 1000        # resamples of the 95 % confidence intervals
      # features: PTB-XL+/features/unig_features.csv   # targets; the phantom has truth/

    audit:                   # glocal audit: lead × segment relevance of the top records per class
      model: subdiagnostic   # which trained task's classifier
      # conditions: [LVH, CLBBB, IMI, AMI]   # default: the paper's, those the model has
      method: saliency       # |gradient|, the paper's
      top: 100
      bootstrap: 500

    concepts:                # TCAV with the paper's expert concepts on every layer
      model: subdiagnostic
      # targets: [LVH, CLBBB, IMI, AMI]      # default: the paper's, those the model has
      runs: 10
      random_runs: 30

    attribution:             # the methods' parameters, for explain, sanity, audit and discover
      steps: 10              # ig: path points (the paper's, as Zennit)
      integration: riemann_right   # ig: riemann_left/right/middle/trapezoid, gausslegendre
      baseline: zero         # ig: zero or lead-mean
      epsilon: 0.001         # lrp: ε of the ε-rule (the paper's)
      gamma: 0.25            # lrp-epsilon-gamma-box: γ
      residual: gradient     # lrp: residual additions by their gradient (the paper's) or proportional
      samples: 25            # smoothgrad: noisy copies
      noise: 0.1             # smoothgrad: σ in mV
      window: 50             # occlusion: window in samples
      stride: 25             # occlusion: stride in samples

    discover:                # clustering of one class's attributions
      model: superdiagnostic
      class: MI
      subtypes: [AMI, IMI]
      method: saliency
      inits: 10
      stability_resamples: 20

    """
}
