import Foundation

extension FeatureTable {
  /// The cells of one record's row of `features.csv` (after the key column): R peaks,
  /// delineation (`Delineator`), features (`ECGFeatures`), the paper's expert concepts
  /// (`ExpertConcepts`; `female` and `age` in years from the dataset's metadata) and, given
  /// `rules`, the user's concepts (0/1, one cell per rule after `columns`).
  /// - Throws: `SignalError` when the record cannot be delineated (flat leads, no beats, NaN).
  public static func measure(_ record: ECGRecord, female: Bool?, age: Double?, rules: ConceptRules? = nil) throws -> [String] {
    let features = ECGFeatures(try Delineator().delineate(record))
    let cells = row(features, concepts: ExpertConcepts.evaluate(features, female: female, age: age), female: female)
    guard let rules else { return cells }
    var values: [String: Double] = [:]
    for (column, cell) in zip(columns, cells) { if let v = Double(cell) { values[column] = v } }
    let own = rules.evaluate(values)
    return cells + rules.names.map { own[$0] == true ? "1" : "0" }
  }

  /// The cells of a record that could not be measured, with `reason` in `status` and an empty
  /// cell for each of `rules`' concepts.
  public static func failedRow(_ reason: String, rules: ConceptRules?) -> [String] {
    failedRow(reason) + (rules?.names.map { _ in "" } ?? [])
  }
}
