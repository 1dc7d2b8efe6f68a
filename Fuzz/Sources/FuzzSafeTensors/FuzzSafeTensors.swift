import ECGNet
import Foundation
import _FuzzDriver
import _FuzzSupport

/// One input: a first byte choosing the reader, then the file. Even: a `.safetensors` file
/// (`SafeTensors.readWithMetadata`). Odd: a model directory's `architecture.json` (`Model.load`,
/// which decodes it, builds the architecture and then finds no weights). Both must throw, not crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = fuzzInput(data, size)
  guard let mode = bytes.first else { return 0 }
  let file = UnsafeRawBufferPointer(rebasing: bytes[1...])
  if mode % 2 == 0 {
    _ = try? SafeTensors.readWithMetadata(ScratchDirectory.write(file, as: "w.safetensors"))
  } else {
    ScratchDirectory.clear()
    _ = ScratchDirectory.write(file, as: "architecture.json")
    _ = try? Model.load(from: ScratchDirectory.url)
  }
  return 0
}

/// The target's `main` (see _FuzzDriver): libFuzzer's driver on `fuzzSafeTensors`.
@_cdecl("FuzzSafeTensors_main")
public func fuzzSafeTensorsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  ecgxai_fuzz_main(argc, argv, fuzzSafeTensors)
}
