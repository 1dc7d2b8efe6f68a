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
    let columns = FeatureTable.columns
    var rules: ConceptRules? = nil
    if let concepts {
      guard let text = try? String(contentsOfFile: concepts, encoding: .utf8) else { throw CLIError("cannot read the concept rules file \(concepts)") }
      do { rules = try ConceptRules(text: text, known: Set(columns.dropFirst())) } catch let error as SignalError {
        throw CLIError("\(concepts): \(error.description)")
      }
    }
    let (keyColumn, items) = try source.items()
    let started = Date()
    let rows = processRecords(items) { [rules] item in
      do {
        let record = try item.read()
        let features = ECGFeatures(try Delineator().delineate(record))
        let cells = FeatureTable.row(
          features, concepts: ExpertConcepts.evaluate(features, female: item.female, age: item.age), female: item.female)
        guard let rules else { return [[item.key] + cells] }
        var values: [String: Double] = [:]
        for (column, cell) in zip(columns, cells) { if let v = Double(cell) { values[column] = v } }
        let own = rules.evaluate(values)
        return [[item.key] + cells + rules.names.map { own[$0] == true ? "1" : "0" }]
      } catch {
        return [[item.key] + FeatureTable.failedRow(failureReason(error)) + (rules?.names.map { _ in "" } ?? [])]
      }
    }
    try requireSomeRecordMeasured(rows, statusColumn: 1, records: items.count)
    var writer = CSVWriter(columns: [keyColumn] + columns + (rules?.names ?? []))
    for row in rows { writer.append(row) }
    try writer.write(to: try outputURL(out))
    let seconds = Date().timeIntervalSince(started)
    let failed = rows.filter { $0[1] != "ok" }.count
    print("wrote \(out): \(rows.count) records (\(failed) not measurable) in \(String(format: "%.1f", seconds)) s (\(String(format: "%.0f", Double(rows.count) / max(seconds, 1e-9))) records/s)")
  }
}
