/// Errors of signal processing: impossible filter designs, signals too short or unusable.
public enum SignalError: Error, CustomStringConvertible, Equatable {
  /// A filter or resampler that cannot be built (cutoff above Nyquist, bad order, …).
  case invalidFilter(String)
  /// The signal is too short for the requested operation.
  case signalTooShort(String)
  /// The signal contains NaN or infinite samples, or has an unusable shape.
  case invalidSignal(String)
  /// A concept rules file that cannot be parsed.
  case invalidRules(String)
  /// A record lacks standard leads that a 12-lead model needs (`found`: the record's leads).
  case missingLeads(record: String, found: [String], missing: [String])

  /// A one-line explanation.
  public var description: String {
    switch self {
    case .invalidFilter(let why): "invalid filter: \(why)"
    case .signalTooShort(let why): "signal too short: \(why)"
    case .invalidSignal(let why): "invalid signal: \(why)"
    case .invalidRules(let why): "invalid concept rules: \(why)"
    case .missingLeads(let record, let found, let missing):
      "record \(record) has \(found.count) lead\(found.count == 1 ? "" : "s") "
        + "(\(found.joined(separator: ", "))), not the 12 standard leads a 12-lead model needs "
        + "(missing: \(missing.joined(separator: ", "))); delineate and features measure it as it is"
    }
  }
}
