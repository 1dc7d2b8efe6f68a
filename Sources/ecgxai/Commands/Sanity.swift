import ArgumentParser
import ECGEvaluate
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai sanity RUN`: the paper's amplitude-regression sanity checks of attribution methods.
struct Sanity: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The paper's sanity checks: regress per-lead wave amplitudes, then score where each method's attributions land.",
    discussion: """
      On RUN/data (PTB-XL layout, 100 Hz): targets are the per-lead P, R or T amplitudes (mV) of
      the median beat — PTB-XL+'s Uni-G columns P_Amp_<lead>/R_Amp_<lead>/T_Amp_<lead> from
      --features, or the phantom's truth/unig_features.csv; records with a missing value are
      dropped. A model with one output per lead is trained on folds 1–8 (validation 9) with the
      paper's settings on targets standardised per lead (training-fold mean and std; predictions
      are mapped back to mV) and scored on fold 10 (R², MAE; mean ± std over 10 bootstrap
      resamples).
      Then, for up to --records test records and every output lead c, each method attributes
      output c and ecgxai reports
        - spatial specificity ‖A[c]‖ / ‖(‖A[l]‖)_l‖ (1 ideal, 0.289 uniform),
        - the temporal relevance profile (−300…+500 ms around each R peak, L2 over leads,
          mean over beats and records, unit norm), where it peaks, and
        - the profile's share inside the true wave window (P, QRS or T, from the median of the
          dataset's fiducials: the phantom's truth or ecgxai's delineation) vs the window's
          share of the profile (chance);
        - the cascading model-parameter randomisation test (Adebayo et al. 2018): layers
          re-initialised from the output towards the input, Spearman correlation of
          |attribution| with the original after each step (output lead 0, --randomisation-records
          test records); a sensible method falls towards 0;
        - the data-randomisation test: the same model trained on permuted targets; Spearman of
          |attribution| between the two models (a sensible method gives a low value);
        - faithfulness by region perturbation (Samek et al. 2017): the 1, 2, 5, 10, 20 % samples
          with the largest |attribution| set to 0 mV, AOPC of output lead 0 vs a random order.
      Writes RUN/sanity-TASK.json and RUN/sanity-TASK-model/.
      Example: ecgxai sanity runs/demo --task T_Wave_Amplitude
      """)

  @Argument(help: "Run directory with the dataset in data/.")
  var runDirectory: String

  @Option(help: "P_Wave_Amplitude, R_Peak_Amplitude or T_Wave_Amplitude.")
  var task = "T_Wave_Amplitude"

  @Option(help: "Architecture of the regression model.")
  var arch = "lenet1d"

  @Option(help: "Training epochs.")
  var epochs = 20

  @Option(help: "Test records to attribute (the paper: 1000).")
  var records = 200

  @Option(help: "Comma-separated methods, any of `ecgxai explain`'s, with its defaults.")
  var methods = "saliency,ig,lrp-epsilon,guided-gradcam"

  @Option(help: "A PTB-XL+ Uni-G feature table (default: RUN/data/truth/unig_features.csv or data/features/…).")
  var features: String?

  @Option(help: "Seed of training and bootstrap.")
  var seed: UInt64 = 0

  @Option(help: "Test records for the cascading model-randomisation test (0 skips it).")
  var randomisationRecords = 16

  static let wave = ["P_Wave_Amplitude": "P", "R_Peak_Amplitude": "R", "T_Wave_Amplitude": "T"]

  func validate() throws {
    guard Self.wave[task] != nil else { throw ValidationError("--task must be P_Wave_Amplitude, R_Peak_Amplitude or T_Wave_Amplitude") }
    guard epochs > 0, records > 0, randomisationRecords >= 0 else {
      throw ValidationError("--epochs and --records must be positive, --randomisation-records ≥ 0")
    }
  }

  func run() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
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
        guard values.allSatisfy({ $0 != nil }) else { return nil }
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
    _ = trainer.fit(model, x: trainXY.0, y: trainXY.1, validationX: validationXY.0, validationY: validationXY.1) { e in
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
      _ = trainer.fit(other, x: trainXY.0, y: permuted, validationX: validationXY.0, validationY: validationXY.1) { e in
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
    let window = (Int(median(windows.map(\.on)).rounded()) + before)..<(Int(median(windows.map(\.off)).rounded()) + before + 1)
    let chance = Double(window.count) / Double(before + after + 1)

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

    // 3. Attribute every output lead with every method.
    var results: [[String: Any]] = []
    print("  method           specificity   profile peak    share in \(wave) window (chance \(String(format: "%.2f", chance)))")
    for name in methods.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
      guard let method = AttributionSettings().method(name, architecture: arch) else {
        throw CLIError("unknown method '\(name)' in --methods; use \(AttributionSettings.methodNames.joined(separator: ", "))")
      }
      var specificities: [Double] = []
      var profile = [Double](repeating: 0, count: before + after + 1)
      var profiles = 0
      for c in 0..<12 {
        for s in stride(from: 0, to: count, by: 64) {
          let range = s..<min(s + 64, count)
          let values: Tensor
          do { values = try method.attribute(model, input: x.slice(range), targets: Array(repeating: c, count: range.count)).values } catch let error as AttributionError {
            throw CLIError(error.description)
          }
          for (offset, r) in range.enumerated() {
            let record = values.scalars[(offset * 12 * length)..<((offset + 1) * 12 * length)]
            if let sp = AmplitudeSanity.spatialSpecificity(record, leads: 12, lead: c) { specificities.append(sp) }
            if let p = AmplitudeSanity.beatProfile(record, leads: 12, rPeaks: rPeaks[r], before: before, after: after) {
              for i in profile.indices { profile[i] += p[i] }
              profiles += 1
            }
          }
        }
      }
      let unit = AmplitudeSanity.unitNorm(profile.map { $0 / Double(max(1, profiles)) })
      let peak = unit.indices.max { unit[$0] < unit[$1] }!
      let share = AmplitudeSanity.share(unit, inside: window)
      let specificity = specificities.reduce(0, +) / Double(max(1, specificities.count))
      print("  " + method.name.padding(toLength: 16, withPad: " ", startingAt: 0)
        + String(format: " %.3f         %+5d ms        %.2f (%.1f× chance)", specificity, (peak - before) * 10, share, share / chance))
      var entry: [String: Any] = [
        "method": method.name, "spatial_specificity": specificity, "profile_peak_ms": (peak - before) * 10,
        "share_in_wave_window": share, "share_over_chance": share / chance, "profile": unit,
      ]
      if randomisationRecords > 0 {
        let m = min(randomisationRecords, count)
        // Faithfulness: region perturbation of output lead 0 on the same records, vs random order.
        let subset = x.slice(0..<m), zeros = Array(repeating: 0, count: m)
        let values: Tensor
        do { values = try method.attribute(model, input: subset, targets: zeros).values } catch let error as AttributionError {
          throw CLIError(error.description)
        }
        let curve = Faithfulness.regionPerturbation(model, input: subset, attribution: values, targets: zeros)
        let random = Faithfulness.regionPerturbation(model, input: subset, attribution: values, targets: zeros, random: true, seed: seed)
        entry["faithfulness"] = ["fractions": curve.fractions, "change": curve.change, "aopc": curve.aopc,
                                 "random_change": random.change, "random_aopc": random.aopc]
        print(String(format: "      faithfulness (region perturbation, output lead 0): AOPC %.4f vs random order %.4f (%.1f×)",
                     curve.aopc, random.aopc, curve.aopc / max(random.aopc, 1e-12)))
        let steps: [ModelRandomisation.Step]
        do {
          steps = try ModelRandomisation.cascading(model, method: method, input: x.slice(0..<m), targets: Array(repeating: 0, count: m), seed: seed)
        } catch let error as AttributionError { throw CLIError(error.description) }
        entry["randomisation"] = steps.map { ["layer": $0.layer, "spearman": $0.spearman] }
        if let shuffledModel {
          let other: Tensor
          do { other = try method.attribute(shuffledModel, input: subset, targets: zeros).values } catch let error as AttributionError {
            throw CLIError(error.description)
          }
          let rho = ModelRandomisation.meanSpearman(values, other, records: m)
          entry["data_randomisation_spearman"] = rho
          print(String(format: "      data randomisation (Spearman of |A| with the model trained on permuted targets): %.2f", rho))
        }
        print(String(format: "      randomisation (Spearman of |A| with the original): top layer %.2f, half the layers %.2f, all %.2f",
                     steps.first!.spearman, steps[steps.count / 2 - 1].spearman, steps.last!.spearman))
      }
      results.append(entry)
    }
    // A ranking over the checks: mean rank of each method (1 = best) over spatial specificity,
    // share in the wave window, faithfulness (AOPC ratio to random) and the two randomisation
    // tests (lower Spearman is better).
    func scores(_ key: (([String: Any]) -> Double?)) -> [Double?] { results.map(key) }
    let checks: [(String, [Double?], Bool)] = [
      ("spatial specificity", scores { $0["spatial_specificity"] as? Double }, true),
      ("share in the wave window", scores { $0["share_over_chance"] as? Double }, true),
      ("faithfulness", scores { r in (r["faithfulness"] as? [String: Any]).flatMap { f in
        (f["aopc"] as? Double).map { $0 / max((f["random_aopc"] as? Double) ?? 1, 1e-12) } } }, true),
      ("model randomisation", scores { ($0["randomisation"] as? [[String: Any]])?.last?["spearman"] as? Double }, false),
      ("data randomisation", scores { $0["data_randomisation_spearman"] as? Double }, false),
    ]
    var rankSums = [Double](repeating: 0, count: results.count), rankCounts = [Int](repeating: 0, count: results.count)
    for (_, values, higherIsBetter) in checks where values.allSatisfy({ $0 != nil }) {
      let order = values.indices.sorted { higherIsBetter ? values[$0]! > values[$1]! : values[$0]! < values[$1]! }
      for (rank, i) in order.enumerated() { rankSums[i] += Double(rank + 1); rankCounts[i] += 1 }
    }
    let meanRanks = zip(rankSums, rankCounts).map { $1 > 0 ? $0 / Double($1) : .nan }
    let ranking = results.indices.sorted { meanRanks[$0] < meanRanks[$1] }.map { (results[$0]["method"] as! String, meanRanks[$0]) }
    let usedChecks = checks.filter { $0.1.allSatisfy { $0 != nil } }.map(\.0)
    print("  ranking (mean rank over \(usedChecks.joined(separator: ", "))): "
      + ranking.map { "\($0.0) \(String(format: "%.1f", $0.1))" }.joined(separator: ", "))
    if let first = ranking.first?.0 {
      print("  the paper found saliency the most sensible; here \(first == "gradient" || first == "saliency" ? "saliency ranks first — reproduced" : "\(first) ranks first — not reproduced")")
    }
    let summary: [String: Any] = [
      "ranking": ranking.map { ["method": $0.0, "mean_rank": $0.1] }, "ranking_checks": usedChecks,
      "task": task, "arch": arch, "epochs": epochs, "seed": seed, "feature_table": tableURL.path,
      "records": ["train": train.count, "validation": validation.count, "test": test.count, "attributed": count],
      "test_r2": ["mean": r2.mean, "std": r2.std], "test_mae_mV": ["mean": mae.mean, "std": mae.std],
      "target_standardisation": ["mean_mV": mean, "std_mV": std],
      "wave_window_ms": [(window.lowerBound - before) * 10, (window.upperBound - 1 - before) * 10], "chance_share": chance,
      "profile_ms": [-before * 10, after * 10], "methods": results, "signal_profile": signalUnit,
      "seconds": Date().timeIntervalSince(started),
    ]
    try model.save(to: runURL.appendingPathComponent("sanity-\(task)-model"))
    let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
    try json.write(to: try outputURL(runURL.appendingPathComponent("sanity-\(task).json").path), options: .atomic)
    print("wrote \(runDirectory)/sanity-\(task).json in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
  }
}
