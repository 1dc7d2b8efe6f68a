import Foundation

/// A finding known to be in (or only labelled on) a record, from a source of ground truth.
public struct TruthFinding: Sendable, Equatable {
  /// SCP code of the finding, e.g. `IMI`.
  public var code: String
  /// Severity 0…1 (nil when unknown, e.g. a spurious label).
  public var severity: Double?
  /// Subtype below the code, e.g. `ASMI/old/poor-r-progression` (empty when none is known).
  public var subtype: String
  /// Whether the finding is among the record's labels (`scp_codes`).
  public var labelled: Bool
  /// Whether the finding is really in the signal (false: a label without a finding).
  public var planted: Bool

  /// A finding.
  public init(code: String, severity: Double?, subtype: String, labelled: Bool, planted: Bool) {
    (self.code, self.severity, self.subtype, self.labelled, self.planted) = (code, severity, subtype, labelled, planted)
  }
}

/// Ground truth about records beyond their labels: which findings each record really has, where
/// each finding's evidence lies (lead and time), and the true per-beat fiducials. The analyses
/// (audit, sanity's localisation, discovery's truth scores, explain's relevance mass) read truth
/// only through this protocol, so any annotated source can provide it; the phantom's `truth/`
/// folder is the one that does today (`PhantomTruth` in ECGPhantom).
public protocol RecordTruth: Sendable {
  /// Findings per ecg_id (records without an entry have none known).
  var findings: [Int: [TruthFinding]] { get }
  /// Evidence intervals per ecg_id and finding code: lead index (0…11, the standard order
  /// I … V6), start and end in seconds from the record's start.
  var evidence: [Int: [String: [(lead: Int, start: Double, end: Double)]]] { get }
  /// The first finding of a record that is both planted and labelled and that a classifier with
  /// classes `classIndex` (name → output index) can be asked about: its code and the output
  /// index of the code or of a class above it; nil when the record has none.
  func plantedClass(ecgID: Int, classIndex: [String: Int]) -> (code: String, target: Int)?
  /// The true per-beat fiducials of the records `ecgIDs` (all when nil) at `rate` Hz, in seconds
  /// from each record's start.
  func fiducials(rate: Int, ecgIDs: Set<Int>?) throws -> [Int: [WaveFiducials]]
}

extension RecordTruth {
  /// The evidence mask of one finding in one record: [12, samples] (row-major) with 1 where the
  /// finding lives, sampled at `rate` Hz (a sample is inside when its time lies in an interval).
  public func evidenceMask(ecgID: Int, finding: String, rate: Double, samples: Int) -> [Float] {
    var mask = [Float](repeating: 0, count: 12 * samples)
    for (lead, start, end) in evidence[ecgID]?[finding] ?? [] {
      let first = max(0, Int((start * rate).rounded(.up)))
      let last = min(samples, Int((end * rate).rounded(.up)))
      if first < last { for n in first..<last { mask[lead * samples + n] = 1 } }
    }
    return mask
  }
}
