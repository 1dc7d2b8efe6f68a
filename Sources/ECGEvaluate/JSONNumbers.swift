/// A number or a list of numbers that JSON cannot always hold: NaN and ±∞ are written as
/// `null` (as ecgxai's result files always did) and read back as NaN.
public protocol NullableJSONNumbers: Sendable, Equatable {
  /// Writes the value, `null` in place of every non-finite number.
  func encodeNullingNonFinite(to encoder: any Encoder) throws
  /// Reads the value, NaN in place of every `null`.
  init(decodingNullAsNaN decoder: any Decoder) throws
}

extension Double: NullableJSONNumbers {
  /// Writes the number, or `null` when it is not finite.
  public func encodeNullingNonFinite(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    if isFinite { try container.encode(self) } else { try container.encodeNil() }
  }

  /// Reads a number; `null` gives NaN.
  public init(decodingNullAsNaN decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    self = container.decodeNil() ? .nan : try container.decode(Double.self)
  }
}

extension Array: NullableJSONNumbers where Element == Double {
  /// Writes the list, `null` in place of every non-finite number.
  public func encodeNullingNonFinite(to encoder: any Encoder) throws {
    var container = encoder.unkeyedContainer()
    for value in self { if value.isFinite { try container.encode(value) } else { try container.encodeNil() } }
  }

  /// Reads a list of numbers; `null` entries give NaN.
  public init(decodingNullAsNaN decoder: any Decoder) throws {
    var container = try decoder.unkeyedContainer()
    var values: [Double] = []
    while !container.isAtEnd { values.append(try container.decodeNil() ? .nan : try container.decode(Double.self)) }
    self = values
  }
}

/// A stored number (or list of numbers) written to JSON with `null` for NaN and ±∞.
@propertyWrapper
public struct NullIfNonFinite<Value: NullableJSONNumbers>: Codable, Sendable, Equatable {
  /// The value.
  public var wrappedValue: Value

  /// Wraps `wrappedValue`.
  public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

  /// Reads the value; `null` gives NaN.
  public init(from decoder: any Decoder) throws { wrappedValue = try Value(decodingNullAsNaN: decoder) }

  /// Writes the value; non-finite numbers become `null`.
  public func encode(to encoder: any Encoder) throws { try wrappedValue.encodeNullingNonFinite(to: encoder) }
}

/// An optional value written as `{}` when absent (the result files wrote an empty object for a
/// confidence interval that could not be computed).
@propertyWrapper
public struct EmptyObjectIfNil<Wrapped: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
  /// The value.
  public var wrappedValue: Wrapped?

  /// Wraps `wrappedValue`.
  public init(wrappedValue: Wrapped?) { self.wrappedValue = wrappedValue }

  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// Reads the value; `{}` gives nil.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    wrappedValue = container.allKeys.isEmpty ? nil : try Wrapped(from: decoder)
  }

  /// Writes the value, or `{}` when nil.
  public func encode(to encoder: any Encoder) throws {
    if let wrappedValue { try wrappedValue.encode(to: encoder) } else { _ = encoder.container(keyedBy: AnyKey.self) }
  }
}

extension BootstrapCI.Interval: Codable {
  private enum CodingKeys: String, CodingKey { case estimate = "mean", lower = "ci_low", upper = "ci_high", n }

  /// Reads `{"mean", "ci_low", "ci_high", "n"}` (`null` bounds give NaN).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      estimate: try c.decode(NullIfNonFinite<Double>.self, forKey: .estimate).wrappedValue,
      lower: try c.decode(NullIfNonFinite<Double>.self, forKey: .lower).wrappedValue,
      upper: try c.decode(NullIfNonFinite<Double>.self, forKey: .upper).wrappedValue, n: try c.decode(Int.self, forKey: .n))
  }

  /// Writes `{"mean", "ci_low", "ci_high", "n"}`, as `dictionary` (non-finite numbers as `null`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(NullIfNonFinite(wrappedValue: estimate), forKey: .estimate)
    try c.encode(NullIfNonFinite(wrappedValue: lower), forKey: .lower)
    try c.encode(NullIfNonFinite(wrappedValue: upper), forKey: .upper)
    try c.encode(n, forKey: .n)
  }
}

extension Similarity.Scores: Codable {
  private enum CodingKeys: String, CodingKey {
    case spearman, spearmanAbsolute = "spearman_abs", ssim, topKIntersection = "top_k_intersection"
  }

  /// Reads `{"spearman", "spearman_abs", "ssim", "top_k_intersection"}` (`null` gives NaN).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func value(_ key: CodingKeys) throws -> Double { try c.decode(NullIfNonFinite<Double>.self, forKey: key).wrappedValue }
    self.init(
      spearman: try value(.spearman), spearmanAbsolute: try value(.spearmanAbsolute), ssim: try value(.ssim),
      topKIntersection: try value(.topKIntersection))
  }

  /// Writes the four similarities, as `dictionary` (non-finite numbers as `null`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(NullIfNonFinite(wrappedValue: spearman), forKey: .spearman)
    try c.encode(NullIfNonFinite(wrappedValue: spearmanAbsolute), forKey: .spearmanAbsolute)
    try c.encode(NullIfNonFinite(wrappedValue: ssim), forKey: .ssim)
    try c.encode(NullIfNonFinite(wrappedValue: topKIntersection), forKey: .topKIntersection)
  }
}
