import Foundation

/// Cardiologists' rules: per condition (an SCP code or class name of the model), the lead ×
/// segment cells where its ECG criteria live. Read from a YAML file by ECGAuditStore (`ExpertRules.defaultYAML`
/// is the built-in set, written by `ecgxai audit --write-rules FILE` for editing):
/// ```yaml
/// LVH:
///   criteria: Sokolow-Lyon, Cornell and Romhilt-Estes QRS voltage criteria
///   cells:
///     - leads: [V1, V2, V5, V6, aVL, I]
///       segments: [QRS]
/// ```
/// `segments` takes coarse segments (P, PQ, QRS, ST, T, TP) or the paper's 24 class labels
/// (`R-Peak`, `qr`, …); `leads` takes lead names or `all`.
public struct ExpertRules: Sendable, Equatable {
  /// One condition's rule.
  public struct Rule: Sendable, Equatable {
    /// Condition name as in the model's classes.
    public var condition: String
    /// Free-text source of the criteria.
    public var criteria: String
    /// The rule's cells.
    public var cells: Set<AuditCell>
  }

  /// Rules by condition.
  public var rules: [String: Rule]

  /// One condition's entry of a rules file: free-text criteria and the cells they name.
  public struct RuleSpec: Decodable, Sendable, Equatable {
    /// Free-text source of the criteria.
    public var criteria: String?
    /// Groups of cells: every lead × every segment of each.
    public var cells: [CellSpec]

    /// Creates an entry.
    public init(criteria: String?, cells: [CellSpec]) {
      self.criteria = criteria
      self.cells = cells
    }
  }

  /// Lead names (or `all`) × segment names (coarse P, PQ, QRS, ST, T, TP or the 24 class labels).
  public struct CellSpec: Decodable, Sendable, Equatable {
    /// Lead names (`V1`, `aVL`, …) or `all`.
    public var leads: [String]
    /// Coarse segments or class labels.
    public var segments: [String]

    /// Creates a group of cells.
    public init(leads: [String], segments: [String]) {
      self.leads = leads
      self.segments = segments
    }
  }

  /// Rules from parsed entries (a rules file's mapping CONDITION → entry; `init(yaml:source:)`
  /// in ECGAuditStore reads the YAML file).
  /// - Throws: `AuditError.invalidRules` naming `source` for an unknown lead or segment name or a
  ///   condition without cells.
  public init(specs: [String: RuleSpec], source: String = "rules") throws {
    var rules: [String: Rule] = [:]
    for (condition, spec) in specs {
      var cells = Set<AuditCell>()
      for cell in spec.cells {
        var leads: [Int] = []
        for name in cell.leads {
          if name.lowercased() == "all" { leads += 0..<12; continue }
          guard let lead = AuditLeads.index(of: name) else {
            throw AuditError.invalidRules(source: source, reason: "\(condition): unknown lead '\(name)' (use \(AuditLeads.names.joined(separator: ", ")) or all)")
          }
          leads.append(lead)
        }
        var segments: [SegmentClass] = []
        for name in cell.segments {
          if let coarse = CoarseSegment.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) {
            segments += coarse.classes
          } else if let fine = SegmentClass(label: name) {
            segments.append(fine)
          } else {
            throw AuditError.invalidRules(
              source: source,
              reason: "\(condition): unknown segment '\(name)' (use \(CoarseSegment.allCases.map(\.rawValue).joined(separator: ", ")) or a class label such as R-Peak, qr)")
          }
        }
        for lead in leads { for segment in segments { cells.insert(AuditCell(lead: lead, segment: segment)) } }
      }
      guard !cells.isEmpty else { throw AuditError.invalidRules(source: source, reason: "\(condition): no cells") }
      rules[condition] = Rule(condition: condition, criteria: spec.criteria ?? "", cells: cells)
    }
    self.rules = rules
  }
}

/// Errors of ECGAudit's inputs.
public enum AuditError: Error, CustomStringConvertible, Equatable {
  /// A rules file that cannot be used.
  case invalidRules(source: String, reason: String)
  /// A results or partial file that cannot be read.
  case unreadableResults(path: String, reason: String)
  /// Partial results that do not belong together.
  case incompatibleShards(reason: String)
  /// Settings an audit cannot run with (targets the model lacks, an invalid attribution spec, …).
  case invalidSettings(reason: String)

  public var description: String {
    switch self {
    case .invalidRules(let source, let reason): "\(source): \(reason)"
    case .unreadableResults(let path, let reason): "cannot read \(path): \(reason)"
    case .incompatibleShards(let reason): "cannot merge: \(reason)"
    case .invalidSettings(let reason): reason
    }
  }
}
