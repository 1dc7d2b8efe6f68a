import ArgumentParser
import ECGConcepts
import ECGNet
import ECGReport
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai concepts`: TCAV with the paper's expert concepts (and user queries), every layer,
/// with a significance test against random CAVs.
struct Concepts: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Concept-based explanations: TCAV with ECG expert concepts, layer by layer, with significance tests.",
    discussion: """
      For each concept (a 0/1 column of features.csv from `ecgxai features`, or a --queries rule)
      and each of R runs: m records with the concept and m without it (drawn anew each run), their
      activations at every layer on the paper's centre crop (250 samples), a linear CAV per layer
      (logistic regression as scikit-learn's defaults; --classifier svm or fastcav), its hold-out
      accuracy. For each target class, the layer gradients of its output on records labelled with
      it give Captum's sign_count and magnitude per CAV. Each concept × layer × target is tested
      against 30 random-vs-random CAVs of the same size (two-sided Welch t-test of sign_count;
      --student for tensorflow/tcav's), Bonferroni over concepts × layers × targets. --null-concepts K adds K
      random record subsets as concepts and reports how often they come out significant.
      Writes RUN/tcav.json, RUN/concepts/cavs.safetensors (the CAVs, reusable on new inputs) and
      the figures RUN/concepts/tcav-overview.svg and tcav-pairs.svg.
      Definitions: docs/concepts.md.
      Examples: ecgxai concepts runs/demo
                ecgxai concepts runs/ptbxl --targets LVH,CLBBB,IMI,AMI --layers sequential.2,sequential.9 --runs 20
      """)

  @Argument(help: "Run directory (data/, model/ and features.csv inside).") var runDirectory: String
  @Option(help: "Model: a directory, an ONNX file (.onnx) or a state dict (.safetensors, with --arch); default RUN/model.") var model: String?
  @Option(help: "With --model FILE.safetensors: the architecture of the state dict (lenet1d, xresnet1d18/34/50/101).") var arch: String?
  @Option(help: "PTB-XL-layout data folder; default RUN/data.") var data: String?
  @Option(help: "features.csv with the concept columns (from `ecgxai features`); default RUN/features.csv.") var features: String?
  @Option(help: "Concept columns of features.csv (comma separated); default the paper's 15 concepts.") var concepts: String?
  @Option(help: "More concepts: a rules file ('NAME: expression' per line over features.csv columns, docs/features.md).") var queries: String?
  @Option(help: "Relative TCAV pairs 'A:B' (comma separated): A's records without B against B's without A.") var relative: String?
  @Option(help: "Target classes (comma separated); default the paper's LVH, CLBBB, ILBBB, IMI, AMI those the model has (else HYP, CD, MI; else every class but NORM).")
  var targets: String?
  @Option(help: "Layers (comma separated paths, see --list-layers); default every layer, as the paper.") var layers: String?
  @Flag(help: "Print the model's layer names and exit.") var listLayers = false
  @Option(help: "Runs R per concept.") var runs = 10
  @Option(help: "Random-vs-random runs per example count (the test's baseline).") var randomRuns = 30
  @Option(help: "Most concept examples per run m (runs use disjoint examples when the concept has R·m records); 0 = no cap.") var maxExamples = 100
  @Option(help: "Fewest examples per run before runs share examples (small concepts).") var minExamples = 6
  @Option(help: "Inputs per target (records labelled with it); 0 = all.") var maxInputs = 200
  @Option(help: "CAV classifier: logistic, svm or fastcav.") var classifier = "logistic"
  @Option(help: "Centre crop in samples (the paper: 250 at 100 Hz); 0 = the whole record.") var crop = 250
  @Option(help: "Records of the split all, test (fold 10), validation (9) or train (1–8).") var split = "all"
  @Option(help: "Sampling rate of the records, 100 or 500.") var rate = 100
  @Option(help: "Random record subsets analysed as concepts to measure the false-positive rate.") var nullConcepts = 0
  @Option(help: "Family-wise significance level (Bonferroni).") var alpha = 0.05
  @Flag(help: "Student's t-test (tensorflow/tcav's) instead of Welch's.") var student = false
  @Option(help: "Seed of every random draw.") var seed: UInt64 = 0
  @Option(help: "Score new records with the run's stored CAVs instead of learning them: a .npy [records, 12, samples] (cropped as the CAVs were); results for --targets → --score-out.")
  var scoreInput: String?
  @Option(help: "Where --score-input writes its scores (JSON); default RUN/concepts/scores.json.") var scoreOut: String?

  func validate() throws {
    try DatasetSplit.validate(split)
    guard CAVClassifier(rawValue: classifier) != nil else { throw ValidationError("--classifier must be logistic, svm or fastcav") }
    guard crop >= 0 else { throw ValidationError("--crop must be ≥ 0") }
  }

  func run() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
    let loaded = try ModelOptions.load(model ?? runURL.appendingPathComponent("model").path, arch: arch)
    if listLayers {
      let defaults = Set(LayerProbe.defaultLayers(of: loaded))
      for name in loaded.layerNames { print(defaults.contains(name) ? "\(name)  (default)" : name) }
      return
    }
    guard let classes = loaded.architecture.classNames else {
      throw CLIError("the model has no class names (train it with `ecgxai train`, which records them)")
    }
    try prepareRunDirectory(runURL)
    if let scoreInput { return try scoreStoredCAVs(scoreInput, runURL: runURL, model: loaded, classes: classes) }
    let settings = TCAVSettings(
      layers: list(layers) ?? [], runs: runs, randomRuns: randomRuns, maxExamples: maxExamples, minExamples: minExamples, maxInputs: maxInputs,
      classifier: CAVClassifier(rawValue: classifier)!, alpha: alpha, seed: seed, nullConcepts: nullConcepts, equalVariances: student)
    do { try settings.validate(); try LayerProbe.validate(settings.layers, in: loaded) } catch let error as ConceptError { throw CLIError(error.description) }
    let chosenTargets = try targetClasses(classes)

    // Records: the split's records with measured features.
    let dataURL = URL(fileURLWithPath: data ?? runURL.appendingPathComponent("data").path)
    let options = DatasetOptions(data: dataURL.path, rate: rate, folds: DatasetSplit.folds[split]!)
    try options.check(loaded)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let selected = try options.selection(dataset)
    let table = try readFeatures(runURL, ids: Set(selected.map { dataset.entries[$0].ecgID }))
    let pool = selected.filter { table.values[dataset.entries[$0].ecgID] != nil }
    guard !pool.isEmpty else { throw CLIError("no record of the \(split) split has features in \(table.path)") }
    let conceptNames = try conceptColumns(table.columns)
    var conceptSets = conceptNames.map { name in
      ConceptExamples(name: name, members: pool.indices.filter { (table.values[dataset.entries[pool[$0]].ecgID]![name] ?? 0) != 0 })
    }
    if let queries {
      guard let text = try? String(contentsOfFile: queries, encoding: .utf8) else { throw CLIError("cannot read the queries file \(queries)") }
      let rules: ConceptRules
      do { rules = try ConceptRules(text: text, known: Set(table.columns)) } catch let error as SignalError { throw CLIError("\(queries): \(error.description)") }
      let evaluated = pool.map { rules.evaluate(table.values[dataset.entries[$0].ecgID]!) }
      for name in rules.names { conceptSets.append(ConceptExamples(name: name, members: pool.indices.filter { evaluated[$0][name] == true })) }
    }
    let pairs = try relativePairs(conceptSets.map(\.name))
    let labels = pool.map { dataset.labelsAtEveryLevel(dataset.entries[$0]) }
    let targetSets = chosenTargets.map { name in
      TCAVTarget(name: name, output: classes.firstIndex(of: name)!, members: pool.indices.filter { labels[$0].contains(name) })
    }
    print("concepts \(runURL.path): \(pool.count) records (\(split)), \(loaded.architecture.name), \(conceptSets.count) concepts, targets \(chosenTargets.joined(separator: ", ")), \(settings.classifier.rawValue) CAVs, R = \(runs)")

    let cropLength = crop
    let analysis = TCAVAnalysis(model: loaded, settings: settings)
    let output: TCAVAnalysis.Output
    do {
      output = try analysis.run(
        poolSize: pool.count, concepts: conceptSets, relative: pairs, targets: targetSets,
        inputs: { positions in
          let x = try options.batch(dataset, positions.map { pool[$0] })
          return try centreCrop(x, length: cropLength)
        },
        progress: { print("  " + $0) })
    } catch let error as ConceptError { throw CLIError(error.description) }

    try write(output, runURL: runURL, modelName: "\(loaded.architecture.name) \(loaded.parameterCount) parameters")
    let seconds = Date().timeIntervalSince(started)
    try updateManifest(runURL, key: "concepts", value: [
      "outputs": ["tcav.json", "concepts/cavs.safetensors", "concepts/tcav-overview.svg", "concepts/tcav-pairs.svg"], "records": pool.count, "split": split, "crop": crop,
      "classifier": classifier, "runs": runs, "timings_s": ["total": seconds],
    ])
    printSummary(output.result)
    print(String(format: "wrote %@/tcav.json and concepts/{cavs.safetensors,tcav-overview.svg,tcav-pairs.svg} in %.1f s", runURL.path, seconds))
  }

  /// `--score-input`: the stored CAVs' sign_count and magnitude on new records, per target.
  private func scoreStoredCAVs(_ path: String, runURL: URL, model: Model, classes: [String]) throws {
    let url = runURL.appendingPathComponent("concepts/cavs.safetensors")
    guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("no stored CAVs at \(url.path) (run `ecgxai concepts \(runURL.path)` first)") }
    let stored: (entries: [String: SafeTensors.Entry], metadata: [String: String])
    do { stored = try SafeTensors.readWithMetadata(url) } catch let error as WeightsError { throw CLIError(error.description) }
    var cavs: [String: [String: Tensor]] = [:]
    for (key, entry) in stored.entries where key.hasSuffix("|direction") {
      let parts = key.split(separator: "|").map(String.init)
      guard parts.count == 3, case .float(let t) = entry else { continue }
      cavs[parts[0], default: [:]][parts[1]] = t
    }
    guard !cavs.isEmpty else { throw CLIError("\(url.path) holds no CAVs") }
    let x = try readArray(path, what: "input")
    try validateECGBatch(x, leads: model.architecture.inputChannels, path: path, model: model)
    let cropLength = Int(stored.metadata["crop"] ?? "") ?? crop
    let input = try centreCrop(x, length: cropLength)
    var json: [String: Any] = ["input": path, "records": x.shape[0], "crop": cropLength, "cavs": url.path]
    var perTarget: [String: Any] = [:]
    for name in try targetClasses(classes) {
      let scores: [String: [String: [TCAVScore]]]
      do { scores = try TCAVScore.scores(model, input: input, target: classes.firstIndex(of: name)!, cavs: cavs) } catch let error as ConceptError {
        throw CLIError(error.description)
      }
      var layers: [String: Any] = [:]
      for (layer, byConcept) in scores {
        layers[layer] = byConcept.mapValues { runs -> [String: Any] in
          ["sign_count": runs.map(\.signCount), "magnitude": runs.map(\.magnitude), "mean_sign_count": runs.map(\.signCount).reduce(0, +) / Double(runs.count)]
        }
      }
      perTarget[name] = layers
      print("\(name): mean sign_count of the stored CAVs on \(x.shape[0]) records (highest layer per concept)")
      for concept in Set(scores.values.flatMap(\.keys)).sorted() {
        let best = scores.compactMap { layer, byConcept in byConcept[concept].map { (layer, $0.map(\.signCount).reduce(0, +) / Double($0.count)) } }
          .max { $0.1 < $1.1 }!
        print(String(format: "  %@: %.2f at %@", concept, best.1, best.0))
      }
    }
    json["targets"] = perTarget
    let out = try outputURL(scoreOut ?? runURL.appendingPathComponent("concepts/scores.json").path)
    try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).writeAtomically(to: out)
    print("wrote \(out.path)")
  }

  private func list(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
  }

  private func targetClasses(_ classes: [String]) throws -> [String] {
    if let chosen = list(targets) {
      for name in chosen where !classes.contains(name) { throw CLIError("'\(name)' is not a class of the model (\(classes.joined(separator: ", ")))") }
      guard !chosen.isEmpty else { throw CLIError("--targets is empty") }
      return chosen
    }
    for preset in [["LVH", "CLBBB", "ILBBB", "IMI", "AMI"], ["HYP", "CD", "MI"]] {
      let present = preset.filter(classes.contains)
      if !present.isEmpty { return present }
    }
    return classes.filter { $0 != "NORM" }
  }

  private func conceptColumns(_ columns: [String]) throws -> [String] {
    guard let chosen = list(concepts) else { return ExpertConcepts.names.filter(columns.contains) }
    for name in chosen where !columns.contains(name) { throw CLIError("'\(name)' is not a column of the features file") }
    return chosen
  }

  private func relativePairs(_ names: [String]) throws -> [(String, String)] {
    try (list(relative) ?? []).map { text in
      let parts = text.split(separator: ":").map(String.init)
      guard parts.count == 2, names.contains(parts[0]), names.contains(parts[1]), parts[0] != parts[1] else {
        throw CLIError("--relative '\(text)': expected A:B with two different concepts of the analysis")
      }
      return (parts[0], parts[1])
    }
  }

  /// The numeric cells of features.csv rows with status ok, by ecg_id.
  private func readFeatures(_ runURL: URL, ids: Set<Int>) throws -> (path: String, columns: [String], values: [Int: [String: Double]]) {
    let url = URL(fileURLWithPath: features ?? runURL.appendingPathComponent("features.csv").path)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw CLIError("no features file \(url.path) (run `ecgxai features --data \(runURL.path)/data --out \(url.path)` first)")
    }
    do {
      let table = try FeatureTable.measuredValues(at: url, keep: ids.contains)
      return (url.path, table.columns, table.values)
    } catch let error as CSVError { throw CLIError(error.description) }
  }

  /// tcav.json (atomically) and the CAVs as safetensors: `LAYER|CONCEPT|direction` [R, features],
  /// `…|offset` and `…|accuracy` [R].
  private func write(_ output: TCAVAnalysis.Output, runURL: URL, modelName: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    try encoder.encode(output.result).writeAtomically(to: runURL.appendingPathComponent("tcav.json"))
    var entries: [(String, SafeTensors.Entry)] = []
    for layer in output.cavs.keys.sorted() {
      for (concept, cavs) in output.cavs[layer]!.sorted(by: { $0.key < $1.key }) {
        let key = "\(layer)|\(concept)"
        entries.append(("\(key)|direction", .float(Tensor(shape: [cavs.count, cavs[0].direction.count], scalars: cavs.flatMap(\.direction)))))
        entries.append(("\(key)|offset", .float(Tensor(shape: [cavs.count], scalars: cavs.map { Float($0.offset) }))))
        entries.append(("\(key)|accuracy", .float(Tensor(shape: [cavs.count], scalars: cavs.map { Float($0.accuracy) }))))
      }
    }
    let directory = runURL.appendingPathComponent("concepts")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let figure = TCAVFigure(result: output.result)
    try Data(figure.overviewSVG().utf8).writeAtomically(to: directory.appendingPathComponent("tcav-overview.svg"))
    try Data(figure.pairsSVG().utf8).writeAtomically(to: directory.appendingPathComponent("tcav-pairs.svg"))
    try SafeTensors.write(entries, metadata: ["model": modelName, "crop": String(crop), "classifier": classifier, "rate_hz": String(rate)],
                          to: directory.appendingPathComponent("cavs.safetensors"))
  }
}

/// The centre `length` samples of every record of x [N, leads, T] (0 = all of them).
func centreCrop(_ x: Tensor, length: Int) throws -> Tensor {
  let (n, leads, t) = (x.shape[0], x.shape[1], x.shape[2])
  if length == 0 || length == t { return x }
  guard length < t else { throw CLIError("--crop \(length) is longer than the records (\(t) samples)") }
  let start = (t - length) / 2
  var out = [Float](repeating: 0, count: n * leads * length)
  for row in 0..<(n * leads) {
    for i in 0..<length { out[row * length + i] = x.scalars[row * t + start + i] }
  }
  return Tensor(shape: [n, leads, length], scalars: out)
}

/// The TCAV table on standard output: for each concept and target, the layers where it is
/// significant and the strongest mean sign_count.
func printSummary(_ result: TCAVResult) {
  let layerCount = result.layers.count
  print("significant concept → target pairs (Bonferroni over \(result.bonferroniTests) tests, alpha \(result.settings.alpha); ↑ sign_count above random, ↓ below):")
  for concept in result.concepts where concept.kind != "null" {
    var parts: [String] = []
    for target in result.targets {
      let cells = result.cells.filter { $0.concept == concept.name && $0.target == target.name }
      let higher = cells.filter { $0.significant && $0.meanSignCount > $0.randomMeanSignCount }
      let lower = cells.filter { $0.significant && $0.meanSignCount < $0.randomMeanSignCount }
      guard let best = higher.max(by: { $0.meanSignCount - $0.randomMeanSignCount < $1.meanSignCount - $1.randomMeanSignCount }) ?? lower.first else { continue }
      parts.append(String(format: "%@ ↑%d ↓%d of %d layers (%@: %.2f vs random %.2f)", target.name, higher.count, lower.count, layerCount, best.layer, best.meanSignCount, best.randomMeanSignCount))
    }
    print("  \(concept.name) (\(concept.examples) records, m \(concept.perRun)\(concept.disjointRuns ? "" : ", runs share examples")): " + (parts.isEmpty ? "none" : parts.joined(separator: "; ")))
  }
  for (name, reason) in result.skipped.sorted(by: { $0.key < $1.key }) { print("  \(name): skipped — \(reason)") }
  if let null = result.nullCalibration {
    print(String(format: "null concepts: %d random subsets; %.1f%% of their tests p < alpha unadjusted, %.1f%% of them significant anywhere after Bonferroni",
      null.concepts, 100 * null.unadjustedRate, 100 * null.familyRate))
  }
}
