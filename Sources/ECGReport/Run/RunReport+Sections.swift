import ECGAudit
import ECGDiscovery
import ECGExplain
import ECGSignal
import Foundation

extension RunReport {
  /// Attributions of the test records: relevance inside the true evidence (phantom) and example
  /// records with their attribution overlaid.
  func attributions() throws -> Section {
    var section = Section(id: "attributions", title: "Attributions")
    guard let explain = run.decode(ExplainSummary.self, "explain.json"), let firstMethod = explain.methods.first else {
      section.blocks.append(.paragraph("No attributions of the run's test records (`ecgxai run` writes them in its explain step; `ecgxai explain RUN --method saliency` writes one method)." + run.corruptNote("explain.json", decoded: false)))
      return section
    }
    let methods = explain.methods
    section.blocks.append(.paragraph("\(explain.records) records of the \(explain.split) split, attributed by \(methods.joined(separator: ", ")) of \(explain.modelName) (RUN/\(explain.model)) to the class of their planted, labelled finding (phantom; otherwise the predicted class)."))
    let mass = explain.relevanceMassInEvidence
    if !mass.isEmpty {
      let rows = mass.sorted { $0.key < $1.key }.map { code, byMethod -> [String] in
        [code, "\(byMethod.values.first?.n ?? 0)"] + methods.map { m in byMethod[m].map { String(format: "%.2f×", $0.overChance) } ?? "—" }
      }
      section.blocks.append(.table(header: ["finding", "records"] + methods, rows: rows, numeric: true))
      section.blocks.append(.note("Relevance mass accuracy over chance: the share of |attribution| inside the finding's true evidence mask (lead × time, from the phantom's truth) divided by the mask's share of the record; 1× is no better than chance. Methods that multiply by the input (IG, LRP) favour high-amplitude samples, where QRS and LVH evidence lies — the sanity checks below separate that from faithfulness."))
    }
    // Examples show the audit's method when it was computed here (the demo's LRP-ε), else the first.
    let auditMethod = run.decode(AuditSummary.self, "audit.json")?.settings.method
    let first = auditMethod.flatMap { methods.contains($0) ? $0 : nil } ?? firstMethod
    let targets = explain.targets.classes
    guard examplesPerCondition > 0, let ids = run.text("attributions/\(first).ecg_id.csv")?.split(separator: "\n").dropFirst().compactMap({ Int($0) }),
      targets.count == ids.count
    else { return section }
    let attributionURL = runURL.appendingPathComponent("attributions/\(first).npy")
    guard FileManager.default.fileExists(atPath: attributionURL.path) else { return section }
    let attribution = try NumPy.read(attributionURL)
    guard attribution.rank == 3, attribution.shape[0] == ids.count, attribution.shape[1] == 12 else { return section }
    let dataset = try PTBXLDataset.open(runURL.appendingPathComponent("data"))
    let index = Dictionary(dataset.entries.enumerated().map { ($1.ecgID, $0) }, uniquingKeysWith: { a, _ in a })
    var plots: [String] = []
    var shownClasses: [String] = []
    for name in Array(Set(targets)).sorted() {
      for row in targets.indices.filter({ targets[$0] == name }).prefix(examplesPerCondition) {
        guard let entryIndex = index[ids[row]] else { continue }
        let record = try dataset.record(at: entryIndex, rate: 100)
        let samples = attribution.shape[2]
        guard record.sampleCount == samples else { continue }
        let values = Array(attribution.scalars[(row * 12 * samples)..<((row + 1) * 12 * samples)])
        var plot = ClinicalECGPlot()
        plot.relevance = ClinicalECGPlot.normalisedRelevance(values, leadNames: record.leadNames, samples: samples)
        let codes = dataset.entries[entryIndex].scpCodes.keys.sorted().joined(separator: ", ")
        plots.append(try plot.svg(record, title: "ecg_id \(ids[row]) — \(first) of output \(name) · SCP codes \(codes)"))
        shownClasses.append(name)
      }
    }
    if !plots.isEmpty {
      section.blocks.append(.heading("Example records"))
      section.blocks.append(.figures(plots, caption: "One test record per attributed class (\(shownClasses.joined(separator: ", "))), 25 mm/s, 10 mm/mV, with |\(first)| overlaid under the trace: each sample's |attribution| divided by the record's 99th percentile, in 8 levels: transparent below a quarter of it, then light blue through blue to navy (≥ the 99th percentile)."))
    }
    return section
  }

  func discovery() -> Section {
    var section = Section(id: "discovery", title: "Knowledge discovery")
    guard let d = run.decode(DiscoveryResult.self, "discovery.json") else {
      section.blocks.append(.paragraph("No discovery results (`ecgxai discover RUN --class MI --subtypes AMI,IMI` writes discovery.json)." + run.corruptNote("discovery.json", decoded: false)))
      return section
    }
    let results = d.results
    let subtypes = d.subtypes.joined(separator: " / ")
    section.blocks.append(.paragraph("\(d.records) records of \(d.className) whose only diagnostic subclass is one of \(subtypes), clustered (\(d.clusters) clusters) from each representation after PCA\(d.whiten ? " (whitened)" : ""); the scores compare the clusters with the known subtypes. The paper's point: attributions (\(d.method), beat-aligned) separate subtypes better than the inputs or the hidden features."))
    func f(_ x: Double?) -> String { x.flatMap { $0.isFinite ? String(format: "%.2f", $0) : nil } ?? "—" }
    // Scores against the reader's labels and, on the phantom, the planted territory (records
    // whose planted finding belongs to exactly one subtype) and the planted subtypes.
    let truths = ["subtypes", "planted territory", "planted subtype"].filter { name in results.contains { $0.scores[name] != nil } }
    let rows = results.map { r -> [String] in
      let stability = r.stabilityJaccard.map { f($0) }.joined(separator: " / ")
      let women = r.femaleShare.map { $0.map { String(format: "%.0f %%", 100 * $0) } ?? "—" }.joined(separator: " / ")
      return [r.representation, r.algorithm]
        + truths.map { name in
          let s = r.scores[name]
          return "\(f(s?.ari)) / \(f(s?.nmi)) / \(f(s?.matchedAccuracy))"
        }
        + [f(r.silhouette), stability, women]
    }
    let names = ["subtypes": "vs labels", "planted territory": "vs planted territory", "planted subtype": "vs planted subtype"]
    section.blocks.append(.table(header: ["representation", "algorithm"] + truths.map { "ARI / NMI / accuracy \(names[$0]!)" } + ["silhouette", "stability (Jaccard)", "women per cluster"], rows: rows, numeric: false))
    if truths.contains("planted territory") {
      section.blocks.append(.note("Planted territory: the subtype the record's planted findings belong to (the phantom's truth: ILMI counts as IMI, ASMI and ALMI as AMI); records labelled with a subtype but without a planted finding of one (label noise) or with findings of two are not scored against it. Planted subtype: the finding and its hidden variant, with the label-noise records as a group of their own."))
    }
    if let svg = run.text("discovery.svg") {
      section.blocks.append(.figures([svg], caption: "Cluster prototypes (mean beat over the mean |attribution| per lead), composition by subtype and share of women, ARI of every representation × algorithm, and a t-SNE of the attributions."))
    }
    return section
  }
}
