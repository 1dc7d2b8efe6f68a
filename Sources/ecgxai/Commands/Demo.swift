import ArgumentParser

/// `ecgxai demo`: the whole pipeline on the built-in phantom cohort.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the built-in demonstration on the synthetic phantom cohort.")

  @Option(help: "Run directory to write into.")
  var out: String = "runs/demo"

  func run() throws {
    print("ecgxai demo: writing to \(out)")
  }
}
