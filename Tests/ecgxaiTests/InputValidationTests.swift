import ArgumentParser
import ECGNet
import ECGSignal
import ECGTensor
import Foundation
import Testing

@testable import ecgxai

/// Hostile command-line and configuration input (issue 22) ends in a clear error, never a hang,
/// a trap or an unbounded allocation; a resumed run redoes a step whose outputs no longer read.
@Suite struct InputValidationTests {
  /// Nine levels of nine aliases: 1.2 KB of YAML that expands to 9⁹ strings.
  static let billionLaughs: String = {
    var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    let names = Array("abcdefghij").map(String.init)
    for (previous, name) in zip(names, names.dropFirst()) {
      text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
    }
    return text
  }()

  @Test func yamlBillionLaughsIsRefused() {
    #expect(Self.billionLaughs.utf8.count < 1300)
    #expect { try ConfigReader(text: Self.billionLaughs, file: "laughs.yaml") } throws: { error in
      "\(error)".contains("laughs.yaml: the configuration expands to more than 10000 values")
    }
  }

  /// Fuzz findings (Fuzz/Crashes/config): Yams traps on a key that is a list or a mapping.
  @Test(arguments: ["? [a]\n: b\n", "? source: phantom\n", "data:\n  ? {a: 1}\n  : 2\n"])
  func complexKeysAreRefused(text: String) {
    #expect { try ConfigReader(text: text, file: "keys.yaml") } throws: { error in
      "\(error)".contains("keys.yaml: a key that is a list or a mapping")
    }
  }

  @Test func aFewAliasesStillRead() throws {
    let reader = try ConfigReader(text: "x: &m [100, 500]\ny: *m\n", file: "ok.yaml")
    #expect(try reader.strings("y") == ["100", "500"])
  }

  @Test(arguments: ["8-1", "10-9"])
  func reversedFoldRangeIsAnError(folds: String) {
    #expect { try DatasetOptions(data: nil, rate: 100, folds: folds).foldSet() } throws: { error in
      "\(error)".contains("runs backwards")
    }
  }

  @Test func integratedGradientStepsAreBounded() {
    let arguments = ["--model", "m", "--input", "x.npy", "--out", "a.npy", "--method", "ig", "--steps"]
    #expect { try Explain.parse(arguments + ["1000000000000"]) } throws: { error in
      Explain.message(for: error).contains("ig steps is 1000000000000; it must be 2…10000")
    }
    #expect(throws: Never.self) { try Explain.parse(arguments + ["10000"]) }
  }

  @Test func trainingOptionsMustBeFinite() {
    let arguments = ["--x", "x.npy", "--y", "y.npy", "--out", "m"]
    for bad in [["--learning-rate", "nan"], ["--learning-rate", "-1"], ["--weight-decay", "inf"], ["--sampling-rate", "0"]] {
      #expect(throws: (any Error).self, "\(bad)") { try Train.parse(arguments + bad) }
    }
  }

  /// Outputs that a step recorded but that no longer parse make the step run again.
  @Test func corruptOutputsAreNotKeptOnResume() throws {
    let run = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: run) }
    try FileManager.default.createDirectory(at: run.appendingPathComponent("model"), withIntermediateDirectories: true)
    var configuration = RunConfiguration()
    configuration.out = run.path
    let pipeline = RunPipeline(configuration: configuration)
    func write(_ name: String, _ data: Data) throws { try data.write(to: run.appendingPathComponent(name)) }

    try NumPy.write(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), to: run.appendingPathComponent("a.npy"))
    try write("audit.json", Data(#"{"ok": true}"#.utf8))
    try write("features.csv", Data("ecg_id,x\n1,2\n".utf8))
    try ModelZoo.make("lenet1d", classes: 2).save(to: run.appendingPathComponent("model"))
    for name in ["a.npy", "audit.json", "features.csv", "model/architecture.json", "model/weights.safetensors", "model"] {
      #expect(pipeline.outputProblem(name) == nil, "\(name)")
    }
    #expect(pipeline.outputProblem("missing.json") == "missing.json is missing")

    let npy = try Data(contentsOf: run.appendingPathComponent("a.npy"))
    try write("a.npy", npy.prefix(npy.count - 4))
    try write("audit.json", Data(#"{"ok": tr"#.utf8))
    try write("results.sqlite", Data(repeating: 0x41, count: 4096))
    try write("report.html", Data("<html><body>".utf8))
    try write("model/architecture.json", Data(#"{"name": "lenet1d"}"#.utf8))
    let weights = try Data(contentsOf: run.appendingPathComponent("model/weights.safetensors"))
    try write("model/weights.safetensors", weights.prefix(weights.count / 2))
    for name in ["a.npy", "audit.json", "results.sqlite", "report.html", "model/architecture.json", "model/weights.safetensors"] {
      #expect(pipeline.outputProblem(name)?.hasPrefix("\(name) does not read back") == true, "\(name)")
    }
  }
}
