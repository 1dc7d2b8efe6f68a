extension TruthFinding {
  /// PTB-XL's `diagnostic_subclass` and `diagnostic_class` (superclass) of the diagnostic SCP
  /// codes a source of truth plants (the phantom's findings; rows of PTB-XL's
  /// `scp_statements.csv`). Rhythm statements (AFIB) have none.
  public static let ptbxlParents: [String: (subclass: String, superclass: String)] = [
    "LVH": ("LVH", "HYP"), "CLBBB": ("CLBBB", "CD"), "CRBBB": ("CRBBB", "CD"), "1AVB": ("_AVB", "CD"),
    "NDT": ("STTC", "STTC"), "NST_": ("NST_", "STTC"), "ISC_": ("ISC_", "STTC"),
    "IMI": ("IMI", "MI"), "ILMI": ("IMI", "MI"), "ASMI": ("AMI", "MI"), "AMI": ("AMI", "MI"),
    "ALMI": ("AMI", "MI"), "LMI": ("LMI", "MI"),
  ]

  /// Whether a finding's SCP code belongs to a model class: the code itself, or (for the codes of
  /// `ptbxlParents`) its subclass or superclass — as PTB-XL aggregates labels, so `MI` or `AMI`
  /// gather ASMI, AMI, ALMI, ….
  public static func code(_ code: String, belongsTo className: String) -> Bool {
    guard code != className else { return true }
    guard let parents = ptbxlParents[code] else { return false }
    return parents.subclass == className || parents.superclass == className
  }
}
