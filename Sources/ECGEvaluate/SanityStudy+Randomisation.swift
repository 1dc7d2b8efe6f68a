import ECGExplain
import ECGNet
import ECGTensor
import Foundation

extension SanityStudy {
  /// The randomisation and faithfulness tests of one method on the first randomisation records
  /// (record r explains output lead r mod 12).
  func randomisationAndFaithfulness(
    _ method: any AttributionMethod, _ c: CheckContext, into entry: inout MethodResult, progress: (SanityProgress) -> Void
  ) throws {
    let s = settings
    let (topK, seed) = (s.topK, s.seed)
    let m = min(s.randomisationRecords, c.x.shape[0])
    let subset = c.x.slice(0..<m), targets = (0..<m).map { $0 % 12 }
    let values = try method.attribute(c.model, input: subset, targets: targets).values
    func steps(_ list: [ModelRandomisation.Step]) -> [MethodResult.RandomisationStep] {
      list.map { step in
        MethodResult.RandomisationStep(
          layer: step.layer, spearman: step.scores.spearmanAbsolute, spearmanSigned: step.scores.spearman, ssim: step.scores.ssim,
          topKIntersection: step.scores.topKIntersection)
      }
    }
    let cascading = try ModelRandomisation.run(c.model, method: method, input: subset, targets: targets, order: .cascading, k: topK, seed: seed)
    let independent = try ModelRandomisation.run(c.model, method: method, input: subset, targets: targets, order: .independent, k: topK, seed: seed)
    let logit = try RandomLogit.test(c.model, method: method, input: subset, targets: targets, k: topK, seed: seed)
    let full = cascading.last!.scores
    progress(.line(String(format: "      model randomisation, all layers (cascading): Spearman |A| %.2f, signed %.2f, SSIM %.2f, top-%d %.2f; independent: min Spearman |A| %.2f (%@)",
                          full.spearmanAbsolute, full.spearman, full.ssim, topK, full.topKIntersection,
                          independent.map(\.spearman).min()!, independent.min { $0.spearman < $1.spearman }!.layer)))
    progress(.line(String(format: "      random logit (another output lead): Spearman |A| %.2f, SSIM %.2f, top-%d %.2f",
                          logit.scores.spearmanAbsolute, logit.scores.ssim, topK, logit.scores.topKIntersection)))
    if let shuffledModel = c.shuffledModel {
      let other = try method.attribute(shuffledModel, input: subset, targets: targets).values
      let scores = Similarity.meanScores(values, other, k: topK)
      entry.dataRandomisation = .init(spearman: scores.spearmanAbsolute, scores: scores)
      progress(.line(String(format: "      data randomisation (model trained on permuted targets): Spearman |A| %.2f, SSIM %.2f",
                            scores.spearmanAbsolute, scores.ssim)))
    }
    // Region perturbation of single samples (Samek et al.), as before.
    let curve = Faithfulness.regionPerturbation(c.model, input: subset, attribution: values, targets: targets)
    let random = Faithfulness.regionPerturbation(c.model, input: subset, attribution: values, targets: targets, random: true, seed: seed)
    let region = MethodResult.RegionPerturbation(
      fractions: curve.fractions, change: curve.change, aopc: curve.aopc, randomChange: random.change, randomAOPC: random.aopc)
    // Deletion and insertion over lead × time windows; |Δ output| (regression outputs move either way).
    var line: [String] = []
    var curves: [Faithfulness.Direction: [String: MethodResult.WindowCurveCheck]] = [:]
    for direction in Faithfulness.Direction.allCases {
      for baseline in Faithfulness.Baseline.allCases {
        let ours = Faithfulness.windowCurve(c.model, input: subset, attribution: values, targets: targets, window: s.window,
                                            baseline: baseline, direction: direction, windowsPerStep: s.windowsPerStep, steps: s.perturbationSteps)
        let key = "\(direction.rawValue)-\(baseline.rawValue)"
        let randomCurve = c.randomCurves[key] ?? Faithfulness.windowCurve(
          c.model, input: subset, attribution: values, targets: targets, window: s.window, baseline: baseline, direction: direction,
          windowsPerStep: s.windowsPerStep, steps: s.perturbationSteps, randomSeed: seed)
        c.randomCurves[key] = randomCurve
        let ratio = ours.aopcAbsolute / max(randomCurve.aopcAbsolute, 1e-12)
        curves[direction, default: [:]][baseline.rawValue] = MethodResult.WindowCurveCheck(
          windows: ours.windows, change: ours.meanChange, aopc: ours.aopc, aopcAbs: ours.aopcAbsolute, randomChange: randomCurve.meanChange,
          randomAOPC: randomCurve.aopc, randomAOPCAbs: randomCurve.aopcAbsolute, overRandom: ratio)
        line.append(String(format: "%@ %@ %.1f×", direction.rawValue, baseline.rawValue, ratio))
      }
    }
    progress(.line("      AOPC |Δ output| over a random window order: " + line.joined(separator: ", ")))
    // Faithfulness correlation over seeded random subsets of samples.
    let features = 12 * subset.shape[2]
    let subsets = FaithfulnessCorrelation.subsets(records: m, runs: s.correlationRuns, size: min(s.subsetSize, features - 1), features: features, seed: seed)
    var correlations: [String: EmptyObjectIfNil<BootstrapCI.Interval>] = [:]
    var text: [String] = []
    for baseline in Faithfulness.Baseline.allCases {
      let scores = FaithfulnessCorrelation.scores(c.model, input: subset, attribution: values, targets: targets, subsets: subsets, baseline: baseline)
      let interval = BootstrapCI.mean(scores, resamples: s.bootstrap, seed: seed)
      correlations[baseline.rawValue] = EmptyObjectIfNil(wrappedValue: interval)
      text.append(interval.map { String(format: "%@ %.2f [%.2f, %.2f]", baseline.rawValue, $0.estimate, $0.lower, $0.upper) } ?? "\(baseline.rawValue) —")
    }
    progress(.line("      faithfulness correlation (Pearson, 95 % CI): " + text.joined(separator: ", ")))
    entry.randomisation = MethodResult.RandomisationChecks(
      cascading: steps(cascading), independent: steps(independent),
      randomLogit: .init(offTargets: logit.offTargets, scores: logit.scores), faithfulness: region,
      deletion: curves[.deletion] ?? [:], insertion: curves[.insertion] ?? [:], faithfulnessCorrelation: correlations)
  }

  /// The mean rank of each method (1 = best) over the checks every method has: spatial
  /// specificity, share in the wave window, model randomisation (cascading, all layers) and data
  /// randomisation (Spearman of |A|), random logit (SSIM), deletion (AOPC over random, zero
  /// baseline) and faithfulness correlation (zero baseline); lower similarity is better. Returns
  /// the methods best first and the names of the checks used.
  public static func ranking(_ results: [MethodResult]) -> (ranking: [SanityResult.Rank], checks: [String]) {
    func scores(_ key: (MethodResult) -> Double?) -> [Double?] { results.map { key($0).flatMap { $0.isFinite ? $0 : nil } } }
    let checks: [(String, [Double?], Bool)] = [
      ("spatial specificity", scores { $0.amplitude.spatialSpecificity }, true),
      ("share in the wave window", scores { $0.amplitude.shareOverChance }, true),
      ("model randomisation", scores { $0.randomisation?.cascading.last?.spearman }, false),
      ("data randomisation", scores { $0.dataRandomisation?.spearman }, false),
      ("random logit", scores { $0.randomisation?.randomLogit.scores.ssim }, false),
      ("deletion", scores { $0.randomisation?.deletion["zero"]?.overRandom }, true),
      ("faithfulness correlation", scores { $0.randomisation?.faithfulnessCorrelation["zero"]?.wrappedValue?.estimate }, true),
    ]
    var rankSums = [Double](repeating: 0, count: results.count), rankCounts = [Int](repeating: 0, count: results.count)
    let used = checks.filter { $0.1.allSatisfy { $0 != nil } }
    for (_, values, higherIsBetter) in used {
      let order = values.indices.sorted { higherIsBetter ? values[$0]! > values[$1]! : values[$0]! < values[$1]! }
      for (rank, i) in order.enumerated() { rankSums[i] += Double(rank + 1); rankCounts[i] += 1 }
    }
    let meanRanks = zip(rankSums, rankCounts).map { $1 > 0 ? $0 / Double($1) : .nan }
    let ranking = results.indices.sorted { meanRanks[$0] < meanRanks[$1] }.map {
      SanityResult.Rank(method: results[$0].method, meanRank: meanRanks[$0])
    }
    return (ranking, used.map(\.0))
  }
}
