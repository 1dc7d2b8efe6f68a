import ECGTensor

/// How attributions [N, leads, T] are scaled after they are computed, record by record.
///
/// Relevance is in the method's own units — output per mV for gradients, output units for IG,
/// LRP and occlusion — and its magnitude varies between records and models. Comparing maps
/// across records (plots, cluster representations) often wants them on one scale; quantitative
/// checks (completeness, conservation, Captum/Zennit agreement) want them raw.
public enum AttributionNormalisation: String, CaseIterable, Codable, Sendable {
  /// Raw relevance, as the method computes it (Captum's and Zennit's output).
  case none
  /// Each record divided by its largest |relevance| over leads and time: values in [−1, 1],
  /// the record's largest magnitude ±1 (Captum's `visualization` "absolute value" scaling).
  case maxAbs = "max-abs"
  /// Each lead of each record divided by that lead's largest |relevance|: every lead spans
  /// [−1, 1], so a lead with little relevance is shown as clearly as the strongest.
  case perLead = "per-lead"

  /// `values` [N, leads, T] scaled as this normalisation says. Records (or leads) whose
  /// relevance is all zero stay zero.
  public func apply(_ values: Tensor) -> Tensor {
    precondition(values.rank == 3, "attributions are [N, leads, T]; got \(values.shape)")
    let (records, leads, length) = (values.shape[0], values.shape[1], values.shape[2])
    var result = values
    switch self {
    case .none: return values
    case .maxAbs: Self.scale(&result.scalars, blocks: records, length: leads * length)
    case .perLead: Self.scale(&result.scalars, blocks: records * leads, length: length)
    }
    return result
  }

  /// Divides each consecutive block of `length` scalars by its largest magnitude (if not 0).
  private static func scale(_ scalars: inout [Float], blocks: Int, length: Int) {
    for b in 0..<blocks {
      let range = (b * length)..<((b + 1) * length)
      let largest = scalars[range].reduce(Float(0)) { max($0, abs($1)) }
      guard largest > 0 else { continue }
      for i in range { scalars[i] /= largest }
    }
  }
}
