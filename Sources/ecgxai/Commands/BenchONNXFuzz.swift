import ArgumentParser
import ECGExplain
import ECGNet
import ECGTensor
import Foundation

/// `ecgxai bench onnx-fuzz`: imports many damaged copies of an ONNX file and tallies the outcomes.
struct BenchONNXFuzz: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "onnx-fuzz",
    abstract: "Import N damaged copies of an ONNX model (truncation, bit flips, wrong dims, …) and count each outcome.",
    discussion: """
      Every copy must import (and then run forward, backward and LRP-ε on a random [1, leads, 1000] input) or
      fail with a clear error; a crash ends the process. Mutation kinds cycle through
      \(ONNXMutator.Kind.allCases.map(\.rawValue).joined(separator: ", ")).
      Example: ecgxai bench onnx-fuzz Tests/Fixtures/ECGNet/onnx/foreign.onnx --count 10000
      """)

  @Argument(help: "The ONNX file to damage.") var file: String
  @Option(help: "Damaged copies.") var count = 10_000
  @Option(help: "Seed of the mutations.") var seed: UInt64 = 0
  @Option(help: "Keep the first damaged copy of each error kind in this folder (for inspection).") var keep: String?
  @Flag(help: "Print one JSON object.") var json = false

  func run() throws {
    guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
    let mutator = ONNXMutator(data)
    var rng = SeededRNG(seed: seed)
    var outcomes: [String: Int] = [:]
    var byKind: [String: [String: Int]] = [:]
    var examples: [String: String] = [:]
    let start = Date()
    for i in 0..<count {
      let kind = ONNXMutator.Kind.allCases[i % ONNXMutator.Kind.allCases.count]
      let mutant = mutator.mutate(kind, rng: &rng)
      let outcome: String
      do {
        let model = try ONNXImporter.load(data: mutant, path: "mutant-\(i).onnx")
        let shape = [1, model.architecture.inputChannels, 1000]
        if model.architecture.inputChannels <= 64, model.inputShapeProblem(shape) == nil {
          var inputRNG = SeededRNG(seed: UInt64(i))
          let x = Tensor.randomNormal(shape, using: &inputRNG)
          _ = model.forward(x)
          _ = model.inputGradient(x, target: 0)
          _ = try LRP().attribute(model, input: x, targets: [0])
          outcome = "imports and runs"
        } else {
          outcome = "imports, refuses a [1, leads, 1000] input"
        }
      } catch let error as AttributionError {
        outcome = "imports, attribution refuses: \(error.description.prefix(60))"
      } catch let error as ONNXError {
        outcome = "error: " + error.kind
        if examples[outcome] == nil { examples[outcome] = error.description }
        if let keep, examples[outcome + " kept"] == nil {
          try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
          try mutant.write(to: URL(fileURLWithPath: keep).appendingPathComponent("\(error.kind).onnx"))
          examples[outcome + " kept"] = ""
        }
      }
      outcomes[outcome, default: 0] += 1
      byKind[kind.rawValue, default: [:]][outcome, default: 0] += 1
    }
    let seconds = Date().timeIntervalSince(start)
    if json {
      let object: [String: Any] = ["file": file, "count": count, "seed": seed, "seconds": seconds, "outcomes": outcomes, "by_mutation": byKind]
      let text = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: text, as: UTF8.self))
      return
    }
    print("onnx-fuzz \(file): \(count) damaged copies in \(String(format: "%.1f", seconds)) s, 0 crashes")
    for (outcome, n) in outcomes.sorted(by: { $0.value > $1.value }) {
      print("  \(String(n).padding(toLength: 6, withPad: " ", startingAt: 0)) \(outcome)")
    }
    print("by mutation:")
    for (kind, tally) in byKind.sorted(by: { $0.key < $1.key }) {
      print("  \(kind): " + tally.sorted(by: { $0.value > $1.value }).map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
    print("first message of each error kind:")
    for (outcome, message) in examples.sorted(by: { $0.key < $1.key }) where !outcome.hasSuffix(" kept") {
      print("  \(outcome): \(message.prefix(200))")
    }
  }
}
