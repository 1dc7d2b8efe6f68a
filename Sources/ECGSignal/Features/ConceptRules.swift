import Foundation

/// User-defined expert concepts: a small rules file, one concept per line, each a boolean
/// expression over `features.csv` columns (and earlier concepts):
///
/// ```
/// # name: expression            (comparisons >= <= > < == !=, and, or, not, parentheses)
/// LONG-QTC: qtc_bazett_ms > 460
/// TALL-R-V5: R_Amp_V5_mV >= 2.6 and qrs_ms < 120
/// LVH-ANY: SLI-LVH or (cornell_mV > 2.8 and not Sex)
/// ```
/// A bare name is true when its value is nonzero; a comparison with a missing value is false.
/// Names must be new (neither a column nor an earlier concept); an expression may nest
/// parentheses and `not` at most `maximumDepth` deep and hold at most `maximumTokens` tokens.
public struct ConceptRules: Sendable {
  /// How deep parentheses and `not` may nest in one expression (the parser and the evaluator
  /// recurse once per level).
  public static let maximumDepth = 64
  /// How many tokens one expression may hold (bounds the chains of `and` / `or`).
  public static let maximumTokens = 1000

  /// A parsed boolean expression.
  indirect enum Expression: Sendable {
    case name(String)
    case compare(String, String, Double)
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
  }

  /// The concepts in file order.
  public let names: [String]
  let expressions: [Expression]

  /// Parses a rules file; `known` are the names expressions may use (features.csv columns).
  /// - Throws: `SignalError.invalidRules` naming the line and what is wrong.
  public init(text: String, known: Set<String>) throws {
    var names: [String] = []
    var expressions: [Expression] = []
    var available = known
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
        .trimmingCharacters(in: .whitespaces) ?? ""
      guard !line.isEmpty else { continue }
      guard let colon = line.firstIndex(of: ":") else {
        throw SignalError.invalidRules("line \(number + 1): expected 'NAME: expression', got '\(line)'")
      }
      let name = line[..<colon].trimmingCharacters(in: .whitespaces)
      guard !name.isEmpty, !name.contains(" ") else {
        throw SignalError.invalidRules("line \(number + 1): '\(name)' is not a concept name (no spaces)")
      }
      if let first = names.firstIndex(of: name) {
        throw SignalError.invalidRules(
          "line \(number + 1): concept '\(name)' is defined twice (also rule \(first + 1)); give each rule its own name")
      }
      if known.contains(name) {
        throw SignalError.invalidRules(
          "line \(number + 1): concept '\(name)' is already a column of the features table; give the rule another name")
      }
      let tokens = try Self.tokens(String(line[line.index(after: colon)...]), line: number + 1)
      guard tokens.count <= Self.maximumTokens else {
        throw SignalError.invalidRules(
          "line \(number + 1): the expression has \(tokens.count) tokens, more than \(Self.maximumTokens); split it into several rules")
      }
      var parser = Parser(tokens: tokens, line: number + 1, known: available)
      let expression = try parser.parseOr()
      guard parser.position == parser.tokens.count else {
        throw SignalError.invalidRules("line \(number + 1): unexpected '\(parser.tokens[parser.position])'")
      }
      names.append(name)
      expressions.append(expression)
      available.insert(name)
    }
    self.names = names
    self.expressions = expressions
  }

  /// Evaluates every concept on one record's values (missing values absent or NaN); later
  /// concepts may use earlier ones.
  public func evaluate(_ values: [String: Double]) -> [String: Bool] {
    var values = values
    var out: [String: Bool] = [:]
    for (name, expression) in zip(names, expressions) {
      let result = Self.evaluate(expression, values)
      out[name] = result
      values[name] = result ? 1 : 0
    }
    return out
  }

  static func evaluate(_ e: Expression, _ v: [String: Double]) -> Bool {
    switch e {
    case .name(let n): return (v[n].map { $0.isFinite && $0 != 0 }) ?? false
    case .compare(let n, let op, let c):
      guard let x = v[n], x.isFinite else { return false }
      switch op {
      case ">=": return x >= c
      case "<=": return x <= c
      case ">": return x > c
      case "<": return x < c
      case "==": return x == c
      default: return x != c
      }
    case .not(let a): return !evaluate(a, v)
    case .and(let a, let b): return evaluate(a, v) && evaluate(b, v)
    case .or(let a, let b): return evaluate(a, v) || evaluate(b, v)
    }
  }

  static func tokens(_ text: String, line: Int) throws -> [String] {
    var out: [String] = []
    var chars = Array(text)[...]
    while let c = chars.first {
      if c == " " || c == "\t" { chars = chars.dropFirst(); continue }
      if c == "(" || c == ")" { out.append(String(c)); chars = chars.dropFirst(); continue }
      if "<>=!".contains(c) {
        var op = String(c)
        chars = chars.dropFirst()
        if chars.first == "=" { op.append("="); chars = chars.dropFirst() }
        guard [">=", "<=", ">", "<", "==", "!="].contains(op) else {
          throw SignalError.invalidRules("line \(line): unknown operator '\(op)'")
        }
        out.append(op)
        continue
      }
      let word = chars.prefix { !" \t()<>=!".contains($0) }
      guard !word.isEmpty else { throw SignalError.invalidRules("line \(line): unexpected '\(c)'") }
      out.append(String(word))
      chars = chars.dropFirst(word.count)
    }
    return out
  }

  struct Parser {
    let tokens: [String]
    var position = 0
    let line: Int
    let known: Set<String>
    /// Parentheses and `not` open around the current position.
    var depth = 0

    init(tokens: [String], line: Int, known: Set<String>) {
      self.tokens = tokens
      self.line = line
      self.known = known
    }

    mutating func next() -> String? {
      guard position < tokens.count else { return nil }
      defer { position += 1 }
      return tokens[position]
    }
    func peek() -> String? { position < tokens.count ? tokens[position] : nil }

    mutating func parseOr() throws -> Expression {
      var left = try parseAnd()
      while peek()?.lowercased() == "or" { _ = next(); left = .or(left, try parseAnd()) }
      return left
    }
    mutating func parseAnd() throws -> Expression {
      var left = try parseNot()
      while peek()?.lowercased() == "and" { _ = next(); left = .and(left, try parseNot()) }
      return left
    }
    /// Enters one level of nesting, refusing more than `maximumDepth`.
    mutating func descend() throws {
      depth += 1
      guard depth <= ConceptRules.maximumDepth else {
        throw SignalError.invalidRules(
          "line \(line): the expression nests parentheses and 'not' more than \(ConceptRules.maximumDepth) deep; simplify it")
      }
    }
    mutating func parseNot() throws -> Expression {
      if peek()?.lowercased() == "not" {
        _ = next()
        try descend()
        defer { depth -= 1 }
        return .not(try parseNot())
      }
      return try parseAtom()
    }
    mutating func parseAtom() throws -> Expression {
      guard let token = next() else { throw SignalError.invalidRules("line \(line): expression ends early") }
      if token == "(" {
        try descend()
        defer { depth -= 1 }
        let inner = try parseOr()
        guard next() == ")" else { throw SignalError.invalidRules("line \(line): missing ')'") }
        return inner
      }
      guard known.contains(token) else {
        throw SignalError.invalidRules("line \(line): unknown feature '\(token)' (use a features.csv column, e.g. qrs_ms, R_Amp_V5_mV, SLI-LVH)")
      }
      if let op = peek(), [">=", "<=", ">", "<", "==", "!="].contains(op) {
        _ = next()
        guard let value = next().flatMap(Double.init) else {
          throw SignalError.invalidRules("line \(line): '\(token) \(op)' must be followed by a number")
        }
        return .compare(token, op, value)
      }
      return .name(token)
    }
  }
}
