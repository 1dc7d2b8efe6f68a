import Foundation

/// A private directory for the files a fuzz input is written to (the readers take paths): in
/// /dev/shm when it exists (no disk writes), removed and recreated for every input.
public enum ScratchDirectory {
  /// The directory of this process.
  public static let url: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let url = URL(fileURLWithPath: base).appendingPathComponent("ecgxai-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }()

  /// Writes `bytes` to `name` in the directory and returns its URL.
  public static func write(_ bytes: UnsafeRawBufferPointer, as name: String) -> URL {
    let file = url.appendingPathComponent(name)
    try? Data(bytes).write(to: file)
    return file
  }

  /// Removes every file of the directory (between inputs).
  public static func clear() {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
      try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
    }
  }
}

/// The bytes of a libFuzzer input.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
  UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
}
