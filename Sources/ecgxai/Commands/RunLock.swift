import ECGTensor
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The lock of a run directory: `RUN/.lock` holds the PID of the process writing into the run and
/// an exclusive `flock(2)` on it, held until the process exits. The kernel releases the lock when
/// its holder dies however it dies, so a killed run never leaves a stale lock: the file of a dead
/// process is simply taken over. A second process finds the lock held and is told which PID has
/// the run.
///
/// The lock is per process: the pipeline takes it, and the commands it runs in the same process
/// find it already held by themselves.
enum RunLock {
  /// Takes the lock of `runURL` (existing) or throws a `CLIError` naming the PID that holds it,
  /// or saying that the directory cannot be written.
  static func acquire(_ runURL: URL) throws {
    let path = runURL.standardizedFileURL.resolvingSymlinksInPath().path
    try held.withLock { held in
      if held[path] != nil { return }
      let lockPath = (path as NSString).appendingPathComponent(".lock")
      let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw CLIError("cannot write into the run directory \(path) (\(String(cString: strerror(errno)))); choose a writable run directory")
      }
      guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
        let code = errno
        let owner = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        close(fd)
        guard code == EWOULDBLOCK else {
          throw CLIError("cannot lock the run directory \(path) (\(String(cString: strerror(code))))")
        }
        throw CLIError("the run directory \(path) is in use by PID \(owner.flatMap { $0.isEmpty ? nil : $0 } ?? "?") (another ecgxai writing into it); wait for it to finish or choose another run directory")
      }
      let text = "\(getpid())\n"
      _ = ftruncate(fd, 0)
      _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
      held[path] = fd
    }
    // The directory accepts the lock file; its files must be replaceable too.
    do { try AtomicFile.checkWritable(runURL) } catch let error as UnwritableLocationError { throw CLIError(error.description) }
  }

  /// Lock files this process holds, by run directory (never closed: released at exit).
  private static let held = Locked<[String: Int32]>([:])
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value
  init(_ value: Value) { self.value = value }
  func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}
