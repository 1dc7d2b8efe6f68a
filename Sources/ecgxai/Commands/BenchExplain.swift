import ArgumentParser
import ECGExplain
import ECGNet
import ECGTensor
import Foundation

/// `ecgxai bench explain`: attribution throughput on xresnet1d50 [batch, 12, 1000].
struct BenchExplain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Saliency, LRP-ε (the paper's composite) and IG-50 records per second, and peak memory.")

  @Flag(help: "Print one JSON object.") var json = false
  @Option(help: "Records per call.") var batch = 32
  @Option(help: "Seconds per figure (at least one call).") var seconds = 3.0
  @Option(help: "Which figures: all, saliency, lrp, ig.") var only = "all"
  @Option(help: "IG records × steps per pass (Captum's internal_batch_size).") var internalBatchSize = 64
  @Option(help: "Architecture.") var arch = "xresnet1d50"

  func validate() throws {
    guard ["all", "saliency", "lrp", "ig"].contains(only) else { throw ValidationError("--only must be all, saliency, lrp or ig") }
    guard batch > 0, seconds > 0, internalBatchSize > 0 else { throw ValidationError("--batch, --seconds, --internal-batch-size must be positive") }
  }

  func run() throws {
    var rng = SeededRNG(seed: 1)
    let model = try ModelZoo.make(arch, classes: 71, seed: 1)
    let x = Tensor.randomNormal([batch, 12, 1000], using: &rng)
    let targets = Array(repeating: 0, count: batch)
    var results: [(String, Double)] = []
    func measure(_ key: String, _ method: any AttributionMethod, records: Int) throws {
      var failure: Error?
      let time = timeAndCPUPerRun(seconds: seconds) {
        do { _ = try method.attribute(model, input: records == batch ? x : x.slice(0..<records), targets: Array(targets.prefix(records))) } catch { failure = error }
      }
      if let failure { throw failure }
      results.append((key, Double(records) / time.wall))
      // CPU milliseconds per record (all threads): steady when other processes load the cores.
      results.append((key.replacingOccurrences(of: "_per_s", with: "_cpu_ms"), 1000 * time.cpu / Double(records)))
    }
    if only == "all" || only == "saliency" { try measure("saliency_per_s", Saliency(), records: batch) }
    if only == "all" || only == "lrp" { try measure("lrp_per_s", LRP(), records: batch) }
    if only == "all" || only == "ig" {
      try measure("ig50_per_s", IntegratedGradients(steps: 50, method: .gaussLegendre, internalBatchSize: internalBatchSize), records: min(batch, 8))
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    results.append(("peak_rss_mb", Double(usage.ru_maxrss) / 1024))
    if json {
      let fields = results.map { "\"\($0.0)\": \(String(format: "%.3f", $0.1))" }
      print("{" + (fields + ["\"threads\": \(parallelThreadCount)", "\"batch\": \(batch)", "\"arch\": \"\(arch)\"", "\"isa\": \"\(GEMM.kernelInstructionSet)\""]).joined(separator: ", ") + "}")
    } else {
      print("ecgxai bench explain — \(arch), threads \(parallelThreadCount), batch \(batch), kernels "
        + GEMM.kernelInstructionSet)
      for (key, value) in results { print("  \(key.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%9.1f", value))") }
    }
  }
}
