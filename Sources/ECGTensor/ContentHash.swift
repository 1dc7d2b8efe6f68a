import Crypto
import Foundation

/// SHA-256 of content fed piece by piece, as 64 lower-case hex digits: the identity of a model's
/// weights and of a dataset's index in the provenance of every result ecgxai writes.
///
/// Numbers are fed in a fixed byte order (little-endian), so the same content gives the same
/// digest on every machine.
public struct ContentHash: Sendable {
  private var hasher = SHA256()

  /// An empty hash.
  public init() {}

  /// Feeds raw bytes.
  public mutating func update(_ data: Data) { hasher.update(data: data) }

  /// Feeds a string as UTF-8, followed by a 0 byte so that ("ab", "c") and ("a", "bc") differ.
  public mutating func update(_ string: String) {
    hasher.update(data: Data(string.utf8))
    hasher.update(data: Data([0]))
  }

  /// Feeds an integer as 8 little-endian bytes.
  public mutating func update(_ value: Int) {
    withUnsafeBytes(of: Int64(value).littleEndian) { hasher.update(bufferPointer: $0) }
  }

  /// Feeds float32 values as little-endian IEEE 754 bytes.
  public mutating func update(_ values: UnsafeBufferPointer<Float>) {
    #if _endian(little)
      hasher.update(bufferPointer: UnsafeRawBufferPointer(values))
    #else
      for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) } }
    #endif
  }

  /// The digest of everything fed so far, as 64 lower-case hex digits.
  public func hexDigest() -> String {
    hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }

  /// The SHA-256 of a file's bytes, as 64 lower-case hex digits.
  public static func ofFile(_ url: URL) throws -> String {
    var hash = ContentHash()
    hash.update(try Data(contentsOf: url, options: .mappedIfSafe))
    return hash.hexDigest()
  }
}

/// The version of ecgxai, written into every result's provenance and manifest.json.
public enum ECGXAIVersion {
  /// Semantic version of this build.
  public static let current = "0.1.0"
}
