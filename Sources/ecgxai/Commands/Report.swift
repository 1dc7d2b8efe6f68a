import ArgumentParser
import ECGReport
import ECGTensor
import Foundation

/// `ecgxai report RUN`: the run's results as one self-contained HTML page.
struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write RUN/report.html: dataset and models, sanity checks, example attributions, glocal maps, TCAV, discovery.",
    discussion: """
      Reads what the other steps wrote into the run directory (evaluation-*.json, explain.json,
      attributions/, sanity-*.json, results.sqlite and audit.json, tcav.json and concepts/,
      discovery.json and discovery.svg) and writes one HTML file with every figure as inline SVG
      and no external resources: it opens offline and prints. Sections whose results are absent
      say which command makes them. `tools/report_screenshot.sh RUN` renders it to PNG.
      Example: ecgxai report runs/demo
      """)

  @Argument(help: "Run directory.") var runDirectory: String
  @Option(help: "Output file; default RUN/report.html.") var out: String?
  @Option(help: "Example records drawn per condition with their attribution overlaid.") var examples = 1

  func validate() throws {
    guard (0...5).contains(examples) else { throw ValidationError("--examples must be 0…5") }
  }

  func run() throws {
    let runURL = URL(fileURLWithPath: runDirectory)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: runURL.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw CLIError("run directory not found: \(runDirectory)")
    }
    try prepareRunDirectory(runURL)
    if let out { _ = try outputURL(out) }
    try Self.write(runURL, to: out ?? runURL.appendingPathComponent("report.html").path, examples: examples)
  }

  /// Builds the report of `runURL` with the library, writes it atomically to `path`, records it in
  /// manifest.json and prints "wrote PATH (N sections, K kB) in S s". Shared with `ecgxai run`.
  static func write(_ runURL: URL, to path: String, examples: Int = 1) throws {
    let started = Date()
    let report = try RunReport(runDirectory: runURL, examplesPerCondition: examples, stepOrder: PipelineStep.allCases.map(\.rawValue)).build()
    let url = try outputURL(path)
    let html = report.html()
    try Data(html.utf8).writeAtomically(to: url)
    try updateManifest(runURL, key: "report", value: ["outputs": [url.lastPathComponent], "sections": report.sections.map(\.title)])
    print(String(format: "wrote %@ (%d sections, %.0f kB) in %.1f s", url.path, report.sections.count, Double(html.utf8.count) / 1024, Date().timeIntervalSince(started)))
  }
}
