import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

/// Where the beats and waves of each record come from.
public enum SegmentationSource: Sendable {
  /// ECGSignal's delineation (per-lead fiducials of each lead's median beat, moved to every beat).
  case delineation
  /// Given per-beat fiducials per ecg_id (a source of truth's: `RecordTruth.fiducials`, the
  /// phantom's `PhantomTruth`), the same for every lead.
  case fiducials([Int: [WaveFiducials]])

  /// `delineation` or `truth`, as stored in the settings.
  public var name: String {
    switch self {
    case .delineation: "delineation"
    case .fiducials: "truth"
    }
  }
}

/// Attributes records to target classes and aggregates the relevance per lead × segment cell.
public struct RecordAuditor: Sendable {
  /// The model.
  public var model: Model
  /// The attribution method.
  public var method: any AttributionMethod
  /// Beats and waves.
  public var segmentation: SegmentationSource
  /// Ground truth (evidence per cell; the phantom's `PhantomTruth`); nil for real data.
  public var truth: (any RecordTruth)?
  /// Sampling rate in Hz.
  public var rate: Double
  /// Point half-width and J-point delay in seconds (`SoftSegmentation`, `BeatLandmarks`).
  public var pointHalfWidth: Double, jPointDelay: Double

  /// Creates an auditor.
  public init(
    model: Model, method: any AttributionMethod, segmentation: SegmentationSource, truth: (any RecordTruth)?, rate: Double,
    pointHalfWidth: Double = 0.02, jPointDelay: Double = 0.06
  ) {
    self.model = model
    self.method = method
    self.segmentation = segmentation
    self.truth = truth
    self.rate = rate
    self.pointHalfWidth = pointHalfWidth
    self.jPointDelay = jPointDelay
  }

  /// The soft segmentation of one record [12, T] (lead-major samples, mV); nil when the record
  /// cannot be delineated (flat or missing leads, no beats) or has no fiducials.
  public func segmentation(of samples: [Float], ecgID: Int) -> SoftSegmentation? {
    let leads = 12, t = samples.count / leads
    let perLead: [[WaveFiducials]]
    switch segmentation {
    case .fiducials(let table):
      guard let beats = table[ecgID], !beats.isEmpty else { return nil }
      perLead = Array(repeating: beats, count: leads)
    case .delineation:
      let record = ECGRecord(name: "\(ecgID)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: rate, samples: samples)
      guard let d = try? Delineator().delineate(record), !d.beats.isEmpty else { return nil }
      perLead = (0..<leads).map { d.beats(lead: $0) ?? d.beats }
    }
    let landmarks = samples.withUnsafeBufferPointer { all in
      perLead.enumerated().map { lead, beats in
        let signal = UnsafeBufferPointer(rebasing: all[(lead * t)..<((lead + 1) * t)])
        return beats.map { BeatLandmarks(fiducials: $0, lead: signal, rate: rate, jPointDelay: jPointDelay) }
      }
    }
    return SoftSegmentation(landmarks: landmarks, sampleCount: t, rate: rate, pointHalfWidth: pointHalfWidth)
  }

  /// Audits a batch: `requests[i]` lists the class indices record i is attributed to. Returns one
  /// item per (record, class) whose record could be segmented, and the ecg_ids that could not.
  /// Each (record, class) pair is attributed on its own (a batch of one), so its numbers never
  /// depend on which other records or classes were requested — shards give the same bytes as one
  /// run.
  public func audit(batch: Tensor, ecgIDs: [Int], requests: [[Int]]) throws -> (items: [AuditItem], unsegmented: [Int]) {
    precondition(batch.rank == 3 && batch.shape[0] == ecgIDs.count && requests.count == ecgIDs.count, "audit: shapes")
    let (n, leads, t) = (batch.shape[0], batch.shape[1], batch.shape[2])
    precondition(leads == 12, "audit: 12-lead records expected")
    let classes = model.architecture.classNames ?? (0..<model.architecture.classes).map(String.init)
    var segmentations = [SoftSegmentation?](repeating: nil, count: n)
    segmentations.withUnsafeMutableBufferPointer { out in
      let pointer = SendablePointer(out.baseAddress!)
      parallelFor(n) { i in
        let samples = Array(batch.scalars[(i * leads * t)..<((i + 1) * leads * t)])
        pointer.pointer[i] = self.segmentation(of: samples, ecgID: ecgIDs[i])
      }
    }
    var items: [AuditItem] = []
    var unsegmented: [Int] = []
    for i in 0..<n {
      guard let segmentation = segmentations[i] else { unsegmented.append(ecgIDs[i]); continue }
      guard !requests[i].isEmpty else { continue }
      let record = batch.slice(i..<(i + 1))
      for target in requests[i] {
        let values = try method.attribute(model, input: record, targets: [target]).values.scalars
        let relevance = values.withUnsafeBufferPointer { CellRelevance(attribution: $0, segmentation: segmentation) }
        var evidence: [Float]? = nil
        if let truth {
          let mask = Self.evidenceMask(truth, ecgID: ecgIDs[i], className: classes[target], rate: rate, samples: t)
          let coverage = mask.withUnsafeBufferPointer { CellRelevance(attribution: $0, segmentation: segmentation) }
          evidence = zip(coverage.absolute, coverage.support).map { $1 > 0 ? $0 / $1 : 0 }
        }
        items.append(AuditItem(ecgID: ecgIDs[i], target: classes[target], relevance: relevance, evidence: evidence))
      }
    }
    return (items, unsegmented)
  }

  /// The true evidence of a model class in one record [12, T]: the union of the masks of the
  /// record's planted findings whose SCP code, subclass or superclass is the class (so `MI` or
  /// `AMI` gather ASMI, AMI, ALMI, … as PTB-XL's aggregation does).
  static func evidenceMask(_ truth: any RecordTruth, ecgID: Int, className: String, rate: Double, samples: Int) -> [Float] {
    var mask = [Float](repeating: 0, count: 12 * samples)
    for finding in truth.findings[ecgID] ?? [] where finding.planted {
      guard TruthFinding.code(finding.code, belongsTo: className) else { continue }
      let own = truth.evidenceMask(ecgID: ecgID, finding: finding.code, rate: rate, samples: samples)
      for k in mask.indices where own[k] > 0 { mask[k] = 1 }
    }
    return mask
  }
}
