/// Noise and electrode settings of one phantom record.
public struct PhantomNoise: Sendable, Codable, Equatable {
  /// Baseline wander amplitude per electrode, mV (sinusoids of 0.05–0.5 Hz plus respiration).
  public var baselineMv: Double
  /// EMG-like broadband noise, standard deviation per electrode at 500 Hz, mV.
  public var emgMv: Double
  /// Mains interference amplitude per electrode, mV.
  public var mainsMv: Double
  /// Gain of each electrode (RA, LA, LL, V1…V6) relative to 1: contact differences.
  public var electrodeGains: [Double]

  /// Creates a noise setting.
  public init(baselineMv: Double, emgMv: Double, mainsMv: Double, electrodeGains: [Double]) {
    precondition(electrodeGains.count == 9, "PhantomNoise: 9 electrode gains (RA, LA, LL, V1–V6)")
    self.baselineMv = baselineMv
    self.emgMv = emgMv
    self.mainsMv = mainsMv
    self.electrodeGains = electrodeGains
  }

  /// No noise, unit gains.
  public static let clean = PhantomNoise(baselineMv: 0, emgMv: 0, mainsMv: 0, electrodeGains: .init(repeating: 1, count: 9))
}

/// Everything drawn for one phantom record before rendering: demographics, rhythm, intervals,
/// axis, voltages, planted findings and noise. Rendering a spec is deterministic.
public struct PhantomRecordSpec: Sendable, Codable, Equatable {
  /// PTB-XL `ecg_id` (1-based).
  public var ecgID: Int
  /// PTB-XL `patient_id`.
  public var patientID: Int
  /// Age in years.
  public var age: Int
  /// Sex as PTB-XL codes it: 0 male, 1 female.
  public var sex: Int
  /// Height, cm.
  public var heightCm: Double
  /// Weight, kg.
  public var weightKg: Double
  /// Mean heart rate, beats per minute.
  public var heartRateBpm: Double
  /// Beat-to-beat RR variability (relative standard deviation; AFIB ≈ 0.2).
  public var rrVariability: Double
  /// PR interval (P onset → QRS onset) without AV block, ms.
  public var normalPRMs: Double
  /// PR interval as planted (longer with 1AVB), ms.
  public var prMs: Double
  /// P-wave duration, ms.
  public var pDurationMs: Double
  /// QRS duration without bundle-branch block or hypertrophy, ms.
  public var qrsMs: Double
  /// Heart-rate-corrected QT (Framingham: QTc = QT + 154 ms · (1 − RR/s)), ms.
  public var qtcMs: Double
  /// Deviation of the frontal-plane axis from the model's default (+53°), degrees (+ = rightward).
  public var frontalAxisShiftDeg: Double
  /// Rotation about the vertical axis, degrees (+ = leftward forces turn posterior).
  public var horizontalRotationDeg: Double
  /// Scale of QRS voltages (body habitus, sex, age).
  public var qrsScale: Double
  /// Scale of P-wave voltages.
  public var pScale: Double
  /// Scale of T-wave voltages.
  public var tScale: Double
  /// Planted findings.
  public var findings: [PhantomFinding: FindingDetail]
  /// Unlabelled benign normal variants with their strength 0…1 (hidden confounders, docs/phantom.md):
  /// `early-repolarisation` (anterior J/ST elevation), `juvenile-t` (T inversion V1–V3),
  /// `low-t` (flat T waves), `high-voltage` (tall QRS of young, slim men).
  public var benignVariants: [String: Double]
  /// Label noise of the other kind: diagnostic codes written to `scp_codes` although nothing was
  /// planted (code → likelihood); listed in `truth/findings.csv` with `planted = 0`.
  public var spuriousLabels: [String: Double]
  /// Noise and electrode gains.
  public var noise: PhantomNoise

  /// The codes written to `scp_codes` with their likelihoods, in PTB-XL's style: labelled
  /// diagnostic findings (or `NORM` when there are none), then one rhythm statement.
  public var scpCodes: [(code: String, likelihood: Double)] {
    var codes: [(String, Double)] = []
    for (finding, detail) in findings.sorted(by: { $0.key < $1.key })
    where finding != .afib && detail.labelled {
      codes.append((finding.rawValue, detail.likelihood))
    }
    for (code, likelihood) in spuriousLabels.sorted(by: { $0.key < $1.key }) where !codes.contains(where: { $0.0 == code }) {
      codes.append((code, likelihood))
    }
    if codes.isEmpty { codes.append(("NORM", 100)) }
    if findings[.afib] != nil {
      codes.append(("AFIB", 0))
    } else if heartRateBpm < 60 {
      codes.append(("SBRAD", 0))
    } else if heartRateBpm > 100 {
      codes.append(("STACH", 0))
    } else {
      codes.append(("SR", 0))
    }
    return codes
  }

  /// The labelled superclasses, sorted ("NORM" when no diagnostic finding is labelled).
  public var labelledSuperclasses: [String] {
    let classes = Set(findings.filter { $0.value.labelled }.compactMap { $0.key.superclass })
      .union(spuriousLabels.keys.compactMap { PhantomFinding(rawValue: $0)?.superclass })
    return classes.isEmpty ? ["NORM"] : classes.sorted()
  }
}
