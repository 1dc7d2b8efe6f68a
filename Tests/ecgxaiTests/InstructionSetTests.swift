import Foundation
import Testing

/// `ECGXAI_ISA` pins the kernels' instruction set for benchmarks and tests; a value the CPU cannot
/// run, or one ecgxai does not know, stops the command with a clear error instead of silently
/// timing another path.
@Suite struct InstructionSetTests {
  static func run(_ arguments: [String], isa: String) throws -> CommandLineTests.Result {
    try CommandLineTests.run(arguments, environment: ["ECGXAI_ISA": isa])
  }

  @Test func pinnedInstructionSetIsReportedOrRefused() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CommandLineTests.executable.path), "build the ecgxai product first")
    let unknown = try Self.run(["bench", "engine", "--only", "gemm", "--seconds", "0.01"], isa: "sse9")
    #expect(unknown.status == 1 && unknown.error.contains("ECGXAI_ISA='sse9' is not an instruction set ecgxai knows"), "\(unknown.error)")
    let baseline = try Self.run(["bench", "engine", "--only", "gemm", "--seconds", "0.01", "--json"], isa: "baseline")
    #expect(baseline.status == 0 && baseline.output.contains("\"isa\": \"baseline\""), "\(baseline.output) \(baseline.error)")
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    if !cpu.contains(" avx512f") {
      let missing = try Self.run(["bench", "engine", "--only", "gemm", "--seconds", "0.01"], isa: "avx512")
      #expect(missing.status == 1 && missing.error.contains("which this CPU lacks"), "\(missing.error)")
    }
  }
}
