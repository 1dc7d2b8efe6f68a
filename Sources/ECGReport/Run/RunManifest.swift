import Foundation

/// A read-only view of manifest.json's `pipeline` record, written by `ecgxai run` as a
/// dictionary: per step its time, finish stamp and outputs (or why it was skipped), and the run
/// configuration shown generically. Fields that are absent or of another type read as nil.
public struct RunManifest: Decodable, Sendable {
  /// One step's record.
  public struct Step: Decodable, Sendable {
    /// Wall-clock time of the step (s).
    public var seconds: Double?
    /// ISO 8601 time stamp of the step's end.
    public var finished: String?
    /// Files the step wrote, relative to the run directory.
    public var outputs: [String]?
    /// Why the step did nothing, when it was skipped.
    public var skipped: String?

    private enum CodingKeys: String, CodingKey { case seconds, finished, outputs, skipped }

    /// Decodes leniently: a field of an unexpected type reads as nil.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      seconds = try? c.decodeIfPresent(Double.self, forKey: .seconds)
      finished = try? c.decodeIfPresent(String.self, forKey: .finished)
      outputs = try? c.decodeIfPresent([String].self, forKey: .outputs)
      skipped = try? c.decodeIfPresent(String.self, forKey: .skipped)
    }
  }

  /// The pipeline record: steps by name and the configuration the run was made with.
  public struct Pipeline: Decodable, Sendable {
    /// Step records by step name (a record that is not an object is left out).
    public var steps: [String: Step]
    /// The run configuration (step name → settings, plus top-level keys such as `seed`).
    public var configuration: [String: JSONValue]?

    private enum CodingKeys: String, CodingKey { case steps, configuration }

    /// Decodes leniently: steps that do not decode are left out.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      steps = ((try? c.decodeIfPresent([String: LenientStep].self, forKey: .steps)) ?? nil)?.compactMapValues(\.step) ?? [:]
      configuration = try? c.decodeIfPresent([String: JSONValue].self, forKey: .configuration)
    }

    private struct LenientStep: Decodable {
      var step: Step?
      init(from decoder: any Decoder) throws { step = try? Step(from: decoder) }
    }
  }

  /// The pipeline record, nil when the run was not made by `ecgxai run` / `demo`.
  public var pipeline: Pipeline?

  private enum CodingKeys: String, CodingKey { case pipeline }

  /// Decodes leniently: a pipeline record that does not decode reads as nil.
  public init(from decoder: any Decoder) throws {
    pipeline = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Pipeline.self, forKey: .pipeline)
  }
}

/// Any JSON value, for showing a record whose shape the reader does not know.
public enum JSONValue: Decodable, Sendable, Equatable {
  case null
  case bool(Bool)
  case integer(Int)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Decodes whichever JSON value is there.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int.self) {
      self = .integer(i)
    } else if let d = try? c.decode(Double.self) { self = .number(d) } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) { self = .array(a) } else { self = .object(try c.decode([String: JSONValue].self)) }
  }

  /// The string, when this is one.
  public var string: String? { if case .string(let s) = self { s } else { nil } }

  /// The object, when this is one.
  public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }

  /// The value as the report shows it: lists in brackets, null as "—", booleans as 1/0 (as
  /// Foundation printed them), objects as `[key: value]` with sorted keys.
  public var text: String {
    switch self {
    case .null: "—"
    case .bool(let b): b ? "1" : "0"
    case .integer(let i): "\(i)"
    case .number(let d): "\(d)"
    case .string(let s): s
    case .array(let a): "[" + a.map(\.text).joined(separator: ", ") + "]"
    case .object(let o): o.isEmpty ? "[:]" : "[" + o.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value.text)" }.joined(separator: ", ") + "]"
    }
  }
}
