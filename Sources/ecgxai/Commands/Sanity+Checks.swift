import ECGEvaluate
import ECGExplain
import ECGNet
import ECGTensor
import Foundation

extension Sanity {
  /// What every method's checks share: the models, the attributed test records [count, 12, T],
  /// their R peaks, the profile cut and the true wave window (profile bins).
  final class CheckContext {
    let model: Model
    let shuffledModel: Model?
    let x: Tensor
    let rPeaks: [[Int]]
    let before: Int, after: Int
    let waveWindow: Range<Int>
    let chance: Double
    /// Random-order deletion/insertion curves, the same for every method (computed once).
    var randomCurves: [String: Faithfulness.WindowCurve] = [:]

    init(model: Model, shuffledModel: Model?, x: Tensor, rPeaks: [[Int]], before: Int, after: Int, waveWindow: Range<Int>, chance: Double) {
      (self.model, self.shuffledModel, self.x, self.rPeaks) = (model, shuffledModel, x, rPeaks)
      (self.before, self.after, self.waveWindow, self.chance) = (before, after, waveWindow, chance)
    }
  }

  /// Every check of one method → its entry in sanity-TASK.json (and a few printed lines).
  func checks(_ method: any AttributionMethod, _ c: CheckContext) throws -> [String: Any] {
    func attribute(_ model: Model, _ input: Tensor, _ targets: [Int]) throws -> Tensor {
      do { return try method.attribute(model, input: input, targets: targets).values } catch let error as AttributionError {
        throw CLIError(error.description)
      }
    }
    let count = c.x.shape[0], length = c.x.shape[2], bins = c.before + c.after + 1
    // The paper's two scores, kept per record so that records can be resampled.
    var specificities = [[Double]](repeating: [], count: count)
    var profileSums = [[Double]](repeating: [Double](repeating: 0, count: bins), count: count)
    var profileCounts = [Int](repeating: 0, count: count)
    for lead in 0..<12 {
      for s in stride(from: 0, to: count, by: 64) {
        let range = s..<min(s + 64, count)
        let values = try attribute(c.model, c.x.slice(range), Array(repeating: lead, count: range.count))
        for (offset, r) in range.enumerated() {
          let record = values.scalars[(offset * 12 * length)..<((offset + 1) * 12 * length)]
          if let sp = AmplitudeSanity.spatialSpecificity(record, leads: 12, lead: lead) { specificities[r].append(sp) }
          if let p = AmplitudeSanity.beatProfile(record, leads: 12, rPeaks: c.rPeaks[r], before: c.before, after: c.after) {
            for i in 0..<bins { profileSums[r][i] += p[i] }
            profileCounts[r] += 1
          }
        }
      }
    }
    func profile(_ rows: [Int]) -> [Double]? {
      var p = [Double](repeating: 0, count: bins), k = 0
      for r in rows { for i in 0..<bins { p[i] += profileSums[r][i] }; k += profileCounts[r] }
      return k > 0 ? AmplitudeSanity.unitNorm(p.map { $0 / Double(k) }) : nil
    }
    let unit = profile(Array(0..<count)) ?? [Double](repeating: 0, count: bins)
    let peak = unit.indices.max { unit[$0] < unit[$1] }!
    let share = AmplitudeSanity.share(unit, inside: c.waveWindow)
    let perRecord = specificities.map { $0.isEmpty ? Double.nan : $0.reduce(0, +) / Double($0.count) }
    let specificity = BootstrapCI.mean(perRecord, resamples: bootstrap, seed: seed)
    let shareCI = BootstrapCI.interval(rows: count, resamples: bootstrap, seed: seed) { rows in
      profile(rows).map { AmplitudeSanity.share($0, inside: c.waveWindow) } ?? .nan
    }
    func ci(_ i: BootstrapCI.Interval?, scale: Double = 1) -> String {
      i.map { String(format: "%.3f [%.3f, %.3f]", $0.estimate * scale, $0.lower * scale, $0.upper * scale) } ?? "—"
    }
    print("  " + method.name.padding(toLength: 16, withPad: " ", startingAt: 0) + " " + ci(specificity)
      + String(format: "   %+5d ms       %.2f (%.1f× chance; 95 %% CI %.1f–%.1f×)", (peak - c.before) * 10, share, share / c.chance,
               shareCI.lower / c.chance, shareCI.upper / c.chance))
    var scale = shareCI
    (scale.estimate, scale.lower, scale.upper) = (shareCI.estimate / c.chance, shareCI.lower / c.chance, shareCI.upper / c.chance)
    var entry: [String: Any] = [
      "method": method.name, "spatial_specificity": specificity?.estimate ?? Double.nan,
      "spatial_specificity_ci": specificity?.dictionary ?? [:], "profile_peak_ms": (peak - c.before) * 10,
      "share_in_wave_window": share, "share_over_chance": share / c.chance, "share_in_wave_window_ci": shareCI.dictionary,
      "share_over_chance_ci": scale.dictionary, "profile": unit,
    ]
    guard randomisationRecords > 0 else { return entry }
    try randomisationAndFaithfulness(method, c, attribute: attribute, into: &entry)
    return entry
  }

  /// The randomisation and faithfulness tests of one method on the first --randomisation-records
  /// records (record r explains output lead r mod 12).
  private func randomisationAndFaithfulness(
    _ method: any AttributionMethod, _ c: CheckContext, attribute: (Model, Tensor, [Int]) throws -> Tensor,
    into entry: inout [String: Any]
  ) throws {
    let m = min(randomisationRecords, c.x.shape[0])
    let subset = c.x.slice(0..<m), targets = (0..<m).map { $0 % 12 }
    let values = try attribute(c.model, subset, targets)
    func steps(_ list: [ModelRandomisation.Step]) -> [[String: Any]] {
      list.map { s in ["layer": s.layer, "spearman": s.scores.spearmanAbsolute, "spearman_signed": s.scores.spearman,
                       "ssim": s.scores.ssim, "top_k_intersection": s.scores.topKIntersection] }
    }
    let cascading: [ModelRandomisation.Step], independent: [ModelRandomisation.Step], logit: RandomLogit.Result
    do {
      cascading = try ModelRandomisation.run(c.model, method: method, input: subset, targets: targets, order: .cascading, k: topK, seed: seed)
      independent = try ModelRandomisation.run(c.model, method: method, input: subset, targets: targets, order: .independent, k: topK, seed: seed)
      logit = try RandomLogit.test(c.model, method: method, input: subset, targets: targets, k: topK, seed: seed)
    } catch let error as AttributionError { throw CLIError(error.description) }
    entry["randomisation"] = steps(cascading)
    entry["randomisation_independent"] = steps(independent)
    var logitEntry: [String: Any] = logit.scores.dictionary
    logitEntry["off_targets"] = logit.offTargets
    entry["random_logit"] = logitEntry
    let full = cascading.last!.scores
    print(String(format: "      model randomisation, all layers (cascading): Spearman |A| %.2f, signed %.2f, SSIM %.2f, top-%d %.2f; independent: min Spearman |A| %.2f (%@)",
                 full.spearmanAbsolute, full.spearman, full.ssim, topK, full.topKIntersection,
                 independent.map(\.spearman).min()!, independent.min { $0.spearman < $1.spearman }!.layer))
    print(String(format: "      random logit (another output lead): Spearman |A| %.2f, SSIM %.2f, top-%d %.2f",
                 logit.scores.spearmanAbsolute, logit.scores.ssim, topK, logit.scores.topKIntersection))
    if let shuffledModel = c.shuffledModel {
      let other = try attribute(shuffledModel, subset, targets)
      let scores = Similarity.meanScores(values, other, k: topK)
      entry["data_randomisation_spearman"] = scores.spearmanAbsolute
      entry["data_randomisation"] = scores.dictionary
      print(String(format: "      data randomisation (model trained on permuted targets): Spearman |A| %.2f, SSIM %.2f", scores.spearmanAbsolute, scores.ssim))
    }
    // Region perturbation of single samples (Samek et al.), as before.
    let curve = Faithfulness.regionPerturbation(c.model, input: subset, attribution: values, targets: targets)
    let random = Faithfulness.regionPerturbation(c.model, input: subset, attribution: values, targets: targets, random: true, seed: seed)
    entry["faithfulness"] = ["fractions": curve.fractions, "change": curve.change, "aopc": curve.aopc,
                             "random_change": random.change, "random_aopc": random.aopc]
    // Deletion and insertion over lead × time windows; |Δ output| (regression outputs move either way).
    var line: [String] = []
    for direction in Faithfulness.Direction.allCases {
      var byBaseline: [String: Any] = [:]
      for baseline in Faithfulness.Baseline.allCases {
        let ours = Faithfulness.windowCurve(c.model, input: subset, attribution: values, targets: targets, window: window,
                                            baseline: baseline, direction: direction, windowsPerStep: windowsPerStep, steps: perturbationSteps)
        let key = "\(direction.rawValue)-\(baseline.rawValue)"
        let randomCurve = c.randomCurves[key] ?? Faithfulness.windowCurve(
          c.model, input: subset, attribution: values, targets: targets, window: window, baseline: baseline, direction: direction,
          windowsPerStep: windowsPerStep, steps: perturbationSteps, randomSeed: seed)
        c.randomCurves[key] = randomCurve
        let ratio = ours.aopcAbsolute / max(randomCurve.aopcAbsolute, 1e-12)
        byBaseline[baseline.rawValue] = [
          "windows": ours.windows, "change": ours.meanChange, "aopc": ours.aopc, "aopc_abs": ours.aopcAbsolute,
          "random_change": randomCurve.meanChange, "random_aopc": randomCurve.aopc, "random_aopc_abs": randomCurve.aopcAbsolute,
          "over_random": ratio,
        ] as [String: Any]
        line.append(String(format: "%@ %@ %.1f×", direction.rawValue, baseline.rawValue, ratio))
      }
      entry[direction.rawValue] = byBaseline
    }
    print("      AOPC |Δ output| over a random window order: " + line.joined(separator: ", "))
    // Faithfulness correlation over seeded random subsets of samples.
    let features = 12 * subset.shape[2]
    let subsets = FaithfulnessCorrelation.subsets(records: m, runs: correlationRuns, size: min(subsetSize, features - 1), features: features, seed: seed)
    var correlations: [String: Any] = [:]
    var text: [String] = []
    for baseline in Faithfulness.Baseline.allCases {
      let scores = FaithfulnessCorrelation.scores(c.model, input: subset, attribution: values, targets: targets, subsets: subsets, baseline: baseline)
      let interval = BootstrapCI.mean(scores, resamples: bootstrap, seed: seed)
      correlations[baseline.rawValue] = interval?.dictionary ?? [:]
      text.append(interval.map { String(format: "%@ %.2f [%.2f, %.2f]", baseline.rawValue, $0.estimate, $0.lower, $0.upper) } ?? "\(baseline.rawValue) —")
    }
    entry["faithfulness_correlation"] = correlations
    print("      faithfulness correlation (Pearson, 95 % CI): " + text.joined(separator: ", "))
  }

  /// The mean rank of each method (1 = best) over the checks every method has: spatial
  /// specificity, share in the wave window, model randomisation (cascading, all layers) and data
  /// randomisation (Spearman of |A|), random logit (SSIM), deletion (AOPC over random, zero
  /// baseline) and faithfulness correlation (zero baseline); lower similarity is better.
  static func ranking(_ results: [[String: Any]]) -> (ranking: [(String, Double)], checks: [String]) {
    func scores(_ key: ([String: Any]) -> Double?) -> [Double?] { results.map { key($0).flatMap { $0.isFinite ? $0 : nil } } }
    func nested(_ r: [String: Any], _ path: String...) -> Double? {
      var node: Any? = r
      for p in path { node = (node as? [String: Any])?[p] }
      return node as? Double
    }
    let checks: [(String, [Double?], Bool)] = [
      ("spatial specificity", scores { $0["spatial_specificity"] as? Double }, true),
      ("share in the wave window", scores { $0["share_over_chance"] as? Double }, true),
      ("model randomisation", scores { ($0["randomisation"] as? [[String: Any]])?.last?["spearman"] as? Double }, false),
      ("data randomisation", scores { $0["data_randomisation_spearman"] as? Double }, false),
      ("random logit", scores { nested($0, "random_logit", "ssim") }, false),
      ("deletion", scores { nested($0, "deletion", "zero", "over_random") }, true),
      ("faithfulness correlation", scores { nested($0, "faithfulness_correlation", "zero", "mean") }, true),
    ]
    var rankSums = [Double](repeating: 0, count: results.count), rankCounts = [Int](repeating: 0, count: results.count)
    let used = checks.filter { $0.1.allSatisfy { $0 != nil } }
    for (_, values, higherIsBetter) in used {
      let order = values.indices.sorted { higherIsBetter ? values[$0]! > values[$1]! : values[$0]! < values[$1]! }
      for (rank, i) in order.enumerated() { rankSums[i] += Double(rank + 1); rankCounts[i] += 1 }
    }
    let meanRanks = zip(rankSums, rankCounts).map { $1 > 0 ? $0 / Double($1) : .nan }
    let ranking = results.indices.sorted { meanRanks[$0] < meanRanks[$1] }.map { (results[$0]["method"] as! String, meanRanks[$0]) }
    return (ranking, used.map(\.0))
  }
}
