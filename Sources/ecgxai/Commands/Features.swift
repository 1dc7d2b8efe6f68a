import ArgumentParser
import ECGSignal
import Foundation

/// `ecgxai features`: R peaks, delineation, features and expert concepts → features.csv.
struct Features: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure ECG features and expert concepts of every record → features.csv.",
    discussion: """
      For each record: multi-lead R peaks, global P/QRS/T delineation on the median beat, rate,
      intervals (PR, QRS, QT, QTc Bazett/Fridericia), axis, per-lead P/Q/R/S/T/ST/J amplitudes
      and Q/R durations, Sokolow-Lyon, Cornell and Lewis indices, and the paper's expert concepts
      (0/1; Sex and Age75 from ptbxl_database.csv). Units are in the column names. A record that
      cannot be measured (flat leads, NaN samples, no beats) keeps its row with the reason in
      `status`. Definitions: docs/features.md.
      Examples: ecgxai features --data runs/demo/data --out runs/demo/features.csv
                ecgxai features --data path/to/ptb-xl --rate 500 --shard 1/4 --out part1.csv
      """)

  @OptionGroup var source: RecordSourceOptions

  @Option(help: "Output CSV file.")
  var out: String

  @Option(help: "Rules file of user-defined concepts ('NAME: expression' per line; docs/features.md).")
  var concepts: String?

  func run() throws {
    _ = try outputURL(out)
    let rules = try Self.rules(concepts)
    let (keyColumn, items) = try source.items()
    try Self.write(items, keyColumn: keyColumn, rules: rules, to: out)
  }

  /// The user-defined concepts of the rules file `path` (nil: none).
  static func rules(_ path: String?) throws -> ConceptRules? {
    guard let path else { return nil }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the concept rules file \(path)") }
    do { return try ConceptRules(text: text, known: Set(FeatureTable.columns.dropFirst())) } catch let error as SignalError {
      throw CLIError("\(path): \(error.description)")
    }
  }

  /// Measures `items` (`FeatureTable.measure`, in parallel) and writes the table to `out`,
  /// printing the command's summary line; `rules` adds user-defined concepts. The run
  /// pipeline's features step calls this too.
  static func write(_ items: [RecordSourceOptions.Item], keyColumn: String, rules: ConceptRules?, to out: String) throws {
    let started = Date()
    let rows = processRecords(items) { [rules] item in
      do {
        return [[item.key] + (try FeatureTable.measure(item.read(), female: item.female, age: item.age, rules: rules))]
      } catch {
        return [[item.key] + FeatureTable.failedRow(failureReason(error), rules: rules)]
      }
    }
    try requireSomeRecordMeasured(rows, statusColumn: 1, records: items.count)
    var writer = CSVWriter(columns: [keyColumn] + FeatureTable.columns + (rules?.names ?? []))
    for row in rows { writer.append(row) }
    try writer.write(to: try outputURL(out))
    let seconds = Date().timeIntervalSince(started)
    let failed = rows.filter { $0[1] != "ok" }.count
    print("wrote \(out): \(rows.count) records (\(failed) not measurable) in \(String(format: "%.1f", seconds)) s (\(String(format: "%.0f", Double(rows.count) / max(seconds, 1e-9))) records/s)")
  }
}
