import ECGAudit
import Foundation
import Yams

extension ExpertRules {
  /// Parses a rules file.
  public init(yaml: String, source: String = "rules") throws {
    let specs: [String: RuleSpec]
    do {
      specs = try YAMLDecoder().decode([String: RuleSpec].self, from: yaml)
    } catch {
      throw AuditError.invalidRules(source: source, reason: "not a mapping of CONDITION → {criteria, cells: [{leads, segments}]}: \(error)")
    }
    try self.init(specs: specs, source: source)
  }

  /// The built-in rules.
  public static var builtIn: ExpertRules { try! ExpertRules(yaml: defaultYAML, source: "built-in rules") }

  /// The built-in rules file: the cardiology criteria the paper compares its glocal maps with.
  public static let defaultYAML = """
    # ecgxai expert rules: where the ECG criteria of each condition live, lead × segment.
    # Segments: P, PQ, QRS, ST, T, TP or the paper's 24 class labels (P-Onset, (p, P-Peak, p),
    # P-Offset, pq, QRS-Onset, (q, Q-Peak, qr, R-Peak, rs, S-Peak, q), QRS-Offset, qj, J-point,
    # jt, T-Onset, (t, T-Peak, t), T-Offset, tp). Leads: I II III aVR aVL aVF V1…V6 or all.
    # Condition names must match the model's class names (PTB-XL SCP codes or subclasses).
    LVH:
      criteria: QRS voltage criteria (Sokolow-Lyon S V1/V2 + R V5/V6, Cornell R aVL + S V3, Lewis, Romhilt-Estes limb-lead R/S)
      cells:
        - leads: [V1, V2, V5, V6, aVL, I]
          segments: [QRS]
    CLBBB:
      criteria: QRS ≥ 120 ms, broad notched R in I/aVL/V5/V6, deep broad S (QS) in V1, discordant ST-T
      cells:
        - leads: [I, aVL, V1, V5, V6]
          segments: [QRS, ST, T]
    CRBBB:
      criteria: QRS ≥ 120 ms, rsR' in V1/V2, wide slurred S in I/aVL/V5/V6
      cells:
        - leads: [V1, V2, I, aVL, V5, V6]
          segments: [QRS]
    1AVB:
      criteria: PR interval > 200 ms
      cells:
        - leads: [all]
          segments: [PQ]
    IMI:
      criteria: pathological Q waves and ST-T changes in the inferior leads
      cells:
        - leads: [II, III, aVF]
          segments: [QRS, ST]
    ILMI:
      criteria: Q waves and ST-T changes in inferior and lateral leads
      cells:
        - leads: [II, III, aVF, I, aVL, V5, V6]
          segments: [QRS, ST]
    ASMI:
      criteria: Q/QS and poor R progression in V1-V4 (septal/anterior), ST changes there
      cells:
        - leads: [V1, V2, V3, V4]
          segments: [QRS, ST]
    AMI:
      criteria: Q waves, ST elevation and T changes in V1-V4
      cells:
        - leads: [V1, V2, V3, V4]
          segments: [QRS, ST]
    ALMI:
      criteria: Q waves and ST-T changes in I, aVL, V3-V6
      cells:
        - leads: [I, aVL, V3, V4, V5, V6]
          segments: [QRS, ST]
    LMI:
      criteria: Q waves and ST-T changes in the lateral leads
      cells:
        - leads: [I, aVL, V5, V6]
          segments: [QRS, ST]
    # PTB-XL superclasses: the union of their members' criteria.
    HYP:
      criteria: as LVH (the phantom's and most of PTB-XL's hypertrophy records are LVH)
      cells:
        - leads: [V1, V2, V5, V6, aVL, I]
          segments: [QRS]
    MI:
      criteria: Q waves and ST-T changes in the infarct territory (inferior, anterior, lateral)
      cells:
        - leads: [I, II, III, aVL, aVF, V1, V2, V3, V4, V5, V6]
          segments: [QRS, ST]
    CD:
      criteria: conduction disturbances - QRS width and morphology, PR interval
      cells:
        - leads: [all]
          segments: [QRS, PQ]
    STTC:
      criteria: ST-segment and T-wave changes
      cells:
        - leads: [all]
          segments: [ST, T]
    """
}
