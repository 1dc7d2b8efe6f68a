import ECGEvaluate
import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

extension Sanity {
  /// The amplitude-regression checks: train the per-lead regression model (and its
  /// permuted-target twin), find the R peaks and the true wave window, run every check per
  /// method, rank the methods, write RUN/sanity-TASK.json.
  func runRegression() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
    try prepareRunDirectory(runURL)
    let dataURL = runURL.appendingPathComponent("data")
    let options = DatasetOptions(data: dataURL.path, rate: 100, folds: nil)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let wave = Self.wave[task]!
    let tableURL = try features.map { path -> URL in
      guard FileManager.default.fileExists(atPath: path) else { throw CLIError("feature table not found: \(path)") }
      return URL(fileURLWithPath: path)
    } ?? PTBXLPlus.locate("unig", in: dataURL)
    guard let tableURL else {
      throw CLIError("no Uni-G feature table: give --features PTB-XL+/features/unig_features.csv (the phantom has truth/unig_features.csv)")
    }
    let table: FeatureTableCSV
    do { table = try FeatureTableCSV(contentsOf: tableURL) } catch let error as CSVError { throw CLIError(error.description) }
    let leadNames = FeatureTable.leadNames
    let columns = leadNames.map { "\(wave)_Amp_\($0)" }
    for c in columns where !table.columns.contains(c) { throw CLIError("\(tableURL.path) has no column \(c)") }
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
      throw CLIError("too few records with \(wave) amplitudes: \(train.count) train, \(validation.count) validation, \(test.count) test")
    }
    func arrays(_ r: [(index: Int, targets: [Float])]) throws -> (Tensor, Tensor) {
      let x: Tensor
      do { x = try dataset.batch(r.map(\.index), rate: 100) } catch let error as PTBXLError { throw CLIError(error.description) }
      return (x, Tensor(shape: [r.count, 12], scalars: r.flatMap(\.targets)))
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
    configuration.epochs = epochs
    configuration.seed = seed
    configuration.loss = .meanSquaredError
    let trainer = Trainer(configuration: configuration)
    print("sanity \(task): \(arch) with 12 outputs on \(train.count) records (folds 1–8), validation \(validation.count), test \(test.count); \(epochs) epochs")
    _ = try trainer.fit(model, x: trainXY.0, y: trainXY.1, validationX: validationXY.0, validationY: validationXY.1) { e in
      progress(done: e.epoch, total: epochs)
    }
    // The data-randomisation test's model: the same training on permuted targets.
    var shuffledModel: Model? = nil
    if randomisationRecords > 0 {
      var rng = SeededRNG(seed: seed &+ 1)
      var order = Array(0..<train.count)
      order.shuffle(using: &rng)
      let permuted = Tensor(shape: trainXY.1.shape, scalars: order.flatMap { Array(trainXY.1.scalars[($0 * 12)..<($0 * 12 + 12)]) })
      let other = try ModelZoo.make(architecture, seed: seed)
      print("  training the same model on permuted targets (data-randomisation test)")
      _ = try trainer.fit(other, x: trainXY.0, y: permuted, validationX: validationXY.0, validationY: validationXY.1) { e in
        progress(done: e.epoch, total: epochs)
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
    print(String(format: "  test R² %.3f ± %.3f, MAE %.4f ± %.4f mV (10 bootstrap resamples)", r2.mean, r2.std, mae.mean, mae.std))

    // 2. R peaks and the true wave window (median offsets from R over the test records).
    let count = min(records, test.count)
    let before = 30, after = 50
    var rPeaks: [[Int]] = []
    var windows: [(on: Double, off: Double)] = []
    let fiducialURL = dataURL.appendingPathComponent("truth/fiducials_100hz.csv")
    let truthFiducials = try? CSVTable(contentsOf: fiducialURL)
    for k in 0..<count {
      let entry = dataset.entries[test[k].index]
      if let truthFiducials {
        let rows = truthFiducials.rows.filter { Int($0[0]) == entry.ecgID }
        let column = { (name: String) in truthFiducials.index(of: name)! }
        rPeaks.append(rows.compactMap { Int($0[column("r_peak")]) })
        let (on, off) = wave == "P" ? ("p_on", "p_off") : wave == "R" ? ("qrs_on", "qrs_off") : ("t_on", "t_off")
        for row in rows {
          if let r = Double(row[column("r_peak")]), let a = Double(row[column(on)]), let b = Double(row[column(off)]) {
            windows.append((a - r, b - r))
          }
        }
      } else {
        let record = try dataset.record(at: test[k].index, rate: 100)
        let d = try Delineator().delineate(record)
        rPeaks.append(d.rPeaks.samples)
        for beat in d.beats {
          let pair: (Double?, Double?) = wave == "P" ? (beat.pOnset, beat.pOffset) : wave == "R" ? (beat.qrsOnset, beat.qrsOffset) : (beat.tOnset, beat.tOffset)
          if let a = pair.0, let b = pair.1 { windows.append(((a - beat.rPeak) * 100, (b - beat.rPeak) * 100)) }
        }
      }
    }
    let median = { (x: [Double]) in x.sorted()[x.count / 2] }
    guard !windows.isEmpty else { throw CLIError("no \(wave) waves found in the test records") }
    let waveWindow = (Int(median(windows.map(\.on)).rounded()) + before)..<(Int(median(windows.map(\.off)).rounded()) + before + 1)
    let chance = Double(waveWindow.count) / Double(before + after + 1)

    // The signal's own profile on the same cut (L2 over leads, mean over beats, unit norm): the
    // reference the relevance profiles are drawn against.
    let x = testXY.0.slice(0..<count)
    let length = x.shape[2]
    var signalProfile = [Double](repeating: 0, count: before + after + 1)
    var signalBeats = 0
    for r in 0..<count {
      let record = x.scalars[(r * 12 * length)..<((r + 1) * 12 * length)]
      if let p = AmplitudeSanity.beatProfile(record, leads: 12, rPeaks: rPeaks[r], before: before, after: after) {
        for i in signalProfile.indices { signalProfile[i] += p[i] }
        signalBeats += 1
      }
    }
    let signalUnit = AmplitudeSanity.unitNorm(signalProfile.map { $0 / Double(max(1, signalBeats)) })

    // 3. Every check with every method.
    let context = CheckContext(model: model, shuffledModel: shuffledModel, x: x, rPeaks: rPeaks, before: before, after: after,
                               waveWindow: waveWindow, chance: chance)
    var results: [[String: Any]] = []
    print("  method           specificity (95 % CI)   profile peak   share in \(wave) window (chance \(String(format: "%.2f", chance)))")
    for name in methodNames {
      let spec = AttributionSpec(method: name)
      if let problem = spec.validationProblem { throw CLIError("--methods: \(problem)") }
      let method = spec.makeMethod(architecture: arch)
      results.append(try checks(method, context))
    }
    let (ranking, usedChecks) = Self.ranking(results)
    print("  ranking (mean rank over \(usedChecks.joined(separator: ", "))): "
      + ranking.map { "\($0.0) \(String(format: "%.1f", $0.1))" }.joined(separator: ", "))
    if let first = ranking.first?.0 {
      print("  the paper found saliency the most sensible; here \(first == "gradient" || first == "saliency" ? "saliency ranks first — reproduced" : "\(first) ranks first — not reproduced")")
    }
    let summary: [String: Any] = [
      "ranking": ranking.map { ["method": $0.0, "mean_rank": $0.1] }, "ranking_checks": usedChecks,
      "task": task, "arch": arch, "epochs": epochs, "seed": seed, "feature_table": tableURL.path,
      "records": ["train": train.count, "validation": validation.count, "test": test.count, "attributed": count,
                  "randomisation": min(randomisationRecords, count)],
      "test_r2": ["mean": r2.mean, "std": r2.std], "test_mae_mV": ["mean": mae.mean, "std": mae.std],
      "target_standardisation": ["mean_mV": mean, "std_mV": std],
      "wave_window_ms": [(waveWindow.lowerBound - before) * 10, (waveWindow.upperBound - 1 - before) * 10], "chance_share": chance,
      "profile_ms": [-before * 10, after * 10], "methods": results, "signal_profile": signalUnit,
      "settings": [
        "bootstrap_resamples": bootstrap, "confidence_level": 0.95, "top_k": topK, "window_samples": self.window,
        "windows_per_step": windowsPerStep, "perturbation_steps": perturbationSteps, "correlation_runs": correlationRuns,
        "subset_size": subsetSize, "randomisation_targets": "record r of the randomisation records explains output lead r mod 12",
      ] as [String: Any],
      "seconds": Date().timeIntervalSince(started),
    ]
    try model.save(to: runURL.appendingPathComponent("sanity-\(task)-model"))
    let json = try JSONSerialization.data(withJSONObject: jsonSafe(summary), options: [.prettyPrinted, .sortedKeys])
    try json.writeAtomically(to: try outputURL(runURL.appendingPathComponent("sanity-\(task).json").path))
    print("wrote \(runDirectory)/sanity-\(task).json in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
  }
}
