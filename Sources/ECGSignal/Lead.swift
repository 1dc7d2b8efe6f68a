/// The 12 standard leads of the resting ECG, in the standard order (PTB-XL's, PhysioNet's and the
/// arrays' lead axis): I, II, III, aVR, aVL, aVF, V1 … V6 — the one lead vocabulary of ecgxai.
public enum Lead: Int, CaseIterable, Sendable, Codable {
  case i, ii, iii, aVR, aVL, aVF, v1, v2, v3, v4, v5, v6

  /// The name as clinicians and features.csv's columns write it: `I`, `II`, `III`, `aVR`, `aVL`,
  /// `aVF`, `V1` … `V6`.
  public var name: String {
    switch self {
    case .i: "I"
    case .ii: "II"
    case .iii: "III"
    case .aVR: "aVR"
    case .aVL: "aVL"
    case .aVF: "aVF"
    default: "V\(rawValue - 5)"
    }
  }

  /// The name as PTB-XL's WFDB headers spell it (upper case): `I` … `AVR`, `AVL`, `AVF` … `V6`;
  /// `ECGRecord.standardLeadNames`, into which the WFDB reader maps every spelling.
  public var recordName: String { name.uppercased() }

  /// Every lead's `name`, in the standard order.
  public static let names = allCases.map(\.name)
  /// Every lead's `recordName`, in the standard order.
  public static let recordNames = allCases.map(\.recordName)
}
