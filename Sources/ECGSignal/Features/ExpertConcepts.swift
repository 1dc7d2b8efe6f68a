/// The paper's expert concepts as booleans per record, computed from `ECGFeatures` (amplitudes
/// in mV from the median beat). Definitions (Wagner et al. 2024, addons/concepts.csv; see
/// docs/features.md for the choices made where the criteria leave room):
///
/// - `RS-LVH`: R or |S| in any limb lead ≥ 2.0 mV · `S12-LVH`: |S| in V1 or V2 ≥ 3.0 mV ·
///   `R56-LVH`: R in V5 or V6 ≥ 3.0 mV (Romhilt–Estes amplitude criteria)
/// - `QRS-LVH`: QRS ≥ 90 ms · `LI-LVH`: Lewis index ≥ 1.7 mV · `SLI-LVH`: Sokolow-Lyon ≥ 3.5 mV
/// - `QRS-CLBBB`: QRS ≥ 120 ms
/// - `ST-ELEV-MI`: J-point elevation ≥ 0.1 mV in ≥ 2 leads of one contiguous group, in V2–V3
///   ≥ 0.2 mV (men) / ≥ 0.15 mV (women; men's threshold when sex is unknown)
/// - `ST-DEPR-MI`: ST at J + 60 ms ≤ −0.05 mV and horizontal or downsloping (ST(J+60) − ST(J)
///   ≤ 0.01 mV) in ≥ 2 leads of one contiguous group
/// - `MI-QPeak`: Q ≥ 30 ms and ≥ 0.1 mV deep, or QS, in ≥ 2 leads of one group restricted to
///   I, II, aVL, aVF, V4–V6 · `MI-V2V3`: Q ≥ 20 ms or QS in V2 or V3 · `MI-RPeak`: R ≥ 40 ms in
///   V1 or V2 with R/|S| ≥ 1 and a positive T · `MI-All`: any of the three
/// - `Sex`: female · `Age75`: age ≥ 75 (false when unknown)
///
/// Contiguous groups: inferior II/III/aVF; lateral I/aVL/V5/V6; septal/anterior V1–V4.
public enum ExpertConcepts {
  /// Concept names in the paper's order.
  public static let names = [
    "RS-LVH", "S12-LVH", "R56-LVH", "QRS-LVH", "LI-LVH", "SLI-LVH", "QRS-CLBBB", "ST-ELEV-MI", "ST-DEPR-MI",
    "MI-QPeak", "MI-V2V3", "MI-RPeak", "MI-All", "Sex", "Age75",
  ]

  /// Contiguous lead groups (upper-case names).
  public static let contiguousGroups = [["II", "III", "AVF"], ["I", "AVL", "V5", "V6"], ["V1", "V2", "V3", "V4"]]

  /// The concepts of one record; `female` and `age` come from the dataset's metadata when known.
  public static func evaluate(_ f: ECGFeatures, female: Bool?, age: Double?) -> [String: Bool] {
    func lead(_ name: String) -> LeadAmplitudes? { f.lead(name) }
    func anyLead(_ names: [String], _ test: (LeadAmplitudes) -> Bool) -> Bool { names.contains { lead($0).map(test) ?? false } }
    func twoContiguous(restrictedTo allowed: Set<String>? = nil, _ test: (String, LeadAmplitudes) -> Bool) -> Bool {
      contiguousGroups.contains { group in
        group.filter { name in (allowed?.contains(name) ?? true) && (lead(name).map { test(name, $0) } ?? false) }.count >= 2
      }
    }
    let isQS = { (a: LeadAmplitudes) in a.r == 0 && a.q < 0 }
    var c: [String: Bool] = [:]
    c["RS-LVH"] = anyLead(["I", "II", "III", "AVR", "AVL", "AVF"]) { $0.r >= 2.0 || -$0.s >= 2.0 }
    c["S12-LVH"] = anyLead(["V1", "V2"]) { -$0.s >= 3.0 }
    c["R56-LVH"] = anyLead(["V5", "V6"]) { $0.r >= 3.0 }
    c["QRS-LVH"] = f.qrsMs >= 90
    c["LI-LVH"] = (f.lewisIndexMv ?? 0) >= 1.7
    c["SLI-LVH"] = (f.sokolowLyonMv ?? 0) >= 3.5
    c["QRS-CLBBB"] = f.qrsMs >= 120
    c["ST-ELEV-MI"] = twoContiguous { name, a in
      let threshold = (name == "V2" || name == "V3") ? (female == true ? 0.15 : 0.2) : 0.1
      return a.j >= threshold
    }
    c["ST-DEPR-MI"] = twoContiguous { _, a in a.st <= -0.05 && a.st - a.j <= 0.01 }
    c["MI-QPeak"] = twoContiguous(restrictedTo: ["I", "II", "AVL", "AVF", "V4", "V5", "V6"]) { _, a in
      isQS(a) || (a.qDurationMs >= 30 && -a.q >= 0.1)
    }
    c["MI-V2V3"] = anyLead(["V2", "V3"]) { isQS($0) || ($0.q < 0 && $0.qDurationMs >= 20) }
    c["MI-RPeak"] = anyLead(["V1", "V2"]) { a in
      a.rDurationMs >= 40 && a.r >= -a.s && (a.t ?? 0) > 0
    }
    c["MI-All"] = c["MI-QPeak"]! || c["MI-V2V3"]! || c["MI-RPeak"]!
    c["Sex"] = female == true
    c["Age75"] = (age ?? 0) >= 75
    return c
  }
}
