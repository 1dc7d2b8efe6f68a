import ArgumentParser
import ECGTensor
import Foundation
import _ECGKernels

/// The `ecgxai` command: explain and audit deep-learning models for 12-lead ECG analysis.
@main
struct ECGXAI: ParsableCommand {
  static func main() {
    // First, before any thread starts: SIGINT/SIGTERM remove this process's unfinished files.
    AtomicFile.installInterruptCleanup()
    Allocator.keepFreedMemory()
    // Progress lines (training epochs, bench results) must reach a log file or pipe as they happen.
    ecg_line_buffered_stdout()
    do {
      // A pinned instruction set the CPU lacks would silently benchmark or test another path.
      if let problem = GEMM.instructionSetProblem { throw CLIError(problem) }
      var command = try parseAsRoot()
      try command.run()
    } catch let error as CocoaError {
      // File-system errors from Foundation: say which file and what went wrong, not the NSError dump.
      let path = error.filePath ?? error.url?.path ?? ""
      exit(withError: CLIError("\(error.localizedDescription)\(path.isEmpty ? "" : " (\(path))")"))
    } catch {
      exit(withError: error)
    }
  }

  static let configuration = CommandConfiguration(
    commandName: "ecgxai",
    abstract: "Explain and audit deep-learning models for 12-lead ECG analysis.",
    discussion: """
      ecgxai reproduces the building blocks of Wagner et al., "Explaining Deep Learning for ECG
      Analysis" (Comput. Biol. Med. 2024): sanity checks of attributions, glocal audits against
      cardiologists' rules, TCAV with expert concepts and subtype discovery.
      Start with `ecgxai demo`.
      """,
    version: ECGXAIVersion.current,
    subcommands: [
      Demo.self, Run.self, Synth.self, Export.self, Convert.self, Plot.self, Delineate.self, Features.self, Train.self, Predict.self, Explain.self, Sanity.self, Audit.self, Concepts.self, Discover.self, Report.self,
      Merge.self,
      Bench.self,
    ])
}
