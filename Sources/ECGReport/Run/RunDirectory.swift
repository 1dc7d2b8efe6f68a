import ECGExplain
import Foundation

/// A run directory (what `ecgxai run` writes) read back as its typed results: each file decoded
/// with `JSONDecoder` into its Codable type, nil when the file is absent or does not decode.
public struct RunDirectory: Sendable {
  /// The run directory.
  public let url: URL

  /// The run directory at `url`.
  public init(_ url: URL) { self.url = url }

  /// Whether the file `name` (relative to the run directory) exists.
  public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) }

  /// The file `name` decoded as `T`, or nil when it is absent or does not decode. Files written
  /// before results carried `schema_version` and `provenance` are read as schema version 0
  /// (`Provenance.upgradingLegacyResult`).
  public func decode<T: Decodable>(_ type: T.Type, _ name: String) -> T? {
    guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) else { return nil }
    return try? JSONDecoder().decode(T.self, from: Provenance.upgradingLegacyResult(data))
  }

  /// " NAME is there but does not parse: …" when `name` exists yet did not decode (`decoded`
  /// false) — a corrupt or cut-short result must not read as a step never run; "" otherwise.
  public func corruptNote(_ name: String, decoded: Bool) -> String {
    guard !decoded, exists(name) else { return "" }
    return " \(name) is there but does not parse: it is corrupt or cut short; run that command again."
  }

  /// The text (UTF-8) of a file of the run directory, or nil.
  public func text(_ name: String) -> String? {
    FileManager.default.contents(atPath: url.appendingPathComponent(name).path).flatMap { String(data: $0, encoding: .utf8) }
  }

  /// Files of the run directory (names, not paths) matching `prefix*suffix`, sorted.
  public func files(_ prefix: String, _ suffix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
  }
}
