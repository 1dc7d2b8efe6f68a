import ECGEvaluate
import Foundation

extension RunReport {
  /// The sanity checks: per regression task the paper's method × check table with bootstrap
  /// CIs, the randomisation and faithfulness tables and the temporal profiles; then the
  /// localisation of the classifier's attributions per class.
  func sanity() -> Section {
    var section = Section(id: "sanity", title: "Sanity checks")
    let runs = run.files("sanity-", ".json").filter { $0 != "sanity-localisation.json" }.compactMap { run.decode(SanityResult.self, $0) }
    let localisation = run.decode(LocalisationResult.self, "sanity-localisation.json")
    guard !runs.isEmpty || localisation != nil else {
      section.blocks.append(.paragraph("No sanity checks (`ecgxai sanity RUN --task T_Wave_Amplitude` writes sanity-TASK.json, `ecgxai sanity RUN --localisation` sanity-localisation.json)."))
      return section
    }
    if !runs.isEmpty {
      section.blocks.append(.paragraph("The paper's sanity checks: a regression model with one output per lead learns each lead's P-, R- or T-wave amplitude; a faithful attribution of output c puts its relevance on lead c (spatial specificity: 1 ideal, 0.289 uniform) and on the right wave (temporal profile −300…+500 ms around the R peaks; its share inside the true wave window against chance). Beyond the paper: model-parameter randomisation (cascading and independent), data randomisation and the random-logit test — similarity of the maps by Spearman of |A|, 1-D SSIM and top-k intersection, where a sensible method falls towards 0 — and faithfulness by deletion and insertion of lead × time windows and by faithfulness correlation. Brackets: percentile bootstrap 95 % CIs over records."))
    }
    for (i, s) in runs.enumerated() { section.blocks += sanityTask(s, notes: i == 0) }
    if let localisation { section.blocks += sanityLocalisation(localisation) }
    return section
  }

  /// One regression task of `ecgxai sanity`: the paper's table with CIs, a randomisation table,
  /// a faithfulness table, and the temporal profiles next to the cascading-randomisation curves;
  /// the notes that explain the tables only with `notes` (the first task).
  func sanityTask(_ s: SanityResult, notes: Bool = true) -> [HTMLReport.Block] {
    var blocks: [HTMLReport.Block] = []
    let task = s.task.rawValue
    let methods = s.methods
    let rank = Dictionary(uniqueKeysWithValues: s.ranking.map { ($0.method, $0.meanRank) })
    blocks.append(.heading("\(task): \(s.arch), test R² \(f(s.testR2.mean, "%.3f")) ± \(f(s.testR2.std, "%.3f")), MAE \(f(s.testMAE.mean, "%.3f")) mV"))
    // The paper's checks.
    blocks.append(.table(
      header: ["method", "spatial specificity [95 % CI]", "profile peak", "share in wave window (× chance) [95 % CI]", "mean rank"],
      rows: methods.map { m in
        let a = m.amplitude
        return [m.method, withCI(a.spatialSpecificity, a.spatialSpecificityCI, "%.3f"), "\(a.profilePeakMs) ms",
                "\(f(a.shareInWaveWindow)) (\(withCI(a.shareOverChance, a.shareOverChanceCI, "%.1f"))×)", f(rank[m.method], "%.1f")]
      }, numeric: true))
    // Randomisation: similarity to the original map (lower is better).
    if methods.contains(where: { $0.randomisation != nil }) {
      blocks.append(.table(
        header: ["method", "cascading, all layers: ρ|A| / SSIM / top-k", "independent: mean ρ|A| over layers", "data rand.: ρ|A| / SSIM",
                 "random logit: ρ|A| / SSIM / top-k"],
        rows: methods.map { m in
          let last = m.randomisation?.cascading.last
          let independent = (m.randomisation?.independent ?? []).map(\.spearman).filter(\.isFinite)
          let data = m.dataRandomisation?.scores, logit = m.randomisation?.randomLogit.scores
          return [m.method, "\(f(last?.spearman)) / \(f(last?.ssim)) / \(f(last?.topKIntersection))",
                  independent.isEmpty ? "—" : f(independent.reduce(0, +) / Double(independent.count)),
                  "\(f(data?.spearmanAbsolute)) / \(f(data?.ssim))",
                  "\(f(logit?.spearmanAbsolute)) / \(f(logit?.ssim)) / \(f(logit?.topKIntersection))"]
        }, numeric: true))
      if notes { blocks.append(.note("Similarity of each method's map to the original after re-initialising the model's layers from the output (cascading: all of them; independent: one at a time), to the map of the same model trained on permuted targets, and to the map of a random other output lead (random logit). ρ|A|: Spearman of |A|; SSIM: 1-D SSIM of the max-normalised |A| over the flattened 12 × T map (Quantus's ssim); top-k: share of the \(s.settings.topK) largest |A| kept. Lower is better; \(s.records.randomisation) records, record r explaining output lead r mod 12.")) }
    }
    // Faithfulness: how much the ordered windows move the output, against a random order.
    if methods.contains(where: { $0.randomisation != nil }) {
      func ratio(_ curves: [String: MethodResult.WindowCurveCheck]?, _ baseline: String) -> String {
        curves?[baseline].flatMap { $0.overRandom.isFinite ? String(format: "%.1f×", $0.overRandom) : nil } ?? "—"
      }
      blocks.append(.table(
        header: ["method", "deletion AOPC × random (0 mV / lead mean)", "insertion AOPC × random (0 mV / lead mean)",
                 "faithfulness correlation (0 mV) [95 % CI]", "region perturbation AOPC × random"],
        rows: methods.map { m in
          let checks = m.randomisation
          let correlation = checks?.faithfulnessCorrelation["zero"]?.wrappedValue
          let region = checks?.faithfulness
          let regionRatio = region.flatMap { r in r.aopc.isFinite && r.randomAOPC.isFinite ? r.aopc / max(r.randomAOPC, 1e-12) : nil }
          return [m.method, "\(ratio(checks?.deletion, "zero")) / \(ratio(checks?.deletion, "lead-mean"))",
                  "\(ratio(checks?.insertion, "zero")) / \(ratio(checks?.insertion, "lead-mean"))",
                  withCI(correlation?.estimate, correlation, "%.2f"), regionRatio.map { String(format: "%.1f×", $0) } ?? "—"]
        }, numeric: true))
      let settings = s.settings
      if notes { blocks.append(.note("Deletion replaces lead windows of \(settings.windowSamples) samples, most relevant (Σ|A|) first, by the baseline; insertion puts them back into the baseline record; AOPC is the mean |Δ output| over \(settings.perturbationSteps) steps of \(settings.windowsPerStep) windows, divided by that of a random window order. Faithfulness correlation: Pearson of Σ A over \(settings.correlationRuns) random subsets of \(settings.subsetSize) samples with the output drop when they are set to 0 mV (Bhatt et al. 2020).")) }
    }
    // Figures: temporal profiles and the cascading randomisation.
    let range = s.profileMs.count == 2 ? s.profileMs : [-300, 500]
    func points(_ profile: [Double]) -> [(x: Double, y: Double)] { profile.enumerated().map { (Double(range[0]) + Double($0.offset) * 10, $0.element) } }
    var series = methods.map { LineFigure.Series(name: $0.method, points: points($0.amplitude.profile)) }
    series.append(LineFigure.Series(name: "signal (mean beat)", points: points(s.signalProfile), dashed: true, colour: "#777"))
    let high = series.flatMap { $0.points.map(\.y) }.max() ?? 1
    var profileFigure = LineFigure(title: "Temporal relevance — \(task)", xLabel: "time from R peak (ms)", yLabel: "relevance (unit L2 norm)",
                                   xRange: Double(range[0])...Double(range[1]), yRange: 0...max(high * 1.05, 1e-6), series: series)
    if s.waveWindowMs.count == 2 { profileFigure.bands = [(Double(s.waveWindowMs[0])...Double(s.waveWindowMs[1]), "true wave window")] }
    var svgs = [profileFigure.svg()]
    let cascades = methods.compactMap { m -> LineFigure.Series? in
      guard let steps = m.randomisation?.cascading, !steps.isEmpty else { return nil }
      return LineFigure.Series(name: m.method, points: [(0, 1)] + steps.enumerated().map { (Double($0.offset + 1), $0.element.spearman.isFinite ? $0.element.spearman : 0) })
    }
    if let layers = cascades.map({ $0.points.count - 1 }).max(), layers > 0 {
      let low = min(0, cascades.flatMap { $0.points.map(\.y) }.min() ?? 0)
      var cascade = LineFigure(title: "Cascading randomisation — \(task)", xLabel: "layers re-initialised (from the output)",
                               yLabel: "Spearman of |A| with the original", xRange: 0...Double(layers), yRange: low...1, series: cascades)
      cascade.width = 260
      svgs.append(cascade.svg())
    }
    let first = s.ranking.first?.method
    let reproduced = first.map { $0 == "saliency" || $0 == "gradient" ? " (reproduced)" : " (not reproduced here)" } ?? ""
    let checks = s.rankingChecks.joined(separator: ", ")
    blocks.append(.figures(svgs, caption: "Left: L2 norm over leads of the attribution, averaged over beats and records, unit norm, per method; dashed: the signal's own profile; shaded: the true wave window. Right: Spearman of |A| with the original map as layers are re-initialised from the output. Ranked first by mean rank over \(checks): \(first ?? "—") — the paper found saliency the most sensible\(reproduced)."))
    return blocks
  }

  /// Localisation of the classifier's attributions against the phantom's evidence masks: per
  /// attributed class, relevance mass over chance and AUC with CIs, per method.
  func sanityLocalisation(_ l: LocalisationResult) -> [HTMLReport.Block] {
    let methods = l.methods
    guard !methods.isEmpty else { return [] }
    let counts = l.recordsPerClass
    let classes = counts.keys.sorted()
    let names = methods.map(\.method)
    func row(_ label: String, _ n: Int, _ pick: (LocalisationResult.Method) -> LocalisationResult.Summary?, _ metric: String, _ format: String) -> [String] {
      [label, "\(n)"] + methods.map { m in
        let summary = pick(m)
        let cell = metric == "auc" ? summary?.auc : summary?.massOverChance
        return withCI(cell?.estimate, cell, format)
      }
    }
    var blocks: [HTMLReport.Block] = [.heading("Localisation against the true evidence (\(l.model) classifier, \(l.records) test records)")]
    for (metric, title, format) in [("mass_over_chance", "relevance mass ÷ chance", "%.2f"), ("auc", "AUC of |A| for the evidence mask", "%.2f")] {
      var rows = classes.map { c in row(c, counts[c] ?? 0, { $0.classes[c] }, metric, format) }
      rows.append(row("all", l.records, { $0.all }, metric, format))
      blocks.append(.table(header: [title, "records"] + names, rows: rows, numeric: true))
    }
    blocks.append(.note("Each test record with a planted, labelled finding is attributed to that finding's class; |A| is scored against the finding's true lead × time evidence mask with Quantus's definitions (relevance mass accuracy divided by the mask's share of the record — 1 is chance; AUC — 0.5 is chance). Brackets: bootstrap 95 % CIs over records. Relevance rank accuracy, pointing game, top-k intersection and the per-finding split are in sanity-localisation.json."))
    return blocks
  }

  /// A number with its CI: "0.31 [0.30, 0.32]"; "—" when the number is absent or not finite,
  /// the number alone when the interval or its bounds are.
  private func withCI(_ value: Double?, _ interval: BootstrapCI.Interval?, _ format: String) -> String {
    guard let value, value.isFinite else { return "—" }
    guard let i = interval, i.lower.isFinite, i.upper.isFinite else { return String(format: format, value) }
    return String(format: format, value) + " [" + String(format: format, i.lower) + ", " + String(format: format, i.upper) + "]"
  }

  private func f(_ x: Double?, _ format: String = "%.2f") -> String { x.flatMap { $0.isFinite ? String(format: format, $0) : nil } ?? "—" }
}
