import ECGAudit
import ECGAuditStore
import ECGSignal
import Foundation
import _FuzzDriver
import _FuzzSupport

/// Feature names rules may use (a few of features.csv's columns).
let known: Set<String> = ["qrs_ms", "qtc_bazett_ms", "R_Amp_V5_mV", "cornell_mV", "Sex", "age", "ST_V2_mV", "SLI-LVH"]

/// One input: a first byte choosing the parser, then the text. Even: concept / subgroup rules
/// (`ConceptRules`, then evaluated on one record). Odd: the audit's expert rules (`ExpertRules`, YAML).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = fuzzInput(data, size)
  guard let mode = bytes.first, let text = String(bytes: bytes.dropFirst(), encoding: .utf8) else { return 0 }
  if mode % 2 == 0 {
    if let rules = try? ConceptRules(text: text, known: known) {
      _ = rules.evaluate(["qrs_ms": 130, "qtc_bazett_ms": 470, "R_Amp_V5_mV": 2.7, "Sex": 1, "age": .nan])
    }
  } else {
    _ = try? ExpertRules(yaml: text, source: "fuzz")
  }
  return 0
}

/// The target's `main` (see _FuzzDriver): libFuzzer's driver on `fuzzRules`.
@_cdecl("FuzzRules_main")
public func fuzzRulesMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  ecgxai_fuzz_main(argc, argv, fuzzRules)
}
