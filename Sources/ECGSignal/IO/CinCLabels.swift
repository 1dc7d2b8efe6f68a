/// SNOMED CT codes of the PhysioNet/CinC Challenges 2020–2021 (`#Dx:` header comments) mapped to
/// PTB-XL's SCP statements and the paper's diagnostic superclasses (NORM, MI, STTC, CD, HYP).
///
/// Codes without a row are kept as raw codes `snomed:NNN` (no statement flags, so they count for
/// `--task all` only). `426783006` (sinus rhythm) gives `SR`, and `NORM` only when no other code of
/// the record maps to a diagnostic superclass. The table is in docs/features.md.
public enum CinCLabels {
  /// One row of the table.
  public struct Mapping: Sendable, Equatable {
    /// SNOMED CT concept id.
    public var snomed: String
    /// The concept's name as the Challenge's mapping tables give it.
    public var name: String
    /// The PTB-XL SCP statement it becomes.
    public var statement: String
  }

  /// The table, one row per SNOMED CT code.
  public static let table: [Mapping] = [
    Mapping(snomed: "426783006", name: "sinus rhythm", statement: "SR"),
    Mapping(snomed: "164873001", name: "left ventricular hypertrophy", statement: "LVH"),
    Mapping(snomed: "89792004", name: "right ventricular hypertrophy", statement: "RVH"),
    Mapping(snomed: "733534002", name: "complete left bundle branch block", statement: "CLBBB"),
    Mapping(snomed: "164909002", name: "left bundle branch block", statement: "CLBBB"),
    Mapping(snomed: "713427006", name: "complete right bundle branch block", statement: "CRBBB"),
    Mapping(snomed: "59118001", name: "right bundle branch block", statement: "CRBBB"),
    Mapping(snomed: "713426002", name: "incomplete right bundle branch block", statement: "IRBBB"),
    Mapping(snomed: "445118002", name: "left anterior fascicular block", statement: "LAFB"),
    Mapping(snomed: "270492004", name: "1st degree av block", statement: "1AVB"),
    Mapping(snomed: "164889003", name: "atrial fibrillation", statement: "AFIB"),
    Mapping(snomed: "164890007", name: "atrial flutter", statement: "AFLT"),
    Mapping(snomed: "426177001", name: "sinus bradycardia", statement: "SBRAD"),
    Mapping(snomed: "427084000", name: "sinus tachycardia", statement: "STACH"),
    Mapping(snomed: "164865005", name: "myocardial infarction", statement: "MI"),
    Mapping(snomed: "22298006", name: "myocardial infarction", statement: "MI"),
    Mapping(snomed: "164867002", name: "old myocardial infarction", statement: "MI"),
    Mapping(snomed: "57054005", name: "acute myocardial infarction", statement: "MI"),
    Mapping(snomed: "164861001", name: "myocardial ischemia", statement: "ISC_"),
    Mapping(snomed: "429622005", name: "st depression", statement: "STD_"),
    Mapping(snomed: "164930006", name: "st interval abnormal", statement: "NST_"),
    Mapping(snomed: "164931005", name: "st elevation", statement: "STE_"),
    Mapping(snomed: "59931005", name: "t wave inversion", statement: "INVT"),
    Mapping(snomed: "164934002", name: "t wave abnormal", statement: "NT_"),
  ]

  /// The statements the table maps to, with PTB-XL's flags and classes. Two differ from PTB-XL's
  /// `scp_statements.csv`: `MI` (myocardial infarction of unknown site; PTB-XL only has localised
  /// ones such as IMI, AMI) is diagnostic in superclass MI without a subclass, and the form
  /// statements STE_, INVT and NT_ are counted as diagnostic in STTC (subclass STTC), as the
  /// Challenge scores them as ST/T changes.
  public static let statements: [String: PTBXLDataset.Statement] = {
    func diagnostic(_ superclass: String, _ subclass: String?, form: Bool = false)
      -> PTBXLDataset.Statement
    {
      .init(
        diagnostic: true, form: form, rhythm: false, diagnosticClass: superclass,
        diagnosticSubclass: subclass)
    }
    let rhythm = PTBXLDataset.Statement(
      diagnostic: false, form: false, rhythm: true, diagnosticClass: nil, diagnosticSubclass: nil)
    return [
      "NORM": diagnostic("NORM", "NORM"), "SR": rhythm, "AFIB": rhythm, "AFLT": rhythm,
      "SBRAD": rhythm, "STACH": rhythm,
      "LVH": diagnostic("HYP", "LVH"), "RVH": diagnostic("HYP", "RVH"),
      "CLBBB": diagnostic("CD", "CLBBB"), "CRBBB": diagnostic("CD", "CRBBB"),
      "IRBBB": diagnostic("CD", "IRBBB"), "LAFB": diagnostic("CD", "LAFB/LPFB"),
      "1AVB": diagnostic("CD", "_AVB"), "MI": diagnostic("MI", nil),
      "ISC_": diagnostic("STTC", "ISC_"), "STD_": diagnostic("STTC", "STTC", form: true),
      "NST_": diagnostic("STTC", "NST_", form: true),
      "STE_": diagnostic("STTC", "STTC", form: true),
      "INVT": diagnostic("STTC", "STTC", form: true), "NT_": diagnostic("STTC", "STTC", form: true),
    ]
  }()

  private static let bySnomed = Dictionary(
    table.map { ($0.snomed, $0) }, uniquingKeysWith: { a, _ in a })

  /// The SCP codes of a record with the SNOMED CT codes `codes` (likelihood 100 each, as PTB-XL
  /// writes certain statements): mapped statements, `snomed:NNN` for the rest, and `NORM` for
  /// sinus rhythm without any code of a diagnostic superclass.
  public static func scpCodes(snomed codes: [String]) -> [String: Double] {
    var out: [String: Double] = [:]
    for code in codes {
      out[bySnomed[code]?.statement ?? "snomed:\(code)"] = 100
    }
    let diagnosed = out.keys.contains { statements[$0]?.diagnosticClass != nil }
    if out["SR"] != nil, !diagnosed { out["NORM"] = 100 }
    return out
  }

  /// A SNOMED CT code for a PTB-XL statement (the first row of the table that maps to it; sinus
  /// rhythm for NORM), or nil — what a writer of CinC-format records puts in `#Dx:`.
  public static func snomed(forStatement statement: String) -> String? {
    if statement == "NORM" { return "426783006" }
    return table.first { $0.statement == statement }?.snomed
  }
}
