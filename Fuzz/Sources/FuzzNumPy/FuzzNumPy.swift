import ECGSignal
import Foundation
import _FuzzDriver
import _FuzzSupport

/// One input: a whole `.npy` file. `NumPy.read` must return a tensor or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumPy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let url = ScratchDirectory.write(fuzzInput(data, size), as: "x.npy")
  _ = try? NumPy.read(url)
  return 0
}

/// The target's `main` (see _FuzzDriver): libFuzzer's driver on `fuzzNumPy`.
@_cdecl("FuzzNumPy_main")
public func fuzzNumPyMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  ecgxai_fuzz_main(argc, argv, fuzzNumPy)
}
