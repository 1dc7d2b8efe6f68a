/// One multi-lead ECG recording: physical samples in **millivolts**, laid out
/// **[leads, samples]** (row-major: all samples of lead 0, then lead 1, …), with its sampling rate.
///
/// Standard 12-lead order (PTB-XL, the paper): I, II, III, aVR, aVL, aVF, V1–V6.
public struct ECGRecord: Sendable, Equatable {
  /// Record name (e.g. `00001_lr` for PTB-XL), without directory or extension.
  public var name: String
  /// Lead names, one per row of `samples` (e.g. `["I", "II", …, "V6"]`).
  public var leadNames: [String]
  /// Sampling rate in Hz (samples per second per lead).
  public var samplingRateHz: Double
  /// Samples in mV, row-major [leads, sampleCount].
  public var samples: [Float]
  /// Physical unit of the samples as written in WFDB headers (default `mV`).
  public var units: [String]

  /// The number of leads.
  public var leadCount: Int { leadNames.count }
  /// The number of samples per lead.
  public var sampleCount: Int { leadNames.isEmpty ? 0 : samples.count / leadNames.count }
  /// Duration in seconds.
  public var durationSeconds: Double { Double(sampleCount) / samplingRateHz }

  /// The standard 12 lead names in PTB-XL order and spelling (`Lead.recordNames`).
  public static let standardLeadNames = Lead.recordNames

  /// Creates a record.
  ///
  /// - Precondition: `samples.count` is a multiple of `leadNames.count`, the rate is positive,
  ///   and `units` is empty (all mV) or has one entry per lead.
  public init(
    name: String, leadNames: [String], samplingRateHz: Double, samples: [Float],
    units: [String] = []
  ) {
    precondition(samplingRateHz > 0, "ECGRecord: sampling rate must be positive")
    precondition(
      leadNames.isEmpty ? samples.isEmpty : samples.count % leadNames.count == 0,
      "ECGRecord: \(samples.count) samples do not divide into \(leadNames.count) leads")
    precondition(units.isEmpty || units.count == leadNames.count, "ECGRecord: units per lead")
    self.name = name
    self.leadNames = leadNames
    self.samplingRateHz = samplingRateHz
    self.samples = samples
    self.units = units.isEmpty ? [String](repeating: "mV", count: leadNames.count) : units
  }

  /// The samples of one lead (mV).
  public func lead(_ index: Int) -> ArraySlice<Float> {
    let n = sampleCount
    return samples[(index * n)..<((index + 1) * n)]
  }
}
