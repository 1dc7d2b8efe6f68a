import ECGTensor

extension PTBXLDataset {
  /// SHA-256 (64 hex digits) of the dataset's index — every entry's `ecg_id`, fold, record paths,
  /// SCP codes with likelihoods, age and sex, in `ecg_id` order, and the statements' classes — the
  /// dataset's identity in the provenance of every result. It identifies which records, labels
  /// and folds a result was made from, not the signals themselves (hashing PTB-XL's 2 GB of
  /// records would take longer than most analyses); a changed record file keeps the digest.
  public var indexSHA256: String {
    var hash = ContentHash()
    hash.update(layout.rawValue)
    for entry in entries.sorted(by: { $0.ecgID < $1.ecgID }) {
      hash.update(entry.ecgID)
      hash.update(entry.fold)
      hash.update(entry.filenameLR)
      hash.update(entry.filenameHR)
      for code in entry.scpCodes.keys.sorted() {
        hash.update(code)
        hash.update(String(entry.scpCodes[code]!))
      }
      hash.update(entry.age.map { String($0) } ?? "")
      hash.update(entry.sex ?? -1)
    }
    for code in statements.keys.sorted() {
      let statement = statements[code]!
      hash.update(code)
      hash.update("\(statement.diagnostic)\(statement.form)\(statement.rhythm)")
      hash.update(statement.diagnosticClass ?? "")
      hash.update(statement.diagnosticSubclass ?? "")
    }
    return hash.hexDigest()
  }
}
