import ECGSignal

/// The paper's 24 soft-segmentation classes of a heartbeat (../docs/audit.md): twelve fiducial
/// points and the twelve intervals between them, in the order of a beat. Raw values are the
/// paper's labels (its `deli_map`, 1-based there, 0-based here).
public enum SegmentClass: Int, CaseIterable, Sendable, Codable, Comparable {
  case pOnset = 0, pRise, pPeak, pFall, pOffset, pq
  case qrsOnset, qDown, qPeak, qr, rPeak, rs, sPeak, sUp, qrsOffset, qj, jPoint, jt
  case tOnset, tRise, tPeak, tFall, tOffset, tp

  /// The paper's label, e.g. `P-Onset`, `(p`, `qr`, `J-point`.
  public var label: String {
    [
      "P-Onset", "(p", "P-Peak", "p)", "P-Offset", "pq", "QRS-Onset", "(q", "Q-Peak", "qr", "R-Peak", "rs",
      "S-Peak", "q)", "QRS-Offset", "qj", "J-point", "jt", "T-Onset", "(t", "T-Peak", "t)", "T-Offset", "tp",
    ][rawValue]
  }

  /// Whether the class is a fiducial point (a short window around it) rather than an interval.
  public var isPoint: Bool { rawValue % 2 == 0 }

  /// The coarse segment the class belongs to.
  public var coarse: CoarseSegment {
    switch self {
    case .pOnset, .pRise, .pPeak, .pFall, .pOffset: .p
    case .pq: .pq
    case .qrsOnset, .qDown, .qPeak, .qr, .rPeak, .rs, .sPeak, .sUp, .qrsOffset: .qrs
    case .qj, .jPoint, .jt: .st
    case .tOnset, .tRise, .tPeak, .tFall, .tOffset: .t
    case .tp: .tp
    }
  }

  /// Parses a paper label (`R-Peak`) or a case name (`rPeak`), case-insensitively.
  public init?(label: String) {
    let key = label.lowercased()
    guard let match = Self.allCases.first(where: { $0.label.lowercased() == key || "\($0)".lowercased() == key }) else { return nil }
    self = match
  }

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The coarse view of a beat: P wave, PQ segment, QRS complex, ST segment, T wave, TP segment.
public enum CoarseSegment: String, CaseIterable, Sendable, Codable {
  case p = "P", pq = "PQ", qrs = "QRS", st = "ST", t = "T", tp = "TP"

  /// The fine classes that make up this segment.
  public var classes: [SegmentClass] { SegmentClass.allCases.filter { $0.coarse == self } }
}

/// A cell of the audit map: one lead × one segment class.
public struct AuditCell: Hashable, Sendable, Comparable {
  /// Lead index 0…11 in PTB-XL order (I, II, III, aVR, aVL, aVF, V1…V6).
  public var lead: Int
  /// Segment class.
  public var segment: SegmentClass

  /// Creates a cell.
  public init(lead: Int, segment: SegmentClass) {
    self.lead = lead
    self.segment = segment
  }

  /// Flat index lead × 24 + segment, the layout of every [12 × 24] map in ECGAudit.
  public var index: Int { lead * SegmentClass.allCases.count + segment.rawValue }

  /// The cell at a flat index.
  public init(index: Int) {
    self.init(lead: index / SegmentClass.allCases.count, segment: SegmentClass(rawValue: index % SegmentClass.allCases.count)!)
  }

  /// `V1 R-Peak` style name.
  public var name: String { "\(AuditLeads.names[lead]) \(segment.label)" }

  public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

/// The 12 standard leads in PTB-XL order, as the audit names them.
public enum AuditLeads {
  /// I, II, III, aVR, aVL, aVF, V1…V6.
  public static let names = FeatureTable.leadNames
  /// Number of cells of a map (12 leads × 24 classes).
  public static let cellCount = 12 * SegmentClass.allCases.count

  /// The lead index of a name (case-insensitive; `AVL` and `aVL` both work).
  public static func index(of name: String) -> Int? {
    names.firstIndex { $0.lowercased() == name.lowercased() }
  }
}

/// The resolution of an audit map: the paper's 24 classes per lead, or the coarse 6 segments.
public enum AuditView: String, Sendable, Codable, CaseIterable {
  case fine, coarse

  /// Segments per lead (24 or 6).
  public var segmentCount: Int { self == .fine ? SegmentClass.allCases.count : CoarseSegment.allCases.count }
  /// Cells of a map (12 × segments).
  public var cellCount: Int { 12 * segmentCount }

  /// The label of segment `index` (`R-Peak` or `QRS`).
  public func segmentLabel(_ index: Int) -> String {
    self == .fine ? SegmentClass(rawValue: index)!.label : CoarseSegment.allCases[index].rawValue
  }

  /// `V1 R-Peak` / `V1 QRS`: the name of cell `index`.
  public func cellName(_ index: Int) -> String {
    "\(AuditLeads.names[index / segmentCount]) \(segmentLabel(index % segmentCount))"
  }

  /// This view's cell holding fine cell `index`.
  public func cell(ofFine index: Int) -> Int {
    guard self == .coarse else { return index }
    let fine = AuditCell(index: index)
    return fine.lead * segmentCount + CoarseSegment.allCases.firstIndex(of: fine.segment.coarse)!
  }
}
