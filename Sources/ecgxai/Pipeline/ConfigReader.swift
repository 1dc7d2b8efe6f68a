import Foundation
import Yams

/// A failure in a run configuration file: says which file, which key and what was expected.
struct ConfigError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Reads one mapping of a YAML or JSON configuration with typed, strict accessors: a key that is
/// not declared, or a value of the wrong type, is an error naming the file and the key path.
///
/// JSON is read by the YAML parser (JSON is YAML 1.2 flow syntax), so both formats share one
/// reader and one set of messages.
struct ConfigReader {
  /// The file name used in messages.
  let file: String
  /// Dotted path of this mapping in the file ("" for the top level).
  let path: String
  private let values: [String: Any]

  /// The most values (keys, texts, numbers, lists, mappings) a configuration may hold once YAML
  /// aliases are expanded: a run configuration has a few dozen, while aliases of aliases
  /// ("billion laughs") expand a kilobyte into gigabytes.
  static let maximumValues = 10_000

  /// Parses `text` (YAML or JSON) whose top level must be a mapping.
  init(text: String, file: String) throws {
    let node: Node?
    do { node = try Yams.compose(yaml: text) } catch {
      // The parser's message spans lines (source excerpt, caret); its first line says it all.
      let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
      throw ConfigError("\(file): not valid YAML or JSON: \(first)")
    }
    // The composed tree shares aliased nodes; only building Swift values from it expands them.
    if let node { try Self.checkSize(node, file: file) }
    let parsed = node.map { Constructor.default.any(from: $0) }
    guard let mapping = parsed as? [String: Any] else {
      throw ConfigError("\(file): the top level must be a mapping of keys (e.g. `data:`, `train:`), got \(Self.kind(parsed))")
    }
    self.init(file: file, path: "", values: mapping)
  }

  /// Refuses a tree of more than `maximumValues` values once its aliases are expanded, counting
  /// without expanding (a stack, stopped at the limit), and keys that are not plain scalars.
  private static func checkSize(_ root: Node, file: String) throws {
    var pending = [root]
    var count = 0
    while let node = pending.popLast() {
      count += 1
      guard count <= maximumValues else {
        throw ConfigError(
          "\(file): the configuration expands to more than \(maximumValues) values (YAML aliases of aliases?); write it out without nested aliases")
      }
      switch node {
      case .mapping(let mapping):
        for pair in mapping {
          // Yams traps building a dictionary whose key is a list or a mapping (`? [a]`).
          guard case .scalar = pair.key else {
            throw ConfigError("\(file): a key that is a list or a mapping (YAML `? …`); keys are plain names such as `data` or `epochs`")
          }
          pending += [pair.key, pair.value]
        }
      case .sequence(let sequence): pending += Array(sequence)
      case .scalar, .alias: break
      }
    }
  }

  private init(file: String, path: String, values: [String: Any]) {
    self.file = file
    self.path = path
    self.values = values
  }

  private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  private static func kind(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: return "nothing"
    case let s as String: return "the text \"\(s)\""
    case is Bool: return "a boolean"
    case let i as Int: return "the number \(i)"
    case let d as Double: return "the number \(d)"
    case is [Any]: return "a list"
    case is [String: Any]: return "a mapping"
    default: return "\(type(of: value!))"
    }
  }

  private func value(_ key: String) -> Any? {
    guard let v = values[key], !(v is NSNull) else { return nil }
    return v
  }

  /// Fails when the mapping has a key outside `known`, listing the known ones.
  func allowOnly(_ known: [String]) throws {
    for key in values.keys.sorted() where !known.contains(key) {
      let close = known.filter { $0.hasPrefix(String(key.prefix(3))) }
      throw ConfigError("\(file): unknown key '\(name(key))'"
        + (close.isEmpty ? "" : " (did you mean \(close.map { "'\($0)'" }.joined(separator: " or "))?)")
        + "; \(path.isEmpty ? "top-level keys" : "keys of '\(path)'") are \(known.joined(separator: ", "))")
    }
  }

  /// The sub-mapping at `key`, or nil when absent.
  func section(_ key: String) throws -> ConfigReader? {
    guard let v = value(key) else { return nil }
    guard let mapping = v as? [String: Any] else {
      throw ConfigError("\(file): '\(name(key))' must be a mapping of keys, got \(Self.kind(v))")
    }
    return ConfigReader(file: file, path: name(key), values: mapping)
  }

  /// Whether `key` is present and explicitly `false` (a section switched off).
  func isFalse(_ key: String) -> Bool { (value(key) as? Bool) == false }

  /// A text value.
  func string(_ key: String) throws -> String? {
    guard let v = value(key) else { return nil }
    if let s = v as? String { return s }
    if let i = v as? Int { return String(i) }
    throw ConfigError("\(file): '\(name(key))' must be text, got \(Self.kind(v))")
  }

  /// A text value from a fixed set.
  func choice(_ key: String, of allowed: [String]) throws -> String? {
    guard let s = try string(key) else { return nil }
    guard allowed.contains(s) else {
      throw ConfigError("\(file): '\(name(key))' is '\(s)'; use one of \(allowed.joined(separator: ", "))")
    }
    return s
  }

  /// An integer in `range`.
  func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
    guard let v = value(key) else { return nil }
    guard !(v is Bool), let i = v as? Int else {
      throw ConfigError("\(file): '\(name(key))' must be a whole number, got \(Self.kind(v))")
    }
    guard range.contains(i) else {
      throw ConfigError("\(file): '\(name(key))' is \(i); it must be in \(range.lowerBound)…\(range.upperBound)")
    }
    return i
  }

  /// A number (integers are accepted).
  func double(_ key: String) throws -> Double? {
    guard let v = value(key) else { return nil }
    if !(v is Bool), let i = v as? Int { return Double(i) }
    if let d = v as? Double { return d }
    throw ConfigError("\(file): '\(name(key))' must be a number, got \(Self.kind(v))")
  }

  /// A finite number within `range` (integers are accepted).
  func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
    guard let d = try double(key) else { return nil }
    guard d.isFinite, range.contains(d) else {
      throw ConfigError("\(file): '\(name(key))' is \(d); it must be in \(range.lowerBound)…\(range.upperBound)")
    }
    return d
  }

  /// A boolean.
  func bool(_ key: String) throws -> Bool? {
    guard let v = value(key) else { return nil }
    guard let b = v as? Bool else { throw ConfigError("\(file): '\(name(key))' must be true or false, got \(Self.kind(v))") }
    return b
  }

  /// A list of texts, given as a YAML/JSON list or as one comma-separated text.
  func strings(_ key: String) throws -> [String]? {
    guard let v = value(key) else { return nil }
    if let s = v as? String {
      return commaList(s)
    }
    guard let list = v as? [Any] else {
      throw ConfigError("\(file): '\(name(key))' must be a list (e.g. [a, b]), got \(Self.kind(v))")
    }
    return try list.enumerated().map { i, element in
      if let s = element as? String { return s }
      if !(element is Bool), let n = element as? Int { return String(n) }
      throw ConfigError("\(file): element \(i + 1) of '\(name(key))' must be text, got \(Self.kind(element))")
    }
  }
}

/// The items of a comma-separated option or configuration value (`LVH, CLBBB,IMI`), trimmed,
/// empty items dropped — the one reading of every list option.
func commaList(_ text: String) -> [String] {
  text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
