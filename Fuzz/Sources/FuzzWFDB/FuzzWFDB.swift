import ECGSignal
import Foundation
import _FuzzDriver
import _FuzzSupport

/// One input: the header text, a NUL byte, then the bytes of the signal file(s) (every file the
/// header names gets them). `WFDB.read` must return a record or throw, never crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWFDB(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = fuzzInput(data, size)
  let split = bytes.firstIndex(of: 0) ?? bytes.count
  let header = UnsafeRawBufferPointer(rebasing: bytes[0..<split])
  let signal = UnsafeRawBufferPointer(rebasing: bytes[min(split + 1, bytes.count)...])
  ScratchDirectory.clear()
  let headerURL = ScratchDirectory.write(header, as: "r.hea")
  if let text = String(data: Data(header), encoding: .utf8) ?? String(data: Data(header), encoding: .isoLatin1),
    let parsed = try? WFDBHeader(text: text, path: headerURL.path)
  {
    for name in Set(parsed.signals.map(\.fileName)) where !name.isEmpty && !name.contains("/") && name != "r.hea" {
      _ = ScratchDirectory.write(signal, as: name)
    }
  }
  _ = try? WFDB.read(headerURL.deletingPathExtension())
  return 0
}

/// The target's `main` (see _FuzzDriver): libFuzzer's driver on `fuzzWFDB`.
@_cdecl("FuzzWFDB_main")
public func fuzzWFDBMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  ecgxai_fuzz_main(argc, argv, fuzzWFDB)
}
