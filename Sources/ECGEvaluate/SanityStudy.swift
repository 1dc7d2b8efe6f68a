import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// A per-lead wave amplitude the sanity study regresses (PTB-XL+'s Uni-G columns
/// `P_Amp_<lead>`, `R_Amp_<lead>`, `T_Amp_<lead>`, mV).
public enum AmplitudeTask: String, Codable, Sendable, CaseIterable {
  /// P wave amplitude.
  case pWave = "P_Wave_Amplitude"
  /// R peak amplitude.
  case rPeak = "R_Peak_Amplitude"
  /// T wave amplitude.
  case tWave = "T_Wave_Amplitude"

  /// The wave's letter: P, R or T.
  public var wave: String {
    switch self {
    case .pWave: "P"
    case .rPeak: "R"
    case .tWave: "T"
    }
  }
}

/// What the amplitude-regression sanity study does (`ecgxai sanity`'s options).
public struct SanitySettings: Codable, Sendable, Equatable {
  /// The amplitude regressed.
  public var task: AmplitudeTask = .tWave
  /// Architecture of the regression model (a `ModelZoo` name).
  public var architecture = "lenet1d"
  /// Training epochs.
  public var epochs = 20
  /// Test records to attribute (the paper: 1000).
  public var records = 200
  /// The attribution methods compared, in order (`AttributionSpec(method:)` gives ecgxai's defaults).
  public var attributions = ["saliency", "ig", "lrp-epsilon", "guided-gradcam"].map { AttributionSpec(method: $0) }
  /// Seed of training, bootstrap, random orders and subsets.
  public var seed: UInt64 = 0
  /// Test records of the randomisation and faithfulness tests (0 skips them).
  public var randomisationRecords = 16
  /// Top-k size of the top-k intersection similarity (samples of the 12 × T map).
  public var topK = 120
  /// Samples per lead window of the deletion and insertion curves.
  public var window = 10
  /// Windows replaced per step, and steps, of the deletion and insertion curves.
  public var windowsPerStep = 12, perturbationSteps = 20
  /// Random subsets per record, and samples per subset, of the faithfulness correlation.
  public var correlationRuns = 50, subsetSize = 600
  /// Bootstrap resamples of the 95 % confidence intervals (records resampled).
  public var bootstrap = 1000

  /// The default settings.
  public init() {}

  /// What is wrong with the settings, or nil.
  public var validationProblem: String? {
    if epochs <= 0 || records <= 0 || randomisationRecords < 0 { return "epochs and records must be positive, randomisation records ≥ 0" }
    if topK < 1 || window < 1 || windowsPerStep < 1 || perturbationSteps < 1 || bootstrap < 1 {
      return "top-k, window, windows per step, perturbation steps and bootstrap must be positive"
    }
    if correlationRuns < 2 || subsetSize < 1 { return "correlation runs must be ≥ 2 and subset size ≥ 1" }
    if attributions.isEmpty { return "no attribution method" }
    return attributions.lazy.compactMap(\.validationProblem).first
  }

  private enum CodingKeys: String, CodingKey {
    case task, architecture = "arch", epochs, records, attributions, seed, randomisationRecords = "randomisation_records"
    case topK = "top_k", window = "window_samples", windowsPerStep = "windows_per_step", perturbationSteps = "perturbation_steps"
    case correlationRuns = "correlation_runs", subsetSize = "subset_size", bootstrap = "bootstrap_resamples"
  }
}

/// What a sanity study reports while it runs.
public enum SanityProgress: Sendable {
  /// A line of the summary (`ecgxai sanity` prints it).
  case line(String)
  /// Progress of a long step (training epochs, attributed batches): `done` of `total`.
  case step(done: Int, total: Int)
}

/// Why a sanity study could not run.
public struct SanityError: Error, CustomStringConvertible, Sendable {
  /// What went wrong, naming the file or value.
  public let description: String
  /// An error with this message.
  public init(_ description: String) { self.description = description }
}

/// The paper's amplitude-regression sanity checks of attribution methods, with the
/// randomisation and faithfulness tests beyond it. A model with one output per lead is trained
/// on folds 1–8 (validation 9) to predict the 12 per-lead amplitudes of `settings.task` from
/// 10 s records at 100 Hz [N, 12, 1000] (targets standardised per lead), scored on fold 10 (R²,
/// MAE), and every method's attributions are checked: spatial specificity, the temporal
/// relevance profile around the R peaks against the true wave window, model and data
/// randomisation, the random-logit test, deletion/insertion, faithfulness correlation and
/// region perturbation; the methods are ranked by their mean rank over the checks.
public struct SanityStudy: Sendable {
  /// The settings.
  public var settings: SanitySettings

  /// A study with `settings`.
  public init(settings: SanitySettings) { self.settings = settings }

  /// The result and the trained regression model (which `ecgxai sanity` saves).
  public struct Outcome: @unchecked Sendable {
    /// What the study found.
    public var result: SanityResult
    /// The regression model with 12 outputs (standardised targets).
    public var model: Model
  }

  /// Runs the study on `dataset` (PTB-XL layout, 100 Hz) with the targets of the Uni-G feature
  /// table at `amplitudeTable` (PTB-XL+'s `features/unig_features.csv` or the phantom's
  /// `truth/unig_features.csv`; records with a missing value are dropped). The true wave
  /// windows come from `truth`'s fiducials when it has them, else from ecgxai's delineation.
  /// Progress lines and steps go to `progress`.
  public func run(
    dataset: PTBXLDataset, amplitudeTable: URL, truth: (any RecordTruth)? = nil,
    progress: (SanityProgress) -> Void = { _ in }
  ) throws -> Outcome {
    let started = Date()
    let s = settings
    if let problem = s.validationProblem { throw SanityError("sanity settings: \(problem)") }
    let task = s.task.rawValue, wave = s.task.wave, arch = s.architecture, seed = s.seed
    let table = try FeatureTableCSV(contentsOf: amplitudeTable)
    let columns = FeatureTable.leadNames.map { "\(wave)_Amp_\($0)" }
    for c in columns where !table.columns.contains(c) { throw SanityError("\(amplitudeTable.path) has no column \(c)") }
    // Rows with all 12 targets, by fold.
    func rows(_ folds: ClosedRange<Int>) -> [(index: Int, targets: [Float])] {
      dataset.entries.indices.compactMap { i in
        let entry = dataset.entries[i]
        guard folds.contains(entry.fold) else { return nil }
        let values = columns.map { table.value($0, ecgID: entry.ecgID) }
        guard values.allSatisfy({ $0?.isFinite == true }) else { return nil }
        return (i, values.map { Float($0!) })
      }
    }
    let (train, validation, test) = (rows(1...8), rows(9...9), rows(10...10))
    guard train.count >= 20, !validation.isEmpty, test.count >= 5 else {
      throw SanityError("too few records with \(wave) amplitudes: \(train.count) train, \(validation.count) validation, \(test.count) test")
    }
    func arrays(_ r: [(index: Int, targets: [Float])]) throws -> (Tensor, Tensor) {
      (try dataset.batch(r.map(\.index), rate: 100), Tensor(shape: [r.count, 12], scalars: r.flatMap(\.targets)))
    }
    var trainXY = try arrays(train), validationXY = try arrays(validation)
    let testXY = try arrays(test)
    // Targets are standardised per output with the training fold's mean and std (wave amplitudes
    // differ by 20× between P and R; unscaled P targets left lenet1d at R² < 0 after 20 epochs).
    let mean = (0..<12).map { c in train.map { Double($0.targets[c]) }.reduce(0, +) / Double(train.count) }
    let std = (0..<12).map { c in
      max(1e-6, (train.map { (Double($0.targets[c]) - mean[c]) * (Double($0.targets[c]) - mean[c]) }.reduce(0, +) / Double(train.count)).squareRoot())
    }
    func standardised(_ y: Tensor) -> Tensor {
      Tensor(shape: y.shape, scalars: y.scalars.enumerated().map { Float((Double($1) - mean[$0 % 12]) / std[$0 % 12]) })
    }
    trainXY.1 = standardised(trainXY.1)
    validationXY.1 = standardised(validationXY.1)

    // 1. The regression model.
    let architecture = ModelArchitecture(name: arch, inputChannels: 12, classes: 12, classNames: columns, task: "regression")
    let model = try ModelZoo.make(architecture, seed: seed)
    var configuration = TrainingConfiguration()
    configuration.epochs = s.epochs
    configuration.seed = seed
    configuration.loss = .meanSquaredError
    let trainer = Trainer(configuration: configuration)
    progress(.line("sanity \(task): \(arch) with 12 outputs on \(train.count) records (folds 1–8), validation \(validation.count), test \(test.count); \(s.epochs) epochs"))
    _ = try trainer.fit(model, x: trainXY.0, y: trainXY.1, validationX: validationXY.0, validationY: validationXY.1) { e in
      progress(.step(done: e.epoch, total: s.epochs))
    }
    // The data-randomisation test's model: the same training on permuted targets.
    var shuffledModel: Model? = nil
    if s.randomisationRecords > 0 {
      var rng = SeededRNG(seed: seed &+ 1)
      var order = Array(0..<train.count)
      order.shuffle(using: &rng)
      let permuted = Tensor(shape: trainXY.1.shape, scalars: order.flatMap { Array(trainXY.1.scalars[($0 * 12)..<($0 * 12 + 12)]) })
      let other = try ModelZoo.make(architecture, seed: seed)
      progress(.line("  training the same model on permuted targets (data-randomisation test)"))
      _ = try trainer.fit(other, x: trainXY.0, y: permuted, validationX: validationXY.0, validationY: validationXY.1) { e in
        progress(.step(done: e.epoch, total: s.epochs))
      }
      shuffledModel = other
    }
    let predictions = trainer.predict(model, x: testXY.0).scalars.enumerated().map { Float(Double($1) * std[$0 % 12] + mean[$0 % 12]) }
    let targets = testXY.1.scalars
    let r2 = RegressionScores.bootstrap(rows: test.count, seed: seed) { rows in
      RegressionScores.r2(predictions: rows.flatMap { Array(predictions[($0 * 12)..<($0 * 12 + 12)]) },
                          targets: rows.flatMap { Array(targets[($0 * 12)..<($0 * 12 + 12)]) }, outputs: 12)
    }
    let mae = RegressionScores.bootstrap(rows: test.count, seed: seed) { rows in
      RegressionScores.mae(predictions: rows.flatMap { Array(predictions[($0 * 12)..<($0 * 12 + 12)]) },
                           targets: rows.flatMap { Array(targets[($0 * 12)..<($0 * 12 + 12)]) })
    }
    progress(.line(String(format: "  test R² %.3f ± %.3f, MAE %.4f ± %.4f mV (10 bootstrap resamples)", r2.mean, r2.std, mae.mean, mae.std)))

    // 2. R peaks and the true wave window; 3. every check with every method.
    let count = min(s.records, test.count)
    let x = testXY.0.slice(0..<count)
    let context = try checkContext(
      dataset: dataset, entries: test.prefix(count).map(\.index), x: x, truth: truth, model: model, shuffledModel: shuffledModel)
    progress(.line("  method           specificity (95 % CI)   profile peak   share in \(wave) window (chance \(String(format: "%.2f", context.chance)))"))
    let datasetSHA256 = dataset.indexSHA256, modelSHA256 = model.weightsSHA256
    var results: [MethodResult] = []
    for spec in s.attributions {
      let method = spec.makeMethod(architecture: arch)
      var entry = try checks(method, context, progress: progress)
      entry.provenance = Provenance(attribution: spec, modelSHA256: modelSHA256, datasetSHA256: datasetSHA256, seed: seed)
      results.append(entry)
    }
    let (ranking, usedChecks) = Self.ranking(results)
    progress(.line("  ranking (mean rank over \(usedChecks.joined(separator: ", "))): "
      + ranking.map { "\($0.method) \(String(format: "%.1f", $0.meanRank))" }.joined(separator: ", ")))
    if let first = ranking.first?.method {
      progress(.line("  the paper found saliency the most sensible; here \(first == "gradient" || first == "saliency" ? "saliency ranks first — reproduced" : "\(first) ranks first — not reproduced")"))
    }
    let (before, after) = (context.before, context.after)
    let result = SanityResult(
      schemaVersion: SanityResult.currentSchemaVersion,
      provenance: Provenance(modelSHA256: modelSHA256, datasetSHA256: datasetSHA256, seed: seed),
      task: s.task, arch: arch, epochs: s.epochs, seed: seed, featureTable: amplitudeTable.path,
      records: .init(train: train.count, validation: validation.count, test: test.count, attributed: count,
                     randomisation: min(s.randomisationRecords, count)),
      testR2: .init(mean: r2.mean, std: r2.std), testMAE: .init(mean: mae.mean, std: mae.std),
      targetStandardisation: .init(meanMV: mean, stdMV: std),
      waveWindowMs: [(context.waveWindow.lowerBound - before) * 10, (context.waveWindow.upperBound - 1 - before) * 10],
      chanceShare: context.chance, profileMs: [-before * 10, after * 10], methods: results, signalProfile: context.signalProfile,
      ranking: ranking, rankingChecks: usedChecks,
      settings: .init(
        bootstrapResamples: s.bootstrap, confidenceLevel: 0.95, topK: s.topK, windowSamples: s.window, windowsPerStep: s.windowsPerStep,
        perturbationSteps: s.perturbationSteps, correlationRuns: s.correlationRuns, subsetSize: s.subsetSize,
        randomisationTargets: "record r of the randomisation records explains output lead r mod 12"),
      seconds: Date().timeIntervalSince(started))
    return Outcome(result: result, model: model)
  }
}
