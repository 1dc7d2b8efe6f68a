import ECGDiscovery
import ECGNet
import ECGPhantom
import ECGReport
import ECGSignal
import ECGTensor
import Foundation

extension Discover {
  /// Runs `DiscoveryAnalysis` on `dataset` and writes RUN/discovery.json, RUN/discovery.svg and
  /// manifest.json's `discover` entry, printing the analysis' progress — what `ecgxai discover`
  /// and the pipeline's discover step both do. The phantom's truth (DATA/truth/) is read when the
  /// dataset has one. `started` is when the command began (discovery.json's `seconds`).
  @discardableResult
  static func discover(
    _ settings: DiscoverySettings, model: Model, dataset: PTBXLDataset, runURL: URL, started: Date = Date(),
    saveRepresentations: String? = nil
  ) throws -> DiscoveryResult {
    let analysis = DiscoveryAnalysis(settings: settings)
    let cohort = try analysis.cohort(in: dataset)
    try prepareRunDirectory(runURL)
    var truth: PhantomTruth?
    if FileManager.default.fileExists(atPath: dataset.root.appendingPathComponent("truth/findings.csv").path) {
      truth = try PhantomTruth(root: dataset.root, ecgIDs: Set(cohort.map { dataset.entries[$0.index].ecgID }))
    }
    var result = try analysis.run(dataset: dataset, model: model, truth: truth) { event in
      switch event {
      case .cohort(let summary): print("discover \(runURL.path): \(summary)")
      case .records(let done, let total): progress(done: done, total: total)
      case .line(let line): print(line)
      case .representations(let representations):
        if let saveRepresentations { try write(representations, to: URL(fileURLWithPath: saveRepresentations)) }
      }
    }
    result.seconds = Date().timeIntervalSince(started)
    try writeOutputs(result, to: runURL)
    try updateManifest(runURL, key: "discover", value: ["outputs": ["discovery.json", "discovery.svg"], "class": settings.className, "records": result.records])
    print(String(format: "wrote %@/discovery.json and discovery.svg in %.1f s", runURL.path, Date().timeIntervalSince(started)))
    return result
  }

  /// Writes RUN/discovery.svg (when the result has the figure's clustering) and
  /// RUN/discovery.json (sorted keys, pretty-printed), each atomically.
  static func writeOutputs(_ result: DiscoveryResult, to runURL: URL) throws {
    if let figure = figure(of: result) {
      try Data(figure.svg().utf8).writeAtomically(to: runURL.appendingPathComponent("discovery.svg"))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(result).writeAtomically(to: runURL.appendingPathComponent("discovery.json"))
  }

  /// The figure: prototypes of the figure representation's Gaussian-mixture clusters (attribution:
  /// the paper's choice), ARI bars against the first known grouping, the t-SNE scatter.
  static func figure(of result: DiscoveryResult) -> DiscoveryFigure? {
    guard let chosen = result.figureClustering else { return nil }
    let labels = chosen.labels
    let primary = result.groupings.first
    // Without known subtypes, the composition by the most detailed hidden grouping (with stage).
    let described = result.subtypes.isEmpty ? result.groupings.first { $0.name == "planted subtype × stage" } ?? primary : primary
    let clusters = (0..<((labels.max() ?? 0) + 1)).map { c -> DiscoveryFigure.Cluster in
      let members = labels.indices.filter { labels[$0] == c }
      let composition = described.map { t in
        t.names.indices.compactMap { i in
          let count = members.filter { t.labels[$0] == i }.count
          return count > 0 ? "\(t.names[i]) \(count)" : nil
        }.joined(separator: " · ")
      } ?? ""
      return DiscoveryFigure.Cluster(
        name: "cluster \(c + 1)", size: members.count, femaleShare: chosen.femaleShare[c], composition: composition,
        beat: chosen.prototypeBeat[c], attribution: chosen.prototypeAttribution[c])
    }
    let bars: [(label: String, ari: Double)] = primary.map { primary in
      result.results.compactMap { entry in entry.scores[primary.name].map { ("\(entry.representation) · \(entry.algorithm)", $0.ari) } }
    } ?? []
    let representation = result.figureRepresentation == "attribution" ? "" : result.figureRepresentation + " · "
    var figure = DiscoveryFigure(
      title: "Discovery: \(result.className) records clustered by their \(result.method) (\(result.records) records\(result.subtypes.isEmpty ? "" : ", known subtypes " + result.subtypes.joined(separator: "/")))",
      subtitle: "prototypes of the beat-aligned attribution (shading) and beat (line) per cluster; \(representation)PCA \(chosen.pcaComponents)\(result.whiten ? " whitened" : "") + Gaussian mixture; \(result.architectureName)",
      leadNames: result.leadNames, samplesBefore: -(result.cutSamples.first ?? 0), rateHz: result.samplingRateHz, clusters: clusters, scores: bars)
    if let embedding = result.tsneAttribution { figure.embedding = (embedding, labels, primary?.labels, primary?.names ?? []) }
    return figure
  }

  /// Writes every representation as DIR/NAME.npy [records, features] (float32) and
  /// DIR/records.csv (ecg_id, subtype).
  static func write(_ representations: [DiscoveryRepresentation], to directory: URL) throws {
    guard let first = representations.first else { return }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for r in representations {
      try NumPy.write(Tensor(shape: [r.records, r.features], scalars: r.values.map(Float.init)), to: directory.appendingPathComponent("\(r.name).npy"))
    }
    let rows = zip(first.ecgIDs, first.subtypes).map { "\($0),\($1 ?? "")" }
    try Data((["ecg_id,subtype"] + rows).joined(separator: "\n").appending("\n").utf8)
      .writeAtomically(to: directory.appendingPathComponent("records.csv"))
    print("  wrote the representations to \(directory.path)/{\(representations.map(\.name).joined(separator: ","))}.npy and records.csv")
  }
}
