/// The storage of an audit's results. The audit's analysis (this module) only defines the
/// namespace and the in-memory part; the SQLite files (`results.sqlite`, the shards'
/// `partial-i-of-n.sqlite`) are written and read by the extensions in `ECGAuditStore`.
public enum AuditStore {
  /// A partial result in memory: what one shard produced, without a file.
  public struct Partial: Sendable, AuditPart {
    public var settings: AuditSettings
    public var shard: String
    public var records: [AuditRecordInfo]
    /// Its candidate items.
    public var items: [AuditItem]

    /// Creates a partial result in memory (what `AuditStore.writePartial` stores).
    public init(settings: AuditSettings, shard: String, records: [AuditRecordInfo], items: [AuditItem]) {
      self.settings = settings
      self.shard = shard
      self.records = records
      self.items = items
    }

    public func items(_ keys: [AuditItemKey]) throws -> [AuditItem] {
      let wanted = Set(keys)
      return items.filter { wanted.contains(AuditItemKey(ecgID: $0.ecgID, target: $0.target)) }
    }
  }

  /// Collects a partial result in memory (`AuditRun` without files; tests).
  public final class MemoryWriter: AuditPartWriter {
    /// What has been appended so far.
    public private(set) var partial: Partial

    /// Starts an empty part made with `settings` as shard `shard` (`i/n`, `1/1` unsharded).
    public init(settings: AuditSettings, shard: String) {
      partial = Partial(settings: settings, shard: shard, records: [], items: [])
    }

    public func append(records: [AuditRecordInfo], items: [AuditItem]) throws {
      partial.records += records
      partial.items += items
    }

    public func finish() throws -> any AuditPart { partial }

    public func abandon() {}
  }
}

/// A (record, target) pair.
public struct AuditItemKey: Hashable, Sendable, Comparable {
  /// ecg_id and target class.
  public var ecgID: Int, target: String

  /// Creates a key.
  public init(ecgID: Int, target: String) {
    self.ecgID = ecgID
    self.target = target
  }

  public static func < (a: Self, b: Self) -> Bool { (a.ecgID, a.target) < (b.ecgID, b.target) }
}

/// One part of an audit: what one shard produced (a file, or the same in memory).
public protocol AuditPart {
  /// Settings the part was made with.
  var settings: AuditSettings { get }
  /// The shard label (`2/4`; `1/1` unsharded).
  var shard: String { get }
  /// Its records.
  var records: [AuditRecordInfo] { get }
  /// Where the part comes from (a file path), for error messages; nil in memory.
  var origin: String? { get }
  /// Its items among `keys` (absent keys are skipped).
  func items(_ keys: [AuditItemKey]) throws -> [AuditItem]
}

extension AuditPart {
  /// In memory: no origin.
  public var origin: String? { nil }
}

/// Where `AuditRun` streams one part's records and items while it attributes, so memory does not
/// grow with the number of records: `AuditStore.PartialWriter` (ECGAuditStore) writes a SQLite
/// file, `AuditStore.MemoryWriter` keeps them in memory.
public protocol AuditPartWriter: AnyObject {
  /// Appends records and items (any order; readers sort).
  func append(records: [AuditRecordInfo], items: [AuditItem]) throws
  /// Completes the part and returns it for reading (the analysis of an unsharded run reads it).
  func finish() throws -> any AuditPart
  /// Discards the unfinished part.
  func abandon()
}
