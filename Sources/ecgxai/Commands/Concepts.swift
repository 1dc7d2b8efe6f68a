import ArgumentParser
import ECGConcepts
import ECGNet
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
    guard let classes = loaded.architecture.classNames else { throw CLIError(TCAVStudyError.noClassNames.description) }
    try prepareRunDirectory(runURL)
    if let scoreInput { return try scoreStoredCAVs(scoreInput, runURL: runURL, model: loaded, classes: classes) }
    let options = DatasetOptions(data: data ?? runURL.appendingPathComponent("data").path, rate: rate, folds: DatasetSplit.folds[split]!)
    let settings = try studySettings(folds: options.foldSet().map { $0.sorted() })
    let context = ConceptsErrorContext(split: split, features: features ?? runURL.appendingPathComponent("features.csv").path, queries: queries)
    try context.mapped { try TCAVStudy.validate(settings, model: loaded) }
    try options.check(loaded)
    guard let dataset = try options.load() else { throw CLIError("no dataset") }
    let table = try Self.readFeatures(context.features, runURL: runURL, dataset: dataset, settings: settings)
    let study = try context.mapped {
      try TCAVStudy(model: loaded, dataset: dataset, featureColumns: table.columns, featureValues: table.values, settings: settings)
    }
    print(Self.headline(study, runURL: runURL, split: split))
    let output = try context.mapped { try study.run(progress: { print("  " + $0) }) }
    try Self.save(output, of: study, runURL: runURL, split: split, started: started)
  }

  /// The options as the study's settings (reads the --queries file).
  private func studySettings(folds: [Int]?) throws -> TCAVStudy.Settings {
    var rules: String?
    if let queries {
      guard let text = try? String(contentsOfFile: queries, encoding: .utf8) else { throw CLIError("cannot read the queries file \(queries)") }
      rules = text
    }
    let pairs = try (list(relative) ?? []).map { text in
      let parts = text.split(separator: ":").map(String.init)
      guard parts.count == 2 else { throw CLIError("--relative '\(text)': expected A:B with two different concepts of the analysis") }
      return TCAVStudy.RelativePair(concept: parts[0], reference: parts[1])
    }
    let analysis = TCAVSettings(
      layers: list(layers) ?? [], runs: runs, randomRuns: randomRuns, maxExamples: maxExamples, minExamples: minExamples, maxInputs: maxInputs,
      classifier: CAVClassifier(rawValue: classifier)!, alpha: alpha, seed: seed, nullConcepts: nullConcepts, equalVariances: student)
    return TCAVStudy.Settings(
      analysis: analysis, concepts: list(concepts), queries: rules, relative: pairs, targets: list(targets), cropSamples: crop, rateHz: rate,
      folds: folds)
  }

  /// `--score-input`: the stored CAVs' sign_count and magnitude on new records, per target.
  private func scoreStoredCAVs(_ path: String, runURL: URL, model: Model, classes: [String]) throws {
    let url = runURL.appendingPathComponent("concepts/cavs.safetensors")
    guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("no stored CAVs at \(url.path) (run `ecgxai concepts \(runURL.path)` first)") }
    let stored: CAVFile.Contents
    do { stored = try CAVFile.read(url) } catch let error as WeightsError { throw CLIError(error.description) } catch let error as ConceptError {
      throw CLIError(error.description)
    }
    let cavs = stored.directions
    let x = try readArray(path, what: "input")
    try validateECGBatch(x, leads: model.architecture.inputChannels, path: path, model: model)
    let cropLength = stored.cropSamples ?? crop
    let context = ConceptsErrorContext(split: split, features: "", queries: nil)
    let input = try context.mapped { try TCAVStudy.centreCrop(x, samples: cropLength) }
    var json: [String: Any] = ["input": path, "records": x.shape[0], "crop": cropLength, "cavs": url.path]
    var perTarget: [String: Any] = [:]
    let targetNames = try context.mapped { try TCAVStudy.targets(list(targets), classes: classes) }
    for name in targetNames {
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
    text.map(commaList)
  }
}
