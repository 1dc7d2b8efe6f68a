import ECGReport
import Foundation

extension RunReport {
  /// One regression task of `ecgxai sanity`: the paper's table with CIs, a randomisation table,
  /// a faithfulness table, and the temporal profiles next to the cascading-randomisation curves;
  /// the notes that explain the tables only with `notes` (the first task).
  func sanityTask(_ s: [String: Any], notes: Bool = true) -> [HTMLReport.Block] {
    var blocks: [HTMLReport.Block] = []
    let task = s["task"] as? String ?? "?"
    let r2 = s["test_r2"] as? [String: Double] ?? [:], mae = s["test_mae_mV"] as? [String: Double] ?? [:]
    let methods = s["methods"] as? [[String: Any]] ?? []
    let ranking = s["ranking"] as? [[String: Any]] ?? []
    let rank = Dictionary(uniqueKeysWithValues: ranking.compactMap { r in (r["method"] as? String).map { ($0, r["mean_rank"] as? Double ?? .nan) } })
    let topK = (s["settings"] as? [String: Any])?["top_k"] as? Int
    blocks.append(.heading("\(task): \(s["arch"] as? String ?? "?"), test R² \(f(r2["mean"], "%.3f")) ± \(f(r2["std"], "%.3f")), MAE \(f(mae["mean"], "%.3f")) mV"))
    // The paper's checks.
    blocks.append(.table(
      header: ["method", "spatial specificity [95 % CI]", "profile peak", "share in wave window (× chance) [95 % CI]", "mean rank"],
      rows: methods.map { m in
        let name = m["method"] as? String ?? "?"
        return [name, withCI(m["spatial_specificity"] as? Double, m["spatial_specificity_ci"], "%.3f"),
                "\(m["profile_peak_ms"] as? Int ?? 0) ms",
                "\(f(m["share_in_wave_window"] as? Double)) (\(withCI(m["share_over_chance"] as? Double, m["share_over_chance_ci"], "%.1f"))×)",
                f(rank[name], "%.1f")]
      }, numeric: true))
    // Randomisation: similarity to the original map (lower is better).
    if methods.contains(where: { $0["randomisation"] != nil }) {
      blocks.append(.table(
        header: ["method", "cascading, all layers: ρ|A| / SSIM / top-k", "independent: mean ρ|A| over layers", "data rand.: ρ|A| / SSIM",
                 "random logit: ρ|A| / SSIM / top-k"],
        rows: methods.map { m in
          let last = (m["randomisation"] as? [[String: Any]])?.last
          let independent = (m["randomisation_independent"] as? [[String: Any]] ?? []).compactMap { $0["spearman"] as? Double }
          let data = m["data_randomisation"] as? [String: Any], logit = m["random_logit"] as? [String: Any]
          return [m["method"] as? String ?? "?",
                  "\(f(last?["spearman"] as? Double)) / \(f(last?["ssim"] as? Double)) / \(f(last?["top_k_intersection"] as? Double))",
                  independent.isEmpty ? "—" : f(independent.reduce(0, +) / Double(independent.count)),
                  "\(f(data?["spearman_abs"] as? Double)) / \(f(data?["ssim"] as? Double))",
                  "\(f(logit?["spearman_abs"] as? Double)) / \(f(logit?["ssim"] as? Double)) / \(f(logit?["top_k_intersection"] as? Double))"]
        }, numeric: true))
      if notes { blocks.append(.note("Similarity of each method's map to the original after re-initialising the model's layers from the output (cascading: all of them; independent: one at a time), to the map of the same model trained on permuted targets, and to the map of a random other output lead (random logit). ρ|A|: Spearman of |A|; SSIM: 1-D SSIM of the max-normalised |A| over the flattened 12 × T map (Quantus's ssim); top-k: share of the \(topK.map(String.init) ?? "k") largest |A| kept. Lower is better; \(s["records"].flatMap { ($0 as? [String: Any])?["randomisation"] as? Int }.map(String.init) ?? "the") records, record r explaining output lead r mod 12.")) }
    }
    // Faithfulness: how much the ordered windows move the output, against a random order.
    if methods.contains(where: { $0["deletion"] != nil }) {
      func ratio(_ m: [String: Any], _ direction: String, _ baseline: String) -> String {
        ((m[direction] as? [String: Any])?[baseline] as? [String: Any]).flatMap { $0["over_random"] as? Double }.map { String(format: "%.1f×", $0) } ?? "—"
      }
      blocks.append(.table(
        header: ["method", "deletion AOPC × random (0 mV / lead mean)", "insertion AOPC × random (0 mV / lead mean)",
                 "faithfulness correlation (0 mV) [95 % CI]", "region perturbation AOPC × random"],
        rows: methods.map { m in
          let correlation = (m["faithfulness_correlation"] as? [String: Any])?["zero"] as? [String: Any]
          let region = m["faithfulness"] as? [String: Any]
          let regionRatio = (region?["aopc"] as? Double).flatMap { a in (region?["random_aopc"] as? Double).map { a / max($0, 1e-12) } }
          return [m["method"] as? String ?? "?", "\(ratio(m, "deletion", "zero")) / \(ratio(m, "deletion", "lead-mean"))",
                  "\(ratio(m, "insertion", "zero")) / \(ratio(m, "insertion", "lead-mean"))",
                  withCI(correlation?["mean"] as? Double, correlation, "%.2f"), regionRatio.map { String(format: "%.1f×", $0) } ?? "—"]
        }, numeric: true))
      let settings = s["settings"] as? [String: Any] ?? [:]
      if notes { blocks.append(.note("Deletion replaces lead windows of \(settings["window_samples"] as? Int ?? 10) samples, most relevant (Σ|A|) first, by the baseline; insertion puts them back into the baseline record; AOPC is the mean |Δ output| over \(settings["perturbation_steps"] as? Int ?? 20) steps of \(settings["windows_per_step"] as? Int ?? 12) windows, divided by that of a random window order. Faithfulness correlation: Pearson of Σ A over \(settings["correlation_runs"] as? Int ?? 50) random subsets of \(settings["subset_size"] as? Int ?? 600) samples with the output drop when they are set to 0 mV (Bhatt et al. 2020).")) }
    }
    // Figures: temporal profiles and the cascading randomisation.
    let range = s["profile_ms"] as? [Int] ?? [-300, 500]
    func points(_ profile: [Double]) -> [(x: Double, y: Double)] { profile.enumerated().map { (Double(range[0]) + Double($0.offset) * 10, $0.element) } }
    var series = methods.map { LineFigure.Series(name: $0["method"] as? String ?? "?", points: points($0["profile"] as? [Double] ?? [])) }
    if let signal = s["signal_profile"] as? [Double] { series.append(LineFigure.Series(name: "signal (mean beat)", points: points(signal), dashed: true, colour: "#777")) }
    let high = series.flatMap { $0.points.map(\.y) }.max() ?? 1
    var profileFigure = LineFigure(title: "Temporal relevance — \(task)", xLabel: "time from R peak (ms)", yLabel: "relevance (unit L2 norm)",
                                   xRange: Double(range[0])...Double(range[1]), yRange: 0...max(high * 1.05, 1e-6), series: series)
    if let window = s["wave_window_ms"] as? [Int], window.count == 2 { profileFigure.bands = [(Double(window[0])...Double(window[1]), "true wave window")] }
    var svgs = [profileFigure.svg()]
    let cascades = methods.compactMap { m -> LineFigure.Series? in
      guard let steps = m["randomisation"] as? [[String: Any]], !steps.isEmpty else { return nil }
      return LineFigure.Series(name: m["method"] as? String ?? "?",
                               points: [(0, 1)] + steps.enumerated().map { (Double($0.offset + 1), $0.element["spearman"] as? Double ?? 0) })
    }
    if let layers = cascades.map({ $0.points.count - 1 }).max(), layers > 0 {
      let low = min(0, cascades.flatMap { $0.points.map(\.y) }.min() ?? 0)
      var cascade = LineFigure(title: "Cascading randomisation — \(task)", xLabel: "layers re-initialised (from the output)",
                               yLabel: "Spearman of |A| with the original", xRange: 0...Double(layers), yRange: low...1, series: cascades)
      cascade.width = 260
      svgs.append(cascade.svg())
    }
    let first = ranking.first?["method"] as? String
    let reproduced = first.map { $0 == "saliency" || $0 == "gradient" ? " (reproduced)" : " (not reproduced here)" } ?? ""
    let checks = (s["ranking_checks"] as? [String])?.joined(separator: ", ") ?? "the checks"
    blocks.append(.figures(svgs, caption: "Left: L2 norm over leads of the attribution, averaged over beats and records, unit norm, per method; dashed: the signal's own profile; shaded: the true wave window. Right: Spearman of |A| with the original map as layers are re-initialised from the output. Ranked first by mean rank over \(checks): \(first ?? "—") — the paper found saliency the most sensible\(reproduced)."))
    return blocks
  }

  /// Localisation of the classifier's attributions against the phantom's evidence masks: per
  /// attributed class, relevance mass over chance and AUC with CIs, per method.
  func sanityLocalisation(_ l: [String: Any]) -> [HTMLReport.Block] {
    let methods = l["methods"] as? [[String: Any]] ?? []
    guard !methods.isEmpty else { return [] }
    let counts = l["records_per_class"] as? [String: Int] ?? [:]
    let classes = counts.keys.sorted()
    let names = methods.map { $0["method"] as? String ?? "?" }
    func row(_ label: String, _ n: Int, _ pick: ([String: Any]) -> [String: Any]?, _ metric: String, _ format: String) -> [String] {
      [label, "\(n)"] + methods.map { m in
        let cell = pick(m)?[metric] as? [String: Any]
        return withCI(cell?["mean"] as? Double, cell, format)
      }
    }
    var blocks: [HTMLReport.Block] = [.heading("Localisation against the true evidence (\(l["model"] as? String ?? "?") classifier, \(l["records"] as? Int ?? 0) test records)")]
    for (metric, title, format) in [("mass_over_chance", "relevance mass ÷ chance", "%.2f"), ("auc", "AUC of |A| for the evidence mask", "%.2f")] {
      var rows = classes.map { c in row(c, counts[c] ?? 0, { (($0["classes"] as? [String: Any])?[c]) as? [String: Any] }, metric, format) }
      rows.append(row("all", l["records"] as? Int ?? 0, { $0["all"] as? [String: Any] }, metric, format))
      blocks.append(.table(header: [title, "records"] + names, rows: rows, numeric: true))
    }
    blocks.append(.note("Each test record with a planted, labelled finding is attributed to that finding's class; |A| is scored against the finding's true lead × time evidence mask with Quantus's definitions (relevance mass accuracy divided by the mask's share of the record — 1 is chance; AUC — 0.5 is chance). Brackets: bootstrap 95 % CIs over records. Relevance rank accuracy, pointing game, top-k intersection and the per-finding split are in sanity-localisation.json."))
    return blocks
  }

  /// A number with its CI from a `{mean, ci_low, ci_high}` dictionary: "0.31 [0.30, 0.32]".
  private func withCI(_ value: Double?, _ interval: Any?, _ format: String) -> String {
    guard let value, value.isFinite else { return "—" }
    let i = interval as? [String: Any]
    guard let low = i?["ci_low"] as? Double, let high = i?["ci_high"] as? Double else { return String(format: format, value) }
    return String(format: format, value) + " [" + String(format: format, low) + ", " + String(format: format, high) + "]"
  }

  private func f(_ x: Double?, _ format: String = "%.2f") -> String { x.flatMap { $0.isFinite ? String(format: format, $0) : nil } ?? "—" }
}
