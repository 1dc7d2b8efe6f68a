import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Atomic writes for every module that writes files: a file or a directory is written under a
/// temporary sibling name, `.NAME.partial-PID`, and renamed into place only when complete, so a
/// crash, a full disk or a kill never leaves a half-written file under its real name.
///
/// Temporary names of this process are registered: `installInterruptCleanup()` removes them on
/// SIGINT/SIGTERM. Those left by a process that died anyway (SIGKILL, power loss) are removed the
/// next time the same file is written (`begin(_:)` sweeps `.NAME.partial-PID` whose PID is not a
/// live process).
///
/// ```
/// let partial = AtomicFile.begin(url)        // write into `partial` (a file or a directory)
/// do { …; try AtomicFile.commit(partial, to: url) } catch { AtomicFile.abandon(partial); throw error }
/// ```
public enum AtomicFile {
  /// The temporary sibling of `url` this process writes: `DIR/.NAME.partial-PID`.
  public static func partialURL(for url: URL) -> URL {
    url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
  }

  /// Starts writing `url`: removes the temporary siblings of dead processes and any earlier one of
  /// this process, registers the new one for removal on interrupt and returns it (nothing is
  /// created; write a file or create a directory there).
  public static func begin(_ url: URL) -> URL {
    removeStalePartials(of: url)
    let partial = partialURL(for: url)
    try? FileManager.default.removeItem(at: partial)
    registry.insert(partial.path)
    return partial
  }

  /// Renames the finished `partial` to `url`. A file replaces `url` in one step (rename(2)); a
  /// directory replaces an existing `url` by two renames (the old one is set aside under a
  /// temporary name of this process, then removed): the caller checks first that the old
  /// directory may be replaced.
  public static func commit(_ partial: URL, to url: URL) throws {
    defer { registry.remove(partial.path) }
    if rename(partial.path, url.path) == 0 { return }
    let code = errno
    guard code == ENOTEMPTY || code == EEXIST || code == EISDIR else {
      try? FileManager.default.removeItem(at: partial)
      throw CocoaError(.fileWriteUnknown, userInfo: [
        NSFilePathErrorKey: url.path,
        NSLocalizedDescriptionKey: "cannot move \(partial.lastPathComponent) into place: \(String(cString: strerror(code)))",
      ])
    }
    let old = URL(fileURLWithPath: partial.path + ".old")
    registry.insert(old.path)
    defer { registry.remove(old.path) }
    try? FileManager.default.removeItem(at: old)
    try FileManager.default.moveItem(at: url, to: old)
    do { try FileManager.default.moveItem(at: partial, to: url) } catch {
      try? FileManager.default.moveItem(at: old, to: url)
      throw error
    }
    try? FileManager.default.removeItem(at: old)
  }

  /// Removes an unfinished `partial` (after an error).
  public static func abandon(_ partial: URL) {
    try? FileManager.default.removeItem(at: partial)
    registry.remove(partial.path)
  }

  /// Writes `data` to `url` atomically (the whole file or, after a failure, nothing new).
  public static func write(_ data: Data, to url: URL) throws {
    let partial = begin(url)
    do {
      try data.write(to: partial)
      try commit(partial, to: url)
    } catch {
      abandon(partial)
      throw error
    }
  }

  /// Removes the temporary siblings `.NAME.partial-PID…` of `url` left by processes that no longer
  /// run. Those of live processes (another run writing the same file) are kept.
  public static func removeStalePartials(of url: URL) {
    let directory = url.deletingLastPathComponent()
    let prefix = ".\(url.lastPathComponent).partial-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
    for name in names where name.hasPrefix(prefix) {
      guard let pid = Int32(name.dropFirst(prefix.count).prefix(while: \.isNumber)),
        pid != getpid(), !isAlive(pid)
      else { continue }
      try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }
  }

  /// Throws `UnwritableLocationError` unless files can be created at `url`: the directory itself
  /// when it exists, else its nearest existing ancestor, must be writable (checked with
  /// access(2), so a read-only file system or a missing permission is caught before any work).
  public static func checkWritable(_ url: URL) throws {
    var directory = url.standardizedFileURL
    var isDirectory: ObjCBool = false
    while !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) || !isDirectory.boolValue {
      let parent = directory.deletingLastPathComponent()
      guard parent.path != directory.path else { break }
      directory = parent
    }
    if access(directory.path, W_OK) != 0 {
      throw UnwritableLocationError(path: directory.path, reason: String(cString: strerror(errno)))
    }
  }

  /// Whether a process with this PID exists (one of another user counts as alive).
  public static func isAlive(_ pid: Int32) -> Bool {
    pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
  }

  /// Removes every temporary file or directory this process has begun and not yet committed or
  /// abandoned; returns how many there were.
  @discardableResult
  public static func removeOwnPartials() -> Int {
    let paths = registry.drain()
    for path in paths {
      // Other threads may still be writing into a directory being removed, and recreate its
      // subdirectories while a large tree is deleted. So the path is first renamed away (one
      // atomic step), the renamed tree removed, and whatever was recreated under the old name in
      // the meantime (a record or two) removed again, checking right after each removal. (With
      // a pause between removal and check, as before, a busy writer recreated the path every
      // time and the staging folder of an interrupted `synth` could survive.)
      for attempt in 0..<1000 {
        let doomed = path + ".removing-\(attempt)"
        if rename(path, doomed) == 0 {
          try? FileManager.default.removeItem(atPath: doomed)
        } else {
          try? FileManager.default.removeItem(atPath: path)
        }
        if !FileManager.default.fileExists(atPath: path) { break }
        usleep(200)
      }
    }
    return paths.count
  }

  /// Makes SIGINT and SIGTERM remove this process's temporary files, then exit with 128 + the
  /// signal (130, 143). Call it first in `main`, before any other thread starts: the signals are
  /// blocked in the calling thread (and so in every thread it starts later) and taken by one
  /// thread that waits for them.
  public static func installInterruptCleanup() {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let waited = signals
    let thread = Thread {
      var set = waited
      var signal: Int32 = 0
      guard sigwait(&set, &signal) == 0 else { return }
      interruptedFlag.set()
      // Writes that passed their `isInterrupted` check just before finish within milliseconds.
      usleep(5000)
      let removed = removeOwnPartials()
      let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
      let message = "\necgxai: interrupted (\(name))"
        + (removed > 0 ? "; removed \(removed) unfinished file\(removed == 1 ? "" : "s")" : "") + "\n"
      FileHandle.standardError.write(Data(message.utf8))
      _exit(128 + signal)
    }
    thread.name = "ecgxai-signals"
    thread.start()
  }

  /// True once SIGINT/SIGTERM cleanup has begun: writers that create folders (a record writer
  /// makes its directory for every record) stop instead of recreating what is being removed.
  public static var isInterrupted: Bool { interruptedFlag.value }

  private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    var value: Bool { lock.lock(); defer { lock.unlock() }; return raised }
    func set() { lock.lock(); raised = true; lock.unlock() }
  }
  private static let interruptedFlag = Flag()

  /// The temporary names this process is writing.
  private final class Registry: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: Set<String> = []
    func insert(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    func remove(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }
    func drain() -> [String] {
      lock.lock()
      defer { lock.unlock() }
      let all = Array(paths)
      paths = []
      return all
    }
  }
  private static let registry = Registry()
}

/// A location ecgxai is asked to write into cannot be written.
public struct UnwritableLocationError: Error, CustomStringConvertible {
  public let path: String
  public let reason: String

  public init(path: String, reason: String) { (self.path, self.reason) = (path, reason) }

  public var description: String {
    "cannot write into \(path) (\(reason)); choose a writable output location"
  }
}

extension Data {
  /// Writes the bytes to `url` atomically through `AtomicFile` (a temporary sibling renamed into
  /// place), so an interrupted write leaves the old file or none.
  public func writeAtomically(to url: URL) throws {
    try AtomicFile.write(self, to: url)
  }
}
