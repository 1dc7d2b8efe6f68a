import ECGAudit
import ECGAuditStore
import Foundation
import Testing

/// The `ecgxai` executable as a user runs it: the quick demo produces a run directory that the
/// other commands read; bad input ends with `Error: …` and a nonzero exit status, never a trap.
@Suite(.serialized) struct CommandLineTests {
  /// The built `ecgxai` next to the test bundle (SwiftPM puts products in one directory).
  static let executable: URL = {
    var dir = Bundle.main.bundleURL
    for _ in 0..<3 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("ecgxai").path) {
      dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("ecgxai")
  }()

  struct Result { var status: Int32; var output: String; var error: String }

  static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["ECGXAI_THREADS"] = "2"
    environment.merge(extra) { $1 }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return Result(status: process.terminationStatus, output: output, error: error)
  }

  static func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("ecgxai-cli-\(UUID().uuidString)")
  }

  @Test func quickDemoThenFeaturesExplainPredictAndSanityOnItsRunDirectory() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the ecgxai product first")
    let run = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: run) }
    let demo = try Self.run(["demo", "--quick", "--out", run.path])
    #expect(demo.status == 0, "\(demo.error)")
    #expect(demo.output.contains("macro-AUC"))
    let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("evaluation-superdiagnostic.json"))) as? [String: Any]
    #expect((evaluation?["test"] as? [String: Any])?["macro_auc"] is Double)
    let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("manifest.json"))) as? [String: Any]
    let steps = ((manifest?["pipeline"] as? [String: Any])?["steps"] as? [String: Any]) ?? [:]
    #expect(Set(steps.keys) == ["data", "train", "explain", "sanity", "audit", "features", "concepts", "discover", "report"])
    for name in ["attributions/saliency.npy", "attributions/ig.npy", "attributions/lrp-epsilon.npy", "model-subdiagnostic/weights.safetensors",
                 "sanity-T_Wave_Amplitude.json", "sanity-localisation.json", "audit.json", "results.sqlite", "features.csv", "tcav.json", "discovery.json", "report.html"] {
      #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "demo wrote \(name)")
    }
    let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
    for heading in ["Dataset and models", "Attributions", "Sanity checks", "Glocal audit", "Concepts (TCAV)", "Knowledge discovery"] {
      #expect(html.contains("\(heading)</h2>"), "report section \(heading)")
    }
    #expect(html.contains(" by sex (female ") && html.contains(" by age band ("), "audit maps per sex and per age band")
    #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") },
            "the report loads nothing from the network")
    // A second run resumes: every step is up to date; --force redoes one step and those reading it.
    let again = try Self.run(["demo", "--quick", "--out", run.path, "--force", "discover"])
    #expect(again.status == 0, "\(again.error)")
    #expect(again.output.components(separatedBy: ": up to date").count - 1 == 7, "all but discover and report kept")
    let features = try Self.run(["features", "--data", run.path, "--folds", "10", "--out", run.appendingPathComponent("features.csv").path])
    #expect(features.status == 0, "\(features.error)")
    let table = try String(contentsOf: run.appendingPathComponent("features.csv"), encoding: .utf8)
    #expect(table.hasPrefix("ecg_id,status,r_peaks,hr_bpm"))
    let explain = try Self.run(["explain", run.path, "--method", "gxi", "--split", "validation"])
    #expect(explain.status == 0, "\(explain.error)")
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("attributions/gxi.validation.npy").path))
    let predict = try Self.run([
      "predict", "--model", run.appendingPathComponent("model").path, "--data", run.appendingPathComponent("data").path,
      "--folds", "10", "--out", run.appendingPathComponent("logits.npy").path,
    ])
    #expect(predict.status == 0, "\(predict.error)")
    let sanity = try Self.run(["sanity", run.path, "--task", "R_Peak_Amplitude", "--epochs", "2", "--records", "10", "--methods", "saliency,ig"])
    #expect(sanity.status == 0, "\(sanity.error)")
    let report = try JSONSerialization.jsonObject(
      with: Data(contentsOf: run.appendingPathComponent("sanity-R_Peak_Amplitude.json"))) as? [String: Any]
    #expect((report?["methods"] as? [[String: Any]])?.count == 2)
    let saliency = try #require((report?["methods"] as? [[String: Any]])?.first)
    for key in ["spatial_specificity_ci", "share_over_chance_ci", "randomisation", "randomisation_independent", "random_logit",
                "data_randomisation", "deletion", "insertion", "faithfulness_correlation"] {
      #expect(saliency[key] != nil, "sanity JSON has \(key)")
    }
    let localisation = try JSONSerialization.jsonObject(
      with: Data(contentsOf: run.appendingPathComponent("sanity-localisation.json"))) as? [String: Any]
    #expect(((localisation?["methods"] as? [[String: Any]])?.first?["all"] as? [String: Any])?["auc"] is [String: Any])
    #expect(html.contains("Localisation against the true evidence"))
    // Bad input: a clear error and a non-zero exit.
    for (arguments, message) in [
      (["sanity", run.path, "--methods", "saliency,bogus"], "unknown method 'bogus'"),
      (["sanity", run.path, "--task", "Q_Amplitude"], "--task must be"),
      (["sanity", run.path, "--window", "0"], "must be positive"),
      (["sanity", run.path, "--localisation", "--model", run.appendingPathComponent("nothing").path], "model not found"),
    ] {
      let bad = try Self.run(arguments)
      #expect(bad.status != 0 && bad.error.contains(message), "\(arguments): \(bad.error)")
    }

    // The glocal audit, whole and in 3 shards merged: the same bytes.
    let common = ["--conditions", "MI,HYP", "--top", "12", "--bootstrap", "20", "--split", "test"]
    let audit = try Self.run(["audit", run.path] + common)
    #expect(audit.status == 0, "\(audit.error)")
    #expect(audit.output.contains("vs truth: enrichment AUC"))
    let whole = try Data(contentsOf: run.appendingPathComponent("results.sqlite"))
    let summary = try Data(contentsOf: run.appendingPathComponent("audit.json"))
    for i in 1...3 {
      let part = try Self.run(["audit", run.path, "--shard", "\(i)/3"] + common)
      #expect(part.status == 0, "\(part.error)")
    }
    let incomplete = try Self.run(["merge", run.path, "--parts", run.appendingPathComponent("audit/partial-1-of-3.sqlite").path])
    #expect(incomplete.status != 0 && incomplete.error.contains("need each of 1…3"))
    let merge = try Self.run(["merge", run.path])
    #expect(merge.status == 0, "\(merge.error)")
    #expect(try Data(contentsOf: run.appendingPathComponent("results.sqlite")) == whole, "merged results.sqlite == unsharded")
    #expect(try Data(contentsOf: run.appendingPathComponent("audit.json")) == summary, "merged audit.json == unsharded")
    // Subgroups from a feature query over features.csv (written above for fold 10).
    let queries = run.appendingPathComponent("subgroups.txt")
    try "WIDE-QRS: qrs_ms >= 110\n".write(to: queries, atomically: true, encoding: .utf8)
    let grouped = try Self.run(["audit", run.path, "--subgroups", queries.path, "--features", run.appendingPathComponent("features.csv").path] + common)
    #expect(grouped.status == 0, "\(grouped.error)")
    let featureGroups = Set(try AuditStore.readSubgroups(run.appendingPathComponent("results.sqlite")).filter { $0.kind == "feature" }.map(\.value))
    #expect([1, 2].contains(featureGroups.count), "WIDE-QRS and/or 'not WIDE-QRS' subgroups, got \(featureGroups)")
    let unknown = try Self.run(["audit", run.path, "--conditions", "LVH"])
    #expect(unknown.status != 0 && unknown.error.contains("'LVH' is not a class of the model"))
    let rules = run.appendingPathComponent("rules.yaml")
    try "MI:\n  cells:\n    - leads: [V9]\n      segments: [QRS]\n".write(to: rules, atomically: true, encoding: .utf8)
    let badRules = try Self.run(["audit", run.path, "--rules", rules.path] + common)
    #expect(badRules.status != 0 && badRules.error.contains("unknown lead 'V9'"))
    try "BAD: no_such_column > 1\n".write(to: queries, atomically: true, encoding: .utf8)
    let badQuery = try Self.run(["audit", run.path, "--subgroups", queries.path, "--features", run.appendingPathComponent("features.csv").path] + common)
    #expect(badQuery.status != 0 && badQuery.error.contains("no_such_column"))

    // TCAV on the fold-10 records that have features: two layers, small runs, two null concepts.
    let tcav = try Self.run([
      "concepts", run.path, "--split", "test", "--layers", "sequential.9,sequential.13", "--runs", "3", "--random-runs", "4",
      "--min-examples", "6", "--max-inputs", "10", "--null-concepts", "2",
    ])
    #expect(tcav.status == 0, "\(tcav.error)")
    #expect(tcav.output.contains("null concepts: 2 random subsets"))
    let tcavJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("tcav.json"))) as? [String: Any]
    #expect((tcavJSON?["layers"] as? [[String: Any]])?.count == 2)
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("concepts/cavs.safetensors").path))
    // The stored CAVs score new records without refitting.
    let newRecords = run.appendingPathComponent("fold10.npy").path
    let export = try Self.run(["export", "--data", run.appendingPathComponent("data").path, "--folds", "10", "--task", "superdiagnostic", "--out", newRecords])
    #expect(export.status == 0, "\(export.error)")
    let scored = try Self.run(["concepts", run.path, "--score-input", newRecords])
    #expect(scored.status == 0, "\(scored.error)")
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("concepts/scores.json").path))
    // Discovery: MI records clustered by attribution, beat and hidden features, scored against AMI/IMI.
    let discover = try Self.run(["discover", run.path, "--class", "MI", "--subtypes", "AMI,IMI", "--inits", "2"])
    #expect(discover.status == 0, "\(discover.error)")
    #expect(discover.output.contains("ARI/NMI/acc vs subtypes"))
    let discovery = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("discovery.json"))) as? [String: Any]
    #expect((discovery?["results"] as? [[String: Any]])?.count == 18, "6 representations × 3 algorithms")
    // Part 2: records whose only diagnostic label is ASMI, the model's output for it (MI on this
    // superdiagnostic model), scored against the hidden variants with and within the infarct stage.
    let asmi = try Self.run(["discover", run.path, "--class", "ASMI", "--inits", "2", "--stability-resamples", "0"])
    #expect(asmi.status == 0, "\(asmi.error)")
    #expect(asmi.output.contains("saliency of MI on"))
    #expect(asmi.output.contains("vs planted subtype × stage") && asmi.output.contains("vs planted subtype, old stage"))
    let soleASMI = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("discovery.json"))) as? [String: Any]
    let anyASMI = try Self.run(["discover", run.path, "--class", "ASMI", "--inits", "2", "--stability-resamples", "0", "--other-labels", "--figure-representation", "attribution-l1"])
    #expect(anyASMI.status == 0, "\(anyASMI.error)")
    let withOthers = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("discovery.json"))) as? [String: Any]
    #expect(withOthers?["figure_representation"] as? String == "attribution-l1")
    #expect(try String(contentsOf: run.appendingPathComponent("discovery.svg"), encoding: .utf8).contains("attribution-l1 · PCA"))
    // A run directory that does not exist yet (data and model elsewhere) is created.
    let fresh = run.appendingPathComponent("elsewhere/discovery")
    let elsewhere = try Self.run(["discover", fresh.path, "--data", run.appendingPathComponent("data").path, "--model", run.appendingPathComponent("model").path,
                                  "--class", "ASMI", "--inits", "2", "--stability-resamples", "0"])
    #expect(elsewhere.status == 0, "\(elsewhere.error)")
    #expect(FileManager.default.fileExists(atPath: fresh.appendingPathComponent("discovery.svg").path))
    let badFigure = try Self.run(["discover", run.path, "--class", "ASMI", "--figure-representation", "beats"])
    #expect(badFigure.status != 0 && badFigure.error.contains("unknown --figure-representation 'beats'; choose one of attribution, attribution-l1"))
    #expect(try #require(soleASMI?["records"] as? Int) < #require(withOthers?["records"] as? Int), "--other-labels adds ASMI records with further findings")
    let noClass = try Self.run(["discover", run.path, "--class", "NOPE"])
    #expect(noClass.status != 0 && noClass.error.contains("are NOPE"))
    let badLayer = try Self.run(["concepts", run.path, "--split", "test", "--layers", "sequential.99"])
    #expect(badLayer.status != 0 && badLayer.error.contains("unknown layer 'sequential.99'"))
    let noFeatures = try Self.run(["concepts", run.path, "--features", run.appendingPathComponent("nope.csv").path])
    #expect(noFeatures.status != 0 && noFeatures.error.contains("run `ecgxai features"))

    // A record with a missing (NaN) sample joins no group instead of breaking the audit.
    let testIDs = try String(contentsOf: run.appendingPathComponent("attributions/saliency.ecg_id.csv"), encoding: .utf8)
    let id = try #require(testIDs.split(separator: "\n").dropFirst().first.flatMap { Int($0) })  // a fold-10 record
    let dat = run.appendingPathComponent(String(format: "data/records100/%05d/%05d_lr.dat", id / 1000 * 1000, id))
    let handle = try FileHandle(forUpdating: dat)
    let old = try #require(try handle.read(upToCount: 2)).withUnsafeBytes { Int($0.load(as: Int16.self).littleEndian) }
    try handle.seek(toOffset: 0)
    try handle.write(contentsOf: Data([0x00, 0x80]))  // format 16's reserved minimum: a missing sample
    try handle.close()
    // Keep the header consistent (initial value and 16-bit checksum of signal I), as a writer would.
    let hea = dat.deletingPathExtension().appendingPathExtension("hea")
    var lines = try String(contentsOf: hea, encoding: .utf8).components(separatedBy: "\n")
    var fields = lines[1].split(separator: " ").map(String.init)
    let checksum = Int16(truncatingIfNeeded: try #require(Int(fields[6])) - old - 32768)
    fields[5] = "-32768"
    fields[6] = "\(checksum)"
    lines[1] = fields.joined(separator: " ")
    try lines.joined(separator: "\n").write(to: hea, atomically: true, encoding: .utf8)
    let damaged = try Self.run(["audit", run.path] + common)
    #expect(damaged.status == 0, "\(damaged.error)")
    #expect(damaged.output.contains("1 records have NaN or infinite samples and join no group: ecg_id \(id)"))
  }

  @Test func runConfigurationsOnAPTBXLFolderAndBadConfigurations() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the ecgxai product first")
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // The documented defaults parse back (every key known, every value well typed).
    let defaults = dir.appendingPathComponent("defaults.yaml")
    #expect(try Self.run(["run", "--write-config", defaults.path]).status == 0)
    #expect(try Self.run(["run", "--write-config", defaults.path]).error.contains("exists"), "never overwritten")
    // A tiny PTB-XL-layout folder (as real PTB-XL: no truth/ is read) and `run --data` on it.
    let ptbxl = dir.appendingPathComponent("ptb-xl")
    #expect(try Self.run(["synth", "--out", ptbxl.path, "--records", "300", "--rates", "100"]).status == 0)
    try FileManager.default.removeItem(at: ptbxl.appendingPathComponent("truth"))
    let config = dir.appendingPathComponent("small.json")
    try """
      {"out": "\(dir.appendingPathComponent("run").path)", "steps": ["data", "train", "explain", "sanity", "report"],
       "train": {"tasks": ["superdiagnostic"], "epochs": 1}, "explain": {"methods": ["saliency"]}}
      """.write(to: config, atomically: true, encoding: .utf8)
    let real = try Self.run(["run", config.path, "--data", ptbxl.path])
    #expect(real.status == 0, "\(real.error)")
    #expect(real.output.contains("skipped: no Uni-G amplitude table"), "sanity needs PTB-XL+ on real data")
    let link = try FileManager.default.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("run/data").path)
    #expect(URL(fileURLWithPath: link).standardizedFileURL.path == ptbxl.standardizedFileURL.path, "RUN/data links the user's folder")
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/report.html").path))
    // Bad configurations: one clear message each, exit status ≠ 0.
    let cases: [(String, String)] = [
      ("train:\n  epoch: 3\n", "unknown key 'train.epoch' (did you mean 'epochs'?)"),
      ("data:\n  source: ptbxl\n", "'data.path' (the PTB-XL folder) is missing"),
      ("train:\n  epochs: ten\n", "'train.epochs' must be a whole number, got the text \"ten\""),
      ("steps: [data, trian]\n", "'steps' names 'trian'"),
      ("explain:\n  methods: [magic]\n", "'explain.methods' names 'magic'"),
      ("- a\n- b\n", "the top level must be a mapping"),
      ("train: {tasks: [superdiagnostic]}\n", "'audit.model' is subdiagnostic, which 'train.tasks'"),
      ("{\"seed\": 1,,}", "not valid YAML or JSON"),
    ]
    for (text, message) in cases {
      let file = dir.appendingPathComponent("bad.yaml")
      try text.write(to: file, atomically: true, encoding: .utf8)
      let result = try Self.run(["run", file.path])
      #expect(result.status != 0 && result.error.contains("Error:") && result.error.contains(message), "\(text) → \(result.error)")
      #expect(result.error.split(separator: "\n").count == 1, "one line: \(result.error)")
    }
    let missing = try Self.run(["run", dir.appendingPathComponent("nope.yaml").path])
    #expect(missing.status != 0 && missing.error.contains("configuration file not found"))
    let noData = try Self.run(["run", "--data", "/nonexistent/ptb-xl"])
    #expect(noData.status != 0 && noData.error.contains("folder not found: /nonexistent/ptb-xl"))
    let badForce = try Self.run(["run", "--force", "nothing"])
    #expect(badForce.status != 0 && badForce.error.contains("unknown step 'nothing'"))
  }

  @Test func badInputIsAClearErrorWithNonzeroStatus() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the ecgxai product first")
    let missing = try Self.run(["features", "--data", "/nonexistent/ptb-xl", "--out", "/tmp/x.csv"])
    #expect(missing.status != 0 && missing.error.contains("Error:") && missing.error.contains("/nonexistent/ptb-xl"))
    let badMethod = try Self.run(["explain", "--model", "m", "--input", "x.npy", "--out", "a.npy", "--method", "magic"])
    #expect(badMethod.status != 0 && badMethod.error.contains("unknown --method"))
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "keep".write(to: dir.appendingPathComponent("mine.txt"), atomically: true, encoding: .utf8)
    let synth = try Self.run(["synth", "--out", dir.path, "--records", "5"])
    #expect(synth.status != 0 && synth.error.contains("Error:"))
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mine.txt").path))
    // One record that cannot be read: its reason is the error, and no CSV of reasons is written.
    let header = dir.appendingPathComponent("r.hea")
    try "r 1 ( 10\nr.dat 16 200 16 0 0 0 0 I\n".write(to: header, atomically: true, encoding: .utf8)
    for command in ["features", "delineate"] {
      let csv = dir.appendingPathComponent("\(command).csv")
      let unreadable = try Self.run([command, "--data", header.path, "--out", csv.path])
      #expect(unreadable.status == 1 && unreadable.error.contains("r.hea:1: malformed WFDB header"), "\(unreadable.error)")
      #expect(!FileManager.default.fileExists(atPath: csv.path))
    }
  }

  static let onnxFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/ECGNet")

  /// Writes a float32 .npy file (NumPy format 1.0).
  static func writeNPY(_ values: [Float], shape: [Int], to url: URL) throws {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
    data.append(Data(header.utf8))
    values.withUnsafeBytes { data.append(contentsOf: $0) }
    try data.write(to: url)
  }

  /// `--model FILE.onnx` and `--model FILE.safetensors --arch NAME` on predict and explain; an
  /// unsupported operator or a truncated file is `Error: …` naming the file (and node and op).
  @Test func onnxAndStateDictModels() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the ecgxai product first")
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let x = dir.appendingPathComponent("X.npy")
    try Self.writeNPY((0..<(3 * 12 * 1000)).map { Float(sin(Double($0) * 0.01)) }, shape: [3, 12, 1000], to: x)
    let onnx = Self.onnxFixtures.appendingPathComponent("onnx/foreign.onnx").path
    let predict = try Self.run(["predict", "--model", onnx, "--input", x.path, "--out", dir.appendingPathComponent("Y.npy").path])
    #expect(predict.status == 0 && predict.output.contains("foreign.onnx"), "\(predict.error)")
    let explain = try Self.run([
      "explain", "--model", onnx, "--input", x.path, "--method", "lrp-epsilon", "--epsilon", "0.001", "--target", "1",
      "--out", dir.appendingPathComponent("A.npy").path,
    ])
    #expect(explain.status == 0 && explain.output.contains("foreign.onnx"), "\(explain.error)")
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("A.npy").path))
    let gradcam = try Self.run(["explain", "--model", onnx, "--input", x.path, "--method", "gradcam", "--out", dir.appendingPathComponent("G.npy").path])
    #expect(gradcam.status == 0, "\(gradcam.error)")

    let unsupported = Self.onnxFixtures.appendingPathComponent("onnx/unsupported.onnx").path
    let bad = try Self.run(["predict", "--model", unsupported, "--input", x.path, "--out", dir.appendingPathComponent("U.npy").path])
    #expect(bad.status != 0 && bad.error.hasPrefix("Error:") && bad.error.contains("LpNormalization")
      && bad.error.contains("/branches/b/b.3/Tanh") && bad.error.contains(unsupported) && bad.error.contains("BatchNormalization"), "\(bad.error)")
    let truncated = dir.appendingPathComponent("cut.onnx")
    try Data(try Data(contentsOf: URL(fileURLWithPath: onnx)).prefix(5000)).write(to: truncated)
    let cut = try Self.run(["explain", "--model", truncated.path, "--input", x.path, "--out", dir.appendingPathComponent("C.npy").path])
    #expect(cut.status != 0 && cut.error.contains("Error:") && cut.error.contains("truncated or corrupt"), "\(cut.error)")

    let state = Self.onnxFixtures.appendingPathComponent("lenet1d.safetensors").path
    let noArch = try Self.run(["predict", "--model", state, "--input", x.path, "--out", dir.appendingPathComponent("S.npy").path])
    #expect(noArch.status != 0 && noArch.error.contains("--arch"), "\(noArch.error)")
    let withArch = try Self.run(["predict", "--model", state, "--arch", "lenet1d", "--input", x.path, "--out", dir.appendingPathComponent("S.npy").path])
    #expect(withArch.status == 0 && withArch.output.contains("lenet1d"), "\(withArch.error)")
    let wrongArch = try Self.run(["predict", "--model", state, "--arch", "xresnet1d50", "--input", x.path, "--out", dir.appendingPathComponent("S.npy").path])
    #expect(wrongArch.status != 0 && wrongArch.error.contains("Error:"), "\(wrongArch.error)")
  }

  /// Reads a float32 .npy file written by ecgxai: (shape, values).
  static func readNPY(_ url: URL) throws -> (shape: [Int], values: [Float]) {
    let data = try Data(contentsOf: url)
    let length = Int(data[8]) | Int(data[9]) << 8
    let header = String(decoding: data[10..<(10 + length)], as: UTF8.self)
    let inside = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
    let shape = inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let values = data[(10 + length)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    return (shape, values)
  }

  /// `explain --target` takes an index, a class name, `predicted` or `all` (one file per class);
  /// `--normalise` scales records or leads to a largest |relevance| of 1; `--baseline FILE.npy`
  /// is IG's baseline. Bad input — a target out of range or not a class, an unknown layer, records
  /// of the wrong shape, a baseline of the wrong shape — is `Error: …`, exit ≠ 0, no output file.
  @Test func explainTargetsNormalisationBaselinesAndBadInput() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the ecgxai product first")
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let x = dir.appendingPathComponent("X.npy")
    try Self.writeNPY((0..<(3 * 12 * 1000)).map { Float(sin(Double($0) * 0.013) + 0.2 * cos(Double($0) * 0.0007)) }, shape: [3, 12, 1000], to: x)
    let onnx = Self.onnxFixtures.appendingPathComponent("onnx/foreign.onnx").path  // classes NORM, MI, STTC, CD, HYP
    func explain(_ out: String, _ options: [String]) throws -> Result {
      try Self.run(["explain", "--model", onnx, "--input", x.path, "--out", dir.appendingPathComponent(out).path] + options)
    }
    let all = try explain("A.npy", ["--target", "all"])
    #expect(all.status == 0, "\(all.error)")
    for name in ["NORM", "MI", "STTC", "CD", "HYP"] {
      #expect(try Self.readNPY(dir.appendingPathComponent("A.\(name).npy")).shape == [3, 12, 1000])
    }
    let byName = try explain("MI.npy", ["--target", "MI"])
    let byIndex = try explain("1.npy", ["--target", "1"])
    #expect(byName.status == 0 && byIndex.status == 0, "\(byName.error) \(byIndex.error)")
    let mi = try Self.readNPY(dir.appendingPathComponent("1.npy")).values
    #expect(try Self.readNPY(dir.appendingPathComponent("MI.npy")).values == mi)
    #expect(try Self.readNPY(dir.appendingPathComponent("A.MI.npy")).values == mi)
    #expect(mi.contains { $0 != 0 })

    let perRecord = try explain("R.npy", ["--target", "1", "--normalise", "max-abs"])
    let perLead = try explain("L.npy", ["--target", "1", "--normalise", "per-lead"])
    #expect(perRecord.status == 0 && perLead.status == 0, "\(perRecord.error) \(perLead.error)")
    let r = try Self.readNPY(dir.appendingPathComponent("R.npy")).values
    let l = try Self.readNPY(dir.appendingPathComponent("L.npy")).values
    for record in 0..<3 {
      let block = record * 12_000..<(record + 1) * 12_000
      #expect(r[block].map(abs).max() == 1)
      let scale = mi[block].map(abs).max()!
      #expect(zip(r[block], mi[block]).allSatisfy { abs($0 - $1 / scale) <= 1e-6 })
      for lead in 0..<12 { #expect(l[(record * 12 + lead) * 1000..<(record * 12 + lead + 1) * 1000].map(abs).max() == 1) }
    }

    let zeros = dir.appendingPathComponent("B.npy")
    try Self.writeNPY(Array(repeating: 0, count: 12 * 1000), shape: [12, 1000], to: zeros)
    let fromFile = try explain("IGF.npy", ["--method", "ig", "--target", "2", "--baseline", zeros.path])
    let fromZero = try explain("IGZ.npy", ["--method", "ig", "--target", "2"])
    #expect(fromFile.status == 0 && fromZero.status == 0, "\(fromFile.error) \(fromZero.error)")
    #expect(try Self.readNPY(dir.appendingPathComponent("IGF.npy")).values == Self.readNPY(dir.appendingPathComponent("IGZ.npy")).values)
    #expect(fromFile.output.contains("completeness_delta"))

    let shifted = dir.appendingPathComponent("B3.npy")
    try Self.writeNPY(Array(repeating: 0.1, count: 3 * 12 * 1000), shape: [3, 12, 1000], to: shifted)
    let perRecordBaseline = try explain("IGS.npy", ["--method", "ig", "--target", "2", "--baseline", shifted.path])
    #expect(perRecordBaseline.status == 0, "\(perRecordBaseline.error)")
    #expect(try Self.readNPY(dir.appendingPathComponent("IGS.npy")).values != Self.readNPY(dir.appendingPathComponent("IGZ.npy")).values)

    let tunnel = try explain("T.npy", ["--method", "smoothgrad", "--tunnel-base", "gxi", "--tunnel-kind", "vargrad", "--samples", "3", "--target", "1"])
    #expect(tunnel.status == 0 && tunnel.output.contains("smoothgrad-gxi"), "\(tunnel.error)")
    #expect(try Self.readNPY(dir.appendingPathComponent("T.npy")).values.allSatisfy { $0 >= 0 })  // a variance

    let wrongBaseline = dir.appendingPathComponent("B2.npy")
    try Self.writeNPY(Array(repeating: 0, count: 2 * 12 * 1000), shape: [2, 12, 1000], to: wrongBaseline)
    let wrongX = dir.appendingPathComponent("X8.npy")
    try Self.writeNPY(Array(repeating: 0, count: 2 * 8 * 1000), shape: [2, 8, 1000], to: wrongX)
    let failures: [(Result, String, String)] = [
      (try explain("E1.npy", ["--target", "7"]), "E1.npy", "--target 7 is out of range: the model has 5 outputs (0…4)"),
      (try explain("E2.npy", ["--target", "AFIB"]), "E2.npy", "--target 'AFIB' is not a class of the model (NORM, MI, STTC, CD, HYP)"),
      (try explain("E3.npy", ["--method", "gradcam", "--layer", "features.99"]), "E3.npy", "no layer named 'features.99'"),
      (try explain("E4.npy", ["--method", "ig", "--baseline", wrongBaseline.path]), "E4.npy", "expected [12, samples] (one for every record) or [3, 12, samples]"),
      (try explain("E5.npy", ["--normalise", "sum"]), "E5.npy", "--normalise must be one of none, max-abs, per-lead"),
      (try explain("E7.npy", ["--method", "smoothgrad", "--tunnel-base", "smoothgrad"]), "E7.npy", "--tunnel-base must be another method"),
      (try Self.run(["explain", "--model", onnx, "--input", wrongX.path, "--out", dir.appendingPathComponent("E6.npy").path]), "E6.npy",
       "expected an array [records, 12, samples], got [2, 8, 1000]"),
    ]
    for (result, file, message) in failures {
      #expect(result.status != 0 && result.error.contains("Error:") && result.error.contains(message), "\(message): \(result.error)")
      #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file) was written")
    }
  }
}
