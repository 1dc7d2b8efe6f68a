import ECGNet
import ECGStatistics
import ECGTensor
import Foundation

/// The dataset-wide ("glocal") analysis: from the per-record cell aggregates of one or more
/// partial results to groups, the paper's maps, per-cell tests against the reference group and
/// the alignment with expert rules and true evidence. Deterministic: the same partial contents
/// give the same result whatever the sharding.
public struct AuditAnalysis {
  /// Settings shared by every part.
  public let settings: AuditSettings
  /// All records, by ecg_id.
  public let records: [AuditRecordInfo]
  /// Selected records per target class, in selection order (highest score first for `top`).
  public let groups: [String: [Int]]
  /// The (record, target) pairs the analysis reads (every group, and the reference group on
  /// each condition's output), sorted; `forEachItemChunk` reads their items.
  public let keys: [ItemKey]
  /// Per condition: the map, tests and alignment.
  public let conditions: [ConditionResult]
  /// Per condition and subgroup: maps.
  public let subgroups: [SubgroupMap]

  /// A (record, target) pair.
  public typealias ItemKey = AuditItemKey

  /// Per-cell statistics of one condition.
  public struct CellStatistics: Sendable, Equatable {
    /// The group's mean, median and quartiles of the paper's M.
    public var mean: Double, median: Double, q25: Double, q75: Double
    /// Mean density (record-normalised M) in the group and in the reference.
    public var density: Double, referenceDensity: Double
    /// The test of the densities against the reference; nil when a group has no supported value.
    public var test: MannWhitneyU?
    /// Holm-adjusted p over the condition's 288 cells.
    public var pHolm: Double?
    /// Percentile bootstrap 95 % interval of the AUC.
    public var aucLow: Double?, aucHigh: Double?
    /// Mean share of the cell's support inside the true evidence (phantom), over the group's
    /// records where the finding is planted.
    public var evidence: Double?
  }

  /// One condition's result.
  public struct ConditionResult: Sendable {
    /// Its summary (audit.json).
    public var summary: ConditionSummary
    /// The fine and the coarse map.
    public var maps: [MapResult]
  }

  /// One condition's map at one resolution.
  public struct MapResult: Sendable {
    /// The resolution.
    public var view: AuditView
    /// Per cell (fine: `AuditCell.index`; coarse: lead × 6 + segment).
    public var cells: [CellStatistics]
    /// Rule and truth cell sets.
    public var ruleCells: Set<Int>, truthCells: Set<Int>?
    /// Its summary.
    public var summary: MapSummary
  }

  /// A subgroup's map inside a condition's group.
  public struct SubgroupMap: Sendable {
    /// Condition, subgroup kind (`sex`, `age`, `label`, `subtype`, `feature`) and value.
    public var condition: String, kind: String, value: String
    /// Records.
    public var n: Int
    /// Mean, median, quartiles of M per cell.
    public var mean: [Double], median: [Double], q25: [Double], q75: [Double]
  }

  /// A cell counts as truly planted when on average at least this share of its support lies in
  /// the finding's evidence mask.
  public static let truthCellThreshold = 0.5

  /// Merges partial results and analyses them.
  /// - Throws: `AuditError.incompatibleShards` when parts come from models with different weights
  ///   (`AuditSettings.modelSHA256`; the message names both shards and both digests), differ in
  ///   other settings, overlap, or miss candidates.
  public init(parts: [any AuditPart], rules: ExpertRules) throws {
    guard let first = parts.first else { throw AuditError.incompatibleShards(reason: "no partial results") }
    func name(_ part: any AuditPart) -> String { "shard \(part.shard)" + (part.origin.map { " (\($0))" } ?? "") }
    for part in parts where part.settings.modelSHA256 != first.settings.modelSHA256 {
      throw AuditError.incompatibleShards(reason: """
        \(name(part)) was made with a model whose weights have SHA-256 \(part.settings.modelSHA256 ?? "unknown"), \
        \(name(first)) with one whose weights have SHA-256 \(first.settings.modelSHA256 ?? "unknown"): \
        the shards come from different models; audit every shard with the same model
        """)
    }
    for part in parts where part.settings != first.settings {
      throw AuditError.incompatibleShards(reason: "shard \(part.shard) was made with different settings than shard \(first.shard)")
    }
    try Self.checkShards(parts.map(\.shard))
    let settings = first.settings
    self.settings = settings
    var owner: [Int: Int] = [:]  // ecg_id → part
    var records: [AuditRecordInfo] = []
    for (index, part) in parts.enumerated() {
      for record in part.records {
        guard owner.updateValue(index, forKey: record.ecgID) == nil else {
          throw AuditError.incompatibleShards(reason: "ecg_id \(record.ecgID) appears in more than one shard")
        }
        records.append(record)
      }
    }
    records.sort { $0.ecgID < $1.ecgID }

    // Groups, and the items they need (read condition by condition, so memory holds one
    // condition's groups at a time).
    let groups = Self.groups(records, settings: settings)
    self.groups = groups
    let keys = Self.candidates(groups: groups, settings: settings)
    self.keys = keys
    self.parts = parts
    self.owner = owner
    // What a shard knew of records outside the groups (subtypes, segmentation of local
    // candidates) depends on the sharding; keep it for group members only.
    let members = Set(keys.map(\.ecgID))
    self.records = records.map { r in
      var r = r
      if !members.contains(r.ecgID) { r.subtypes = []; r.segmented = nil; r.queries = [:] }
      return r
    }

    let byID = Dictionary(uniqueKeysWithValues: self.records.map { ($0.ecgID, $0) })
    var results: [ConditionResult] = []
    var subgroups: [SubgroupMap] = []
    for (conditionIndex, condition) in settings.conditions.enumerated() {
      let output = settings.referenceOutput == "condition" ? condition : settings.reference
      let groupKeys = groups[condition]!.map { ItemKey(ecgID: $0, target: condition) }
      let referenceKeys = (groups[settings.reference] ?? []).map { ItemKey(ecgID: $0, target: output) }
      let loaded = try Self.load(groupKeys + referenceKeys, parts: parts, owner: owner)
      let group = groupKeys.map { loaded[$0]! }, reference = referenceKeys.map { loaded[$0]! }
      results.append(Self.analyse(
        condition: condition, group: group, reference: reference, records: byID, rules: rules.rules[condition],
        settings: settings, seed: settings.seed &+ UInt64(conditionIndex) &* 0x9E37_79B9))
      subgroups += Self.subgroups(condition: condition, group: group, records: byID)
    }
    conditions = results
    self.subgroups = subgroups
  }

  /// The parts and which part holds each ecg_id (for reading items again when writing).
  let parts: [any AuditPart]
  let owner: [Int: Int]

  /// Reads the items of `keys` from the parts that hold them.
  /// - Throws: `AuditError.incompatibleShards` when a key is missing.
  static func load(_ keys: [ItemKey], parts: [any AuditPart], owner: [Int: Int]) throws -> [ItemKey: AuditItem] {
    var wanted = Array(repeating: [ItemKey](), count: parts.count)
    for key in Set(keys).sorted() { wanted[owner[key.ecgID]!].append(key) }
    var items: [ItemKey: AuditItem] = [:]
    for (index, part) in parts.enumerated() where !wanted[index].isEmpty {
      for item in try part.items(wanted[index]) { items[ItemKey(ecgID: item.ecgID, target: item.target)] = item }
    }
    for key in keys where items[key] == nil {
      throw AuditError.incompatibleShards(reason: "record \(key.ecgID) is selected for \(key.target) but its shard did not attribute it")
    }
    return items
  }

  /// Calls `body` with the items of every (record, class) pair the analysis used, in `keys`
  /// order, `chunk` pairs at a time (memory: one chunk).
  public func forEachItemChunk(_ chunk: Int = 512, _ body: ([AuditItem]) throws -> Void) throws {
    for start in stride(from: 0, to: keys.count, by: chunk) {
      let slice = Array(keys[start..<min(start + chunk, keys.count)])
      let loaded = try Self.load(slice, parts: parts, owner: owner)
      try body(slice.map { loaded[$0]! })
    }
  }

  /// The audit summary (audit.json).
  public var summary: AuditSummary {
    AuditSummary(settings: settings, records: records.count, conditions: conditions.map(\.summary))
  }

  /// Shard labels must be i/n for every i of one n, each once.
  static func checkShards(_ labels: [String]) throws {
    let parsed = labels.map { label -> (Int, Int)? in
      let p = label.split(separator: "/").compactMap { Int($0) }
      return p.count == 2 ? (p[0], p[1]) : nil
    }
    guard let total = parsed.first??.1, parsed.allSatisfy({ $0 != nil && $0!.1 == total }) else {
      throw AuditError.incompatibleShards(reason: "shards \(labels.joined(separator: ", ")) do not share one total")
    }
    let indices = parsed.map { $0!.0 }.sorted()
    guard indices == Array(1...total) else {
      throw AuditError.incompatibleShards(reason: "have shards \(indices.map(String.init).joined(separator: ",")) of \(total); need each of 1…\(total) once")
    }
  }

  /// The records of a target's group. `top`: highest predicted score first (ties: lower ecg_id
  /// first), N of them; `labelled`: every record with the label, by ecg_id. Records that could
  /// not be segmented are left out.
  public static func select(_ records: [AuditRecordInfo], target: String, settings: AuditSettings) -> [Int] {
    let usable = records.filter { $0.segmented != false }
    if settings.selection == "labelled" {
      return usable.filter { $0.labels.contains(target) }.map(\.ecgID)
    }
    return topRecords(usable, target: target, n: settings.topN)
  }

  /// Every target's group (`select`), by target.
  public static func groups(_ records: [AuditRecordInfo], settings: AuditSettings) -> [String: [Int]] {
    Dictionary(uniqueKeysWithValues: settings.targets.map { ($0, select(records, target: $0, settings: settings)) })
  }

  /// The (record, class) pairs an audit of `records` attributes: every target's group, and the
  /// reference group for every condition when the reference records are attributed to the
  /// conditions' outputs. Sorted.
  public static func candidates(_ records: [AuditRecordInfo], settings: AuditSettings) -> [AuditItemKey] {
    candidates(groups: groups(records, settings: settings), settings: settings)
  }

  /// The pairs of already selected groups.
  static func candidates(groups: [String: [Int]], settings: AuditSettings) -> [AuditItemKey] {
    var keys = Set<AuditItemKey>()
    for (target, ids) in groups { for id in ids { keys.insert(AuditItemKey(ecgID: id, target: target)) } }
    if settings.referenceOutput == "condition" {
      for id in groups[settings.reference] ?? [] {
        for condition in settings.conditions { keys.insert(AuditItemKey(ecgID: id, target: condition)) }
      }
    }
    return keys.sorted()
  }

  /// The N records with the highest score for `target` (ties: lower ecg_id first).
  public static func topRecords(_ records: [AuditRecordInfo], target: String, n: Int) -> [Int] {
    let scored = records.compactMap { r in r.scores[target].map { (r.ecgID, $0) } }
    return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(n).map(\.0)
  }
}

extension MannWhitneyU {
  /// U₁/(n₁n₂) alone (no p-value), for bootstrap resamples: both samples sorted, then each x
  /// counts the y below it (ties ½) in one merge pass.
  static func auc(_ x: [Double], _ y: [Double]) -> Double {
    guard !x.isEmpty, !y.isEmpty else { return .nan }
    let xs = x.sorted(), ys = y.sorted()
    var below = 0, equalEnd = 0, u = 0.0
    for v in xs {
      while below < ys.count && ys[below] < v { below += 1 }
      equalEnd = max(equalEnd, below)
      while equalEnd < ys.count && ys[equalEnd] == v { equalEnd += 1 }
      u += Double(below) + 0.5 * Double(equalEnd - below)
    }
    return u / (Double(xs.count) * Double(ys.count))
  }
}

/// Linear-interpolation quantile of sorted values (NumPy's default); NaN when empty.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
  guard !sorted.isEmpty else { return .nan }
  let position = q * Double(sorted.count - 1)
  let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
  return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
}

/// Mean of the values (NaN when empty).
func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
