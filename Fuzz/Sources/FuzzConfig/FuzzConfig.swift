import Foundation
import _FuzzDriver

/// One input: a run configuration file (YAML or JSON). `RunConfiguration(text:file:)` — the reader
/// of `ecgxai run FILE`, compiled here from the ecgxai target's files — must return a
/// configuration or throw a `ConfigError`, never crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  guard let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8) else { return 0 }
  _ = try? RunConfiguration(text: text, file: "fuzz.yaml")
  return 0
}

/// The target's `main` (see _FuzzDriver): libFuzzer's driver on `fuzzConfig`.
@_cdecl("FuzzConfig_main")
public func fuzzConfigMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  ecgxai_fuzz_main(argc, argv, fuzzConfig)
}
