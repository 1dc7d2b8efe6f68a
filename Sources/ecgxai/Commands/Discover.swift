import ArgumentParser
import ECGAudit
import ECGConcepts
import ECGDiscovery
import ECGExplain
import ECGNet
import ECGPhantom
import ECGReport
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai discover`: knowledge discovery — clustering the attributions of one class's records
/// (and, side by side, their median beats and hidden features) to find subtypes.
struct Discover: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Knowledge discovery: cluster one class's attributions, median beats and hidden features; score against known subtypes.",
    discussion: """
      The paper's protocol (Discovery notebooks): records with --class whose only diagnostic
      subclass is one of --subtypes (e.g. MI records that are AMI or IMI and nothing else), or
      without --subtypes whose only diagnostic label is --class (Part 2: ASMI); --other-labels
      keeps records with further findings; per record three
      representations — the beat-aligned attribution of --class (or of the model's class for its
      subclass or superclass: ASMI → AMI; |saliency| by default; mean over
      beats of −300…+500 ms around the R peaks, 12 × 80 at 100 Hz; also L1-normalised, per lead,
      and as the audit's lead × segment cell shares), the beat-aligned signal (the
      median beat of the notebooks, same cut) and the hidden features before the classifier head —
      each flattened, reduced by PCA (whitened; 8, 6 and 10 components as the paper) and clustered
      into --clusters groups by a Gaussian mixture (full covariance, 10 inits), k-means++ and Ward.
      Scores against the subtype labels and, on the phantom, the hidden planted subtypes (also
      with the infarct stage, and within each stage): ARI, NMI,
      matched accuracy, silhouette, contingency tables, the share of women per cluster.
      Writes RUN/discovery.json and the figure RUN/discovery.svg. Definitions: docs/discovery.md.
      The defaults are the paper's; on the phantom the dependable choice is --method ig with the
      attribution-l1 rows (--figure-representation attribution-l1 draws them): ARI 0.83–0.96 for
      the territory over 15 seeds, against 0.64–0.79 for the median beats.
      Examples: ecgxai discover runs/demo --class MI --subtypes AMI,IMI
                ecgxai discover runs/ptbxl --class ASMI --model runs/ptbxl/sub-model
      """)

  @Argument(help: "Run directory (data/ and model/ inside).") var runDirectory: String
  @Option(help: "Model: a directory, an ONNX file (.onnx) or a state dict (.safetensors, with --arch); default RUN/model.") var model: String?
  @Option(help: "With --model FILE.safetensors: the architecture of the state dict (lenet1d, xresnet1d18/34/50/101).") var arch: String?
  @Option(help: "PTB-XL-layout data folder; default RUN/data.") var data: String?
  @Option(name: .customLong("class"), help: "The class whose records are clustered (a label at any level: SCP code, subclass or superclass).") var className: String
  @Option(help: "Known subtypes to score against (comma separated labels); records must carry exactly one of them.") var subtypes: String?
  @Flag(help: "Keep records with other diagnostic labels: besides their subtype (the paper keeps only records whose sole subclass is the subtype), or without --subtypes besides --class (the paper's Part 2: only diagnostic label ASMI).")
  var otherLabels = false
  @Option(help: "Output to attribute: a class of the model, or 'predicted' (each record's predicted class); default --class if the model has it, else its diagnostic subclass or superclass (ASMI → AMI), else predicted.") var target: String?
  @Option(help: "Attribution method (saliency is |gradient|, the paper's).") var method = "saliency"
  @Flag(help: "saliency / smoothgrad: the signed gradient instead of its absolute value.") var signed = false
  @Option(help: "Clusters; 0 = chosen in 2…6 (by BIC for the Gaussian mixture, by silhouette for k-means and Ward).") var clusters = 2
  @Option(help: "PCA components for attribution, beat and hidden representations (the paper: 8,6,10).") var components = "8,6,10"
  @Flag(inversion: .prefixedNo, help: "Whiten the PCA scores (the paper: yes).") var whiten = true
  @Flag(help: "Standardise every feature (zero mean, unit variance) before PCA (the paper: no).") var standardise = false
  @Option(help: "Restarts of the Gaussian mixture and k-means.") var inits = 10
  @Option(help: "Records of the split all, test (fold 10), validation (9) or train (1–8).") var split = "all"
  @Option(help: "Sampling rate of the records, 100 or 500.") var rate = 100
  @Option(help: "Seed of the clustering.") var seed: UInt64 = 0
  @Option(help: "Bootstrap resamples of the cluster stability (Jaccard per cluster).") var stabilityResamples = 20
  @Option(help: "Representation whose Gaussian-mixture clusters the figure draws (prototypes, t-SNE): \(Discover.representationNames.joined(separator: ", ")) (default attribution, the paper's).")
  var figureRepresentation = "attribution"
  @Option(help: "Also write every representation as DIR/NAME.npy [records, features] (float32) with DIR/records.csv (ecg_id, subtype), to cluster them elsewhere.")
  var saveRepresentations: String?

  func validate() throws {
    try DatasetSplit.validate(split)
    guard clusters == 0 || clusters >= 2, inits >= 1 else { throw ValidationError("--clusters must be 0 (choose) or ≥ 2, and --inits ≥ 1") }
    guard AttributionSpec.methodNames.contains(method) else {
      throw ValidationError("unknown --method '\(method)'; choose one of \(AttributionSpec.methodNames.joined(separator: ", "))")
    }
    guard Self.representationNames.contains(figureRepresentation) else {
      throw ValidationError("unknown --figure-representation '\(figureRepresentation)'; choose one of \(Self.representationNames.joined(separator: ", "))")
    }
    guard componentCounts.count == 3, componentCounts.allSatisfy({ $0 >= 1 }) else {
      throw ValidationError("--components takes three positive counts (attribution, beat, hidden), e.g. 8,6,10")
    }
  }

  var componentCounts: [Int] { components.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

  func run() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
    let loaded = try ModelOptions.load(model ?? runURL.appendingPathComponent("model").path, arch: arch)
    let classes = loaded.architecture.classNames ?? []
    if let target, target != "predicted", !classes.contains(target) { throw CLIError("--target '\(target)' is not a class of the model (\(classes.joined(separator: ", ")))") }
    let dataURL = URL(fileURLWithPath: data ?? runURL.appendingPathComponent("data").path)
    let options = DatasetOptions(data: dataURL.path, rate: rate, folds: DatasetSplit.folds[split]!)
    try options.check(loaded)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let fixedTarget = target == "predicted" ? nil
      : target.flatMap { classes.firstIndex(of: $0) } ?? Self.targetClass(for: className, classes: classes, statements: dataset.statements)
    let subtypeNames = subtypes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []

    // 1. The class's records (with exactly one of the subtypes, if given).
    var selected: [(index: Int, subtype: Int?)] = []
    for index in try options.selection(dataset) {
      let labels = dataset.labelsAtEveryLevel(dataset.entries[index])
      guard labels.contains(className) else { continue }
      if subtypeNames.isEmpty {
        // The paper's Part 2: records whose only diagnostic label is the class.
        if otherLabels || Self.hasOnlyLabel(className, dataset.entries[index], in: dataset) { selected.append((index, nil)) }
        continue
      }
      let present = subtypeNames.indices.filter { labels.contains(subtypeNames[$0]) }
      guard present.count == 1 else { continue }
      // The paper: records whose only diagnostic subclass is the subtype (no other finding).
      if !otherLabels && dataset.rawLabels(dataset.entries[index], task: .subdiagnostic).subtracting(subtypeNames).count > 0 { continue }
      selected.append((index, present[0]))
    }
    guard selected.count > max(clusters, 2) * 3 else {
      throw CLIError("only \(selected.count) records of the \(split) split are \(className)\(subtypeNames.isEmpty ? "" : " with exactly one of \(subtypeNames.joined(separator: ", "))"); need more than \(max(clusters, 2) * 3)")
    }
    try prepareRunDirectory(runURL)
    print("discover \(runURL.path): \(selected.count) \(className) records\(subtypeNames.isEmpty ? "" : " (\(subtypeNames.map { name in "\(name) \(selected.filter { $0.subtype.map { subtypeNames[$0] } == name }.count)" }.joined(separator: ", ")))"), \(method) of \(fixedTarget.map { classes[$0] } ?? "the predicted class") on \(loaded.architecture.name)")

    // 2. Representations: beat-aligned attribution and signal, hidden features.
    let attribution = AttributionSpec(method: method, absolute: !signed).makeMethod(for: loaded)
    let hiddenLayer = Self.hiddenLayer(loaded)
    let before = 30 * rate / 100, after = 50 * rate / 100
    var kept: [(index: Int, subtype: Int?)] = []
    var heats: [Double] = [], beats: [Double] = [], hidden: [Double] = [], cells: [Double] = []
    let auditor = RecordAuditor(model: loaded, method: attribution, segmentation: .delineation, truth: nil, rate: Double(rate))
    var skipped = 0
    for s in stride(from: 0, to: selected.count, by: 64) {
      let chunk = Array(selected[s..<min(s + 64, selected.count)])
      let x = try options.batch(dataset, chunk.map(\.index))
      let (leads, length) = (x.shape[1], x.shape[2])
      let logits = loaded.forward(x)
      let targets = (0..<chunk.count).map { r in
        fixedTarget ?? (0..<logits.shape[1]).max { logits.scalars[r * logits.shape[1] + $0] < logits.scalars[r * logits.shape[1] + $1] }!
      }
      let a = try attribution.attribute(loaded, input: x, targets: targets).values
      let h = LayerProbe.activations(loaded, input: x, layers: [hiddenLayer])[0]
      for (r, item) in chunk.enumerated() {
        let signal = Array(x.scalars[(r * leads * length)..<((r + 1) * leads * length)])
        let attributionOfRecord = Array(a.scalars[(r * leads * length)..<((r + 1) * leads * length)])
        let record = ECGRecord(name: "\(dataset.entries[item.index].ecgID)", leadNames: FeatureTable.leadNames, samplingRateHz: Double(rate), samples: signal)
        guard let peaks = try? RPeakDetector().detect(record),
          let beat = BeatAlignedCut.mean(signal, leads: leads, rPeaks: peaks.samples, before: before, after: after),
          let heat = BeatAlignedCut.mean(attributionOfRecord, leads: leads, rPeaks: peaks.samples, before: before, after: after)
        else { skipped += 1; continue }
        // The audit's lead × segment cells: each cell's share of the record's |relevance|.
        guard let segmentation = auditor.segmentation(of: signal, ecgID: dataset.entries[item.index].ecgID) else { skipped += 1; continue }
        let share = attributionOfRecord.withUnsafeBufferPointer { CellRelevance(attribution: $0, segmentation: segmentation) }.share
        cells += share.map { $0.isFinite ? Double($0) : 0 }
        kept.append(item)
        beats += beat
        heats += heat
        hidden += h.scalars[(r * h.shape[1])..<((r + 1) * h.shape[1])].map(Double.init)
      }
      progress(done: s + chunk.count, total: selected.count)
    }
    if skipped > 0 { print("  \(skipped) records without a usable beat or delineation were left out") }
    let n = kept.count
    guard n > max(clusters, 2) * 3 else { throw CLIError("only \(n) records have usable beats") }

    // 3. Known labels: the subtypes, the phantom's planted subtypes, sex.
    let ids = kept.map { dataset.entries[$0.index].ecgID }
    var truths: [(name: String, labels: [Int], names: [String])] = []
    if !subtypeNames.isEmpty { truths.append(("subtypes", kept.map { $0.subtype! }, subtypeNames)) }
    if FileManager.default.fileExists(atPath: dataURL.appendingPathComponent("truth/findings.csv").path) {
      let truth = try PhantomTruth(root: dataURL, ecgIDs: Set(ids))
      let wanted = Set([className] + subtypeNames)
      // The planted subtypes of the class's findings: finding/variant, with and within stage.
      let planted = ids.map { id in
        (truth.findings[id] ?? []).filter { $0.planted && (wanted.contains($0.code) || dataset.statements[$0.code].map { wanted.contains($0.diagnosticClass ?? "") || wanted.contains($0.diagnosticSubclass ?? "") } == true) }
          .map(\.subtype)
      }
      let groupings = HiddenSubtypeGroups.groupings(planted).map { ($0.name, $0.labels, $0.names) }
      truths += groupings.filter { $0.0 == "planted subtype" }
      // The planted territory: the subtype (e.g. AMI / IMI) that the record's planted findings
      // belong to (ILMI → IMI, ASMI → AMI, …) — the truth the reader's labels approximate. Records
      // with no planted finding of a subtype (label noise) or with findings of two are not scored.
      if !subtypeNames.isEmpty {
        let territory = ids.map { id -> Int in
          let found = Set((truth.findings[id] ?? []).filter(\.planted).compactMap { finding -> Int? in
            let subclass = dataset.statements[finding.code]?.diagnosticSubclass
            return subtypeNames.firstIndex { $0 == finding.code || $0 == subclass }
          })
          return found.count == 1 ? found.first! : -1
        }
        truths.append(("planted territory", territory, subtypeNames))
        let unscored = territory.filter { $0 < 0 }.count
        if unscored > 0 { print("  planted territory: \(unscored) of \(n) records have no planted \(subtypeNames.joined(separator: "/")) finding or two of them and are not scored against it") }
      }
      truths += groupings.filter { $0.0 != "planted subtype" }
    }
    let female = kept.map { dataset.entries[$0.index].sex }  // PTB-XL: 1 = female

    // 4. PCA → clustering per representation; scores.
    // Per-record normalised attribution (unit L1: where the relevance lies, not how much) and
    // its per-lead shares (12 values).
    let width = heats.count / n
    var normalised = heats, leadShares = [Double](repeating: 0, count: n * 12)
    for r in 0..<n {
      let total = heats[(r * width)..<((r + 1) * width)].reduce(0) { $0 + abs($1) }
      for i in 0..<width { normalised[r * width + i] = total > 0 ? heats[r * width + i] / total : 0 }
      for lead in 0..<12 { leadShares[r * 12 + lead] = normalised[(r * width + lead * width / 12)..<(r * width + (lead + 1) * width / 12)].reduce(0) { $0 + abs($1) } }
    }
    let layers = [("attribution", heats, width), ("attribution-l1", normalised, width), ("lead-share", leadShares, 12), ("cells", cells, cells.count / n), ("beat", beats, width), ("hidden", hidden, hidden.count / n)]
    assert(layers.map(\.0) == Self.representationNames)
    if let saveRepresentations {
      let directory = URL(fileURLWithPath: saveRepresentations)
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for (name, values, d) in layers {
        try NumPy.write(Tensor(shape: [n, d], scalars: values.map(Float.init)), to: directory.appendingPathComponent("\(name).npy"))
      }
      let rows = zip(ids, kept).map { "\($0),\($1.subtype.map { subtypeNames[$0] } ?? "")" }
      try Data((["ecg_id,subtype"] + rows).joined(separator: "\n").appending("\n").utf8)
        .writeAtomically(to: directory.appendingPathComponent("records.csv"))
      print("  wrote the representations to \(directory.path)/{\(layers.map(\.0).joined(separator: ","))}.npy and records.csv")
    }
    var report: [[String: Any]] = []
    var figureScores: (scores: [Double], components: Int)?
    let headings = truths.map { "ARI/NMI/acc vs \($0.name)" }
    let widths = headings.map { max(34, $0.count + 1) }
    print(pad("representation", 15) + pad("method", 9) + zip(headings, widths).map { pad($0, $1) }.joined() + "silhouette  stability (Jaccard per cluster)")
    for (r, (name, values, d)) in layers.enumerated() {
      let k = min(componentCounts[min(r < 4 ? 0 : r - 3, 2)], d, n - 1)
      let values = standardise ? Self.standardised(values, rows: n, features: d) : values
      let pca = PCA(values, rows: n, features: d, components: k, whiten: whiten)
      let scores = pca.transform(values, rows: n)
      if name == figureRepresentation { figureScores = (scores, k) }
      let algorithms = ["gmm", "k-means"] + (n <= Self.wardLimit ? ["ward"] : [])
      for algorithm in algorithms {
        func cluster(_ x: [Double], _ rows: Int, _ count: Int, restarts: Int) -> [Int] {
          switch algorithm {
          case "gmm": return GaussianMixture(x, rows: rows, features: k, components: count, inits: restarts, seed: seed).labels
          case "k-means": return KMeans(x, rows: rows, features: k, clusters: count, inits: restarts, seed: seed).labels
          default: return WardClustering(x, rows: rows, features: k, clusters: count).labels
          }
        }
        // k given, or chosen in 2…6: by BIC for the mixture, by silhouette otherwise; each
        // candidate is fitted once and the chosen fit kept.
        let candidates = self.clusters == 0 ? Array(2...min(6, n - 1)) : [self.clusters]
        func silhouette(_ labels: [Int]) -> Double? {
          Set(labels).count >= 2 ? ClusterMetrics.silhouette(scores, rows: n, features: k, labels: labels) : nil
        }
        var chosen: (clusters: Int, labels: [Int], criterion: Double)?
        for c in candidates {
          let fit: (clusters: Int, labels: [Int], criterion: Double)
          if algorithm == "gmm" {
            let gmm = GaussianMixture(scores, rows: n, features: k, components: c, inits: inits, seed: seed)
            fit = (c, gmm.labels, -gmm.bic)
          } else {
            let labels = cluster(scores, n, c, restarts: inits)
            fit = (c, labels, candidates.count > 1 ? silhouette(labels) ?? -1 : 0)
          }
          if chosen == nil || fit.criterion > chosen!.criterion { chosen = fit }
        }
        let (clusters, labels) = (chosen!.clusters, chosen!.labels)
        var entry: [String: Any] = [
          "representation": name, "algorithm": algorithm, "features": d, "pca_components": k, "clusters": clusters,
          "explained_variance_ratio": pca.explainedVarianceRatio.reduce(0, +), "cluster_sizes": (0..<clusters).map { c in labels.filter { $0 == c }.count },
        ]
        entry["silhouette"] = silhouette(labels).map { $0 as Any } ?? NSNull()
        entry["female_share"] = (0..<clusters).map { c -> Any in
          let members = labels.indices.filter { labels[$0] == c }.compactMap { female[$0] }.map { $0 == 1 }
          return members.isEmpty ? NSNull() : Double(members.filter { $0 }.count) / Double(members.count)
        }
        var line: [String] = []
        var against: [String: Any] = [:]
        for truth in truths {
          // Records a truth does not know (label −1) are left out of its scores.
          let scored = truth.labels.indices.filter { truth.labels[$0] >= 0 }
          let (known, found) = (scored.map { truth.labels[$0] }, scored.map { labels[$0] })
          let ari = ClusterMetrics.adjustedRandIndex(known, found), nmi = ClusterMetrics.normalizedMutualInformation(known, found)
          let accuracy = ClusterMetrics.matchedAccuracy(known, found)
          let table = ClusterMetrics.contingency(known, found)
          against[truth.name] = ["ari": ari, "nmi": nmi, "matched_accuracy": accuracy, "classes": table.classes.map { truth.names[$0] }, "contingency": table.counts,
                                 "records": scored.count]
          line.append(String(format: "%.2f/%.2f/%.2f", ari, nmi, accuracy))
        }
        entry["scores"] = against
        entry["labels"] = labels
        // NaN (no resample, or a cluster never matched) is written as JSON null (jsonSafe).
        entry["stability_jaccard"] = ClusterStability.jaccard(scores, rows: n, features: k, labels: labels, resamples: stabilityResamples, seed: seed) { sample, rows in
          cluster(sample, rows, clusters, restarts: 2)
        }
        // Prototypes: the mean beat-aligned attribution and beat per cluster [clusters, leads × width].
        entry["prototype_attribution"] = (0..<clusters).map { c in Self.mean(heats, width: width, rows: labels.indices.filter { labels[$0] == c }) }
        entry["prototype_beat"] = (0..<clusters).map { c in Self.mean(beats, width: width, rows: labels.indices.filter { labels[$0] == c }) }
        report.append(entry)
        print(pad(name, 15) + pad(algorithm, 9) + zip(line, widths).map { pad($0, $1) }.joined() + pad((entry["silhouette"] as? Double).map { String(format: "%.2f", $0) } ?? "n/a", 12)
          + ((entry["stability_jaccard"] as? [Double]) ?? []).map { $0.isFinite ? String(format: "%.2f", $0) : "n/a" }.joined(separator: " "))
      }
    }
    var embeddingJSON: [Double]?
    // The figure: prototypes of the --figure-representation GMM clustering (attribution: the
    // paper's choice), ARI bars.
    if let chosen = report.first(where: { ($0["representation"] as? String) == figureRepresentation && ($0["algorithm"] as? String) == "gmm" }),
      let labels = chosen["labels"] as? [Int]
    {
      let primary = truths.first
      let count = (labels.max() ?? 0) + 1
      let prototypeBeats = chosen["prototype_beat"] as! [[Double]], prototypeAttributions = chosen["prototype_attribution"] as! [[Double]]
      let figureClusters = (0..<count).map { c -> DiscoveryFigure.Cluster in
        let members = labels.indices.filter { labels[$0] == c }
        let women = members.compactMap { female[$0] }
        // Without known subtypes, the composition by the most detailed hidden grouping (with stage).
        let described = subtypeNames.isEmpty ? truths.first { $0.name == "planted subtype × stage" } ?? primary : primary
        let composition = described.map { t in
          t.names.indices.compactMap { i in
            let count = members.filter { t.labels[$0] == i }.count
            return count > 0 ? "\(t.names[i]) \(count)" : nil
          }.joined(separator: " · ")
        } ?? ""
        return DiscoveryFigure.Cluster(
          name: "cluster \(c + 1)", size: members.count, femaleShare: women.isEmpty ? nil : Double(women.filter { $0 == 1 }.count) / Double(women.count),
          composition: composition, beat: prototypeBeats[c], attribution: prototypeAttributions[c])
      }
      let bars: [(label: String, ari: Double)] = primary == nil ? [] : report.compactMap { entry in
        guard let scores = entry["scores"] as? [String: Any], let s = scores[primary!.name] as? [String: Any], let ari = s["ari"] as? Double else { return nil }
        return ("\(entry["representation"]!) · \(entry["algorithm"]!)", ari)
      }
      // t-SNE of the figure representation's PCA scores (those clustered above), for the scatter
      // (kept in discovery.json too).
      let embedding = n <= Self.wardLimit ? figureScores.map { TSNE.embed($0.scores, rows: n, features: $0.components) } : nil
      embeddingJSON = embedding
      var figure = DiscoveryFigure(
        title: "Discovery: \(className) records clustered by their \(method) (\(n) records\(subtypeNames.isEmpty ? "" : ", known subtypes " + subtypeNames.joined(separator: "/")))",
        subtitle: "prototypes of the beat-aligned attribution (shading) and beat (line) per cluster; \(figureRepresentation == "attribution" ? "" : figureRepresentation + " · ")PCA \(figureScores?.components ?? componentCounts[0])\(whiten ? " whitened" : "") + Gaussian mixture; \(loaded.architecture.name)",
        leadNames: FeatureTable.leadNames, samplesBefore: before, rateHz: Double(rate), clusters: figureClusters, scores: bars)
      if let embedding { figure.embedding = (embedding, labels, primary?.labels, primary?.names ?? []) }
      try Data(figure.svg().utf8).writeAtomically(to: runURL.appendingPathComponent("discovery.svg"))
    }
    let json: [String: Any] = [
      "class": className, "subtypes": subtypeNames, "records": n, "left_out": skipped, "method": method,
      "target": fixedTarget.map { classes[$0] } ?? "predicted", "hidden_layer": hiddenLayer, "clusters": clusters, "whiten": whiten,
      "inits": inits, "seed": seed, "cut_samples": [-before, after], "results": report, "ecg_ids": ids,
      "lead_names": FeatureTable.leadNames, "tsne_attribution": embeddingJSON.map { $0 as Any } ?? NSNull(), "figure_representation": figureRepresentation,
      "model": "\(loaded.architecture.name) \(loaded.parameterCount) parameters", "seconds": Date().timeIntervalSince(started),
    ]
    try JSONSerialization.data(withJSONObject: jsonSafe(json), options: [.prettyPrinted, .sortedKeys]).writeAtomically(to: runURL.appendingPathComponent("discovery.json"))
    try updateManifest(runURL, key: "discover", value: ["outputs": ["discovery.json", "discovery.svg"], "class": className, "records": n])
    print(String(format: "wrote %@/discovery.json and discovery.svg in %.1f s", runURL.path, Date().timeIntervalSince(started)))
  }

  /// The representations clustered, in order: the beat-aligned attribution, the same per record
  /// L1-normalised, its per-lead shares, the audit's lead × segment cells, the beat-aligned signal
  /// and the hidden features.
  static let representationNames = ["attribution", "attribution-l1", "lead-share", "cells", "beat", "hidden"]

  /// Ward clustering is O(n³): left out above this many records.
  static let wardLimit = 2500

  private func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }

  /// Every column scaled to zero mean and unit variance (constant columns to 0).
  static func standardised(_ values: [Double], rows n: Int, features d: Int) -> [Double] {
    var out = values
    for f in 0..<d {
      var m = 0.0, v = 0.0
      for r in 0..<n { m += values[r * d + f] }
      m /= Double(n)
      for r in 0..<n { v += (values[r * d + f] - m) * (values[r * d + f] - m) }
      let sd = (v / Double(n)).squareRoot()
      for r in 0..<n { out[r * d + f] = sd > 0 ? (values[r * d + f] - m) / sd : 0 }
    }
    return out
  }

  /// The mean of the given rows of a row-major matrix.
  static func mean(_ values: [Double], width: Int, rows: [Int]) -> [Double] {
    var out = [Double](repeating: 0, count: width)
    for r in rows { for i in 0..<width { out[i] += values[r * width + i] } }
    return out.map { rows.isEmpty ? 0 : $0 / Double(rows.count) }
  }

  /// The input of the classifier head: the output of the layer before the model's last layer.
  static func hiddenLayer(_ model: Model) -> String {
    let layers = LayerProbe.defaultLayers(of: model)
    return layers.count >= 2 ? layers[layers.count - 2] : layers[0]
  }
}
