import ArgumentParser
import ECGNet
import ECGTensor
import Foundation

/// `ecgxai bench engine`: GEMM GFLOP/s and xresnet1d50 forward / forward+input-gradient
/// samples/s on [batch, 12, 1000].
struct BenchEngine: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "engine",
    abstract: "GEMM GFLOP/s (1024³) and xresnet1d50 forward / saliency samples per second.")

  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  @Option(help: "Batch size of the model benchmark.")
  var batch = 32

  @Option(help: "Input length in samples.")
  var length = 1000

  @Option(help: "Seconds to spend on each figure (at least one repetition is run).")
  var seconds = 3.0

  @Option(help: "Model architecture to time.")
  var arch = "xresnet1d50"

  @Option(help: "Number of output classes of the model.")
  var classes = 71

  @Option(help: "Which figures to measure: all, gemm, model, forward, saliency.")
  var only = "all"

  func validate() throws {
    guard batch > 0, length >= 64 else { throw ValidationError("--batch must be > 0 and --length ≥ 64") }
    guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    guard ["all", "gemm", "model", "forward", "saliency"].contains(only) else {
      throw ValidationError("--only must be all, gemm, model, forward or saliency")
    }
  }

  func run() throws {
    var results: [(String, Double)] = []
    let size = 1024
    var rng = SeededRNG(seed: 1)
    if only == "all" || only == "gemm" {
    let a = Tensor.randomNormal([size, size], using: &rng).scalars
    let b = Tensor.randomNormal([size, size], using: &rng).scalars
    var c = [Float](repeating: 0, count: size * size)
    let flop = 2.0 * Double(size * size * size)
    let swiftTime = timePerRun(seconds: seconds) {
      GEMM.multiplySwift(
        transposeA: false, transposeB: false, m: size, n: size, k: size,
        a: a, lda: size, b: b, ldb: size, c: &c, ldc: size)
    }
    results.append(("gemm_gflops_swift", flop / swiftTime / 1e9))
    if GEMM.blasLibrary != nil {
      let blasTime = timePerRun(seconds: seconds) {
        GEMM.multiplyBLAS(
          transposeA: false, transposeB: false, m: size, n: size, k: size,
          a: a, lda: size, b: b, ldb: size, c: &c, ldc: size)
      }
      results.append(("gemm_gflops_blas", flop / blasTime / 1e9))
    }
    results.append(("gemm_gflops", results.map(\.1).max() ?? 0))
    }

    if only != "gemm" {
    let model = try ModelZoo.make(arch, inputChannels: 12, classes: classes, seed: 1)
    let input = Tensor.randomNormal([batch, 12, length], using: &rng)
    if only != "saliency" {
      let forwardTime = timePerRun(seconds: seconds) { _ = model.forward(input) }
      results.append(("forward_per_s", Double(batch) / forwardTime))
    }
    if only != "forward" {
      let gradientTime = timePerRun(seconds: seconds) { _ = model.inputGradient(input, target: 0) }
      results.append(("saliency_per_s", Double(batch) / gradientTime))
    }
    }

    if json {
      let fields = results.map { "\"\($0.0)\": \(String(format: "%.3f", $0.1))" }
      let meta = [
        "\"threads\": \(parallelThreadCount)", "\"batch\": \(batch)", "\"length\": \(length)",
        "\"arch\": \"\(arch)\"", "\"isa\": \"\(GEMM.kernelInstructionSet)\"", "\"gemm_backend\": \"\(GEMM.backend.rawValue)\"",
        "\"blas_library\": \(GEMM.blasLibrary.map { "\"\($0)\"" } ?? "null")",
      ]
      print("{" + (fields + meta).joined(separator: ", ") + "}")
    } else {
      print("ecgxai bench engine — threads \(parallelThreadCount), kernels \(GEMM.kernelInstructionSet), GEMM backend "
        + "\(GEMM.backend.rawValue)\(GEMM.blasLibrary.map { " (\($0))" } ?? "")")
      if let swiftGEMM = results.first(where: { $0.0 == "gemm_gflops_swift" }) {
        print("  GEMM 1024³, Swift kernel      \(format(swiftGEMM.1)) GFLOP/s")
      }
      if let blas = results.first(where: { $0.0 == "gemm_gflops_blas" }) {
        print("  GEMM 1024³, run-time BLAS     \(format(blas.1)) GFLOP/s")
      }
      if let forward = results.first(where: { $0.0 == "forward_per_s" }) {
        print("  \(arch) forward [\(batch),12,\(length)]          \(format(forward.1)) samples/s")
      }
      if let saliency = results.first(where: { $0.0 == "saliency_per_s" }) {
        print("  \(arch) forward+input-gradient              \(format(saliency.1)) samples/s")
      }
    }
  }

  private func format(_ value: Double) -> String { String(format: "%8.1f", value) }
}

/// Runs `body` once to warm up, then repeatedly for about `seconds`; returns seconds per run.
func timePerRun(seconds: Double, _ body: () -> Void) -> Double {
  timeAndCPUPerRun(seconds: seconds, body).wall
}

/// As `timePerRun`, also returning the process CPU time (user + system, all threads) per run in
/// seconds. CPU time hardly changes when other processes share the cores, wall time does, so
/// the pair tells a slower engine from a busier machine.
func timeAndCPUPerRun(seconds: Double, _ body: () -> Void) -> (wall: Double, cpu: Double) {
  body()
  var runs = 0
  let start = DispatchTime.now().uptimeNanoseconds
  let cpuStart = processCPUSeconds()
  var elapsed = 0.0
  repeat {
    body()
    runs += 1
    elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  } while elapsed < seconds
  return (elapsed / Double(runs), (processCPUSeconds() - cpuStart) / Double(runs))
}

/// User + system CPU seconds of this process so far.
func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
