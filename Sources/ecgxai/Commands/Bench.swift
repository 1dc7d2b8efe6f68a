import ArgumentParser

/// `ecgxai bench`: performance benchmarks (never part of the test suite).
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure throughput of ecgxai's engines (see docs/benchmarks.md).",
    subcommands: [BenchEngine.self, BenchExplain.self, BenchSignals.self, BenchONNXFuzz.self])
}
