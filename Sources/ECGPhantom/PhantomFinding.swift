import ECGSignal
/// A condition the phantom can plant in a record, named by its PTB-XL SCP code.
///
/// Diagnostic findings map to PTB-XL's superclasses (NORM/MI/STTC/CD/HYP) and subclasses through
/// PTB-XL's `scp_statements.csv` (shipped as `SCPStatements.csv`); AFIB is a rhythm statement.
public enum PhantomFinding: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable, Comparable {
  /// Left ventricular hypertrophy: QRS voltage at graded severity, optional strain ST-T.
  case lvh = "LVH"
  /// Complete left bundle branch block: QRS ≥ 120 ms, broad notched R in I/aVL/V5/V6, QS in V1, discordant ST-T.
  case clbbb = "CLBBB"
  /// Complete right bundle branch block: QRS ≥ 120 ms, terminal R′ in V1, broad S in I/V6.
  case crbbb = "CRBBB"
  /// First-degree AV block: PR > 200 ms.
  case firstDegreeAVBlock = "1AVB"
  /// Non-diagnostic T abnormalities (flat or inverted T in lateral leads).
  case nonDiagnosticT = "NDT"
  /// Non-specific ST changes (mild ST depression).
  case nonSpecificST = "NST_"
  /// Non-specific ischemic ST-T changes (ST depression with T inversion).
  case ischemic = "ISC_"
  /// Inferior MI (II, III, aVF).
  case imi = "IMI"
  /// Inferolateral MI (II, III, aVF, V5, V6).
  case ilmi = "ILMI"
  /// Anteroseptal MI (V1–V3).
  case asmi = "ASMI"
  /// Anterior MI (V2–V4).
  case ami = "AMI"
  /// Anterolateral MI (I, aVL, V4–V6).
  case almi = "ALMI"
  /// Lateral MI (I, aVL, V5, V6).
  case lmi = "LMI"
  /// Atrial fibrillation: no P waves, irregular RR, fibrillatory baseline.
  case afib = "AFIB"

  public static func < (a: PhantomFinding, b: PhantomFinding) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }

  /// Whether the finding is a myocardial infarction.
  public var isInfarction: Bool {
    switch self {
    case .imi, .ilmi, .asmi, .ami, .almi, .lmi: true
    default: false
    }
  }

  /// PTB-XL superclass (`diagnostic_class`), or nil for rhythm statements
  /// (`TruthFinding.ptbxlParents`, the one table of the planted codes' classes).
  public var superclass: String? { TruthFinding.ptbxlParents[rawValue]?.superclass }

  /// PTB-XL subclass (`diagnostic_subclass`), or nil for rhythm statements
  /// (`TruthFinding.ptbxlParents`).
  public var subclass: String? { TruthFinding.ptbxlParents[rawValue]?.subclass }

  /// Whether the finding belongs to a model class: its SCP code, subclass or superclass is
  /// `className` (as PTB-XL aggregates labels, so `MI` or `AMI` hold ASMI, AMI, ALMI, …).
  public func belongs(to className: String) -> Bool {
    rawValue == className || subclass == className || superclass == className
  }

  /// The unit vector pointing from the heart's centre to the infarct (Frank coordinates), for MIs.
  /// Q waves point away from it, acute ST elevation towards it.
  public var infarctDirection: HeartVector? {
    let v: HeartVector
    switch self {
    case .imi: v = HeartVector(0, 1, 0.1)
    case .ilmi: v = HeartVector(0.65, 0.75, 0.1)
    case .asmi: v = HeartVector(-0.25, 0.05, -1)
    case .ami: v = HeartVector(0.35, 0.05, -1)
    case .almi: v = HeartVector(0.75, -0.15, -0.65)
    case .lmi: v = HeartVector(1, -0.45, 0.15)
    default: return nil
    }
    return v / (v * v).sum().squareRoot()
  }
}

/// The stage of a planted infarction — hidden: it appears in no label, only in `truth/`.
public enum InfarctStage: String, Sendable, Codable, CaseIterable {
  /// ST elevation towards the infarct, hyperacute T, small Q.
  case acute
  /// Pathological Q waves and R loss, T inverted or normal, no ST elevation.
  case old
}

/// How one planted finding looks in one record.
public struct FindingDetail: Sendable, Equatable, Codable {
  /// Strength 0…1 (LVH voltage, MI Q depth and ST, ST-T size); low values are borderline.
  public var severity: Double
  /// Infarct stage (MIs only; hidden).
  public var stage: InfarctStage?
  /// Hidden morphological variant (e.g. ASMI `septal-qs` vs `poor-r-progression`), if any.
  public var variant: String?
  /// LVH with strain ST-T pattern.
  public var strain: Bool
  /// Whether the finding is written to `scp_codes` (false when label noise dropped it).
  public var labelled: Bool
  /// The likelihood written to `scp_codes` (PTB-XL's 0/15/35/50/80/100).
  public var likelihood: Double

  /// Creates a finding detail.
  public init(
    severity: Double, stage: InfarctStage? = nil, variant: String? = nil, strain: Bool = false,
    labelled: Bool = true, likelihood: Double = 100
  ) {
    self.severity = severity
    self.stage = stage
    self.variant = variant
    self.strain = strain
    self.labelled = labelled
    self.likelihood = likelihood
  }
}
