/// Groupings of records by their planted hidden subtypes, to score clusterings against (what
/// `ecgxai discover` validates with on the phantom).
///
/// A record's planted subtypes are the `subtype` strings (`TruthFinding.subtype`, the phantom's
/// `truth/findings.csv`) of the findings that belong to the class studied, e.g.
/// `["ASMI/old/poor-r-progression"]`; an empty list is a record labelled with the class whose
/// finding was not planted (label noise).
public enum HiddenSubtypeGroups {
  /// One grouping: a name, a group index per record (−1: not scored) and the group names.
  public struct Grouping: Sendable, Equatable {
    /// What the groups are, e.g. `planted subtype × stage`.
    public var name: String
    /// The group of every record, an index into `names`; −1 for records the grouping does not score.
    public var labels: [Int]
    /// The group names, sorted.
    public var names: [String]
  }

  /// The group name of records without a planted finding of the class.
  public static let notPlanted = "(labelled, not planted)"

  /// The groupings of these records, each kept only when it has at least two groups:
  /// - `planted subtype` — the finding and variant, the stage left out (`ASMI/septal-qs`; several
  ///   findings joined by `+`; records without one form the group `notPlanted`);
  /// - `planted subtype × stage` — with the stage (`ASMI/old/septal-qs`), when a stage occurs;
  /// - `planted stage` — the stage of the records all of whose planted findings have one;
  /// - `planted subtype, STAGE stage` — per stage, the subtype of the records all of whose planted
  ///   findings have that stage (the other records are not scored): do the variants separate
  ///   within a stage?
  public static func groupings(_ planted: [[String]]) -> [Grouping] {
    let parsed = planted.map { $0.map(split).sorted { $0.subtype < $1.subtype } }
    let subtype = parsed.map { $0.isEmpty ? notPlanted : $0.map(\.subtype).joined(separator: "+") }
    let full = zip(planted, subtype).map { $0.isEmpty ? $1 : $0.sorted().joined(separator: "+") }
    var result: [Grouping] = []
    func add(_ name: String, _ values: [String?]) {
      let names = Set(values.compactMap { $0 }).sorted()
      guard names.count > 1 else { return }
      result.append(Grouping(name: name, labels: values.map { v in v.map { names.firstIndex(of: $0)! } ?? -1 }, names: names))
    }
    add("planted subtype", subtype)
    let stages = Set(parsed.flatMap { $0.compactMap(\.stage) }).sorted()
    guard !stages.isEmpty else { return result }
    add("planted subtype × stage", full)
    let stageOfRecord = parsed.map { findings -> String? in
      let found = Set(findings.map(\.stage))
      return found.count == 1 ? found.first! : nil
    }
    add("planted stage", stageOfRecord)
    for stage in stages {
      add("planted subtype, \(stage) stage", parsed.indices.map { r in stageOfRecord[r] == stage ? subtype[r] : nil })
    }
    return result
  }

  /// The infarct stages a subtype string may name (the phantom's `InfarctStage`: `acute`, `old`).
  public static let stageNames: Set<String> = ["acute", "old"]

  /// `CODE/stage/variant` → (`CODE/variant`, stage); a component is a stage when it is one of
  /// `stageNames`.
  static func split(_ subtype: String) -> (subtype: String, stage: String?) {
    let parts = subtype.split(separator: "/").map(String.init)
    let stage = parts.first { stageNames.contains($0) }
    return (parts.filter { $0 != stage }.joined(separator: "/"), stage)
  }
}
