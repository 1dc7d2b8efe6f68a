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

  /// A one-line explanation.
  public var description: String {
    switch self {
    case .invalidFilter(let why): "invalid filter: \(why)"
    case .signalTooShort(let why): "signal too short: \(why)"
    case .invalidSignal(let why): "invalid signal: \(why)"
    case .invalidRules(let why): "invalid concept rules: \(why)"
    }
  }
}
