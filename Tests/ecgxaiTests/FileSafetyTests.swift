import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The user's files are never lost: ecgxai replaces only what it wrote, writes a model as one
/// unit, removes its unfinished files (on SIGINT/SIGTERM and, for dead processes, at the next
/// write), locks a run directory while it writes into it and checks output locations first.
/// Every workload is tiny (a few phantom records, no training beyond one epoch of 16 records).
@Suite(.serialized) struct FileSafetyTests {
  typealias CLI = CommandLineTests

  static func makeDirectory() throws -> URL {
    let dir = CLI.temporaryDirectory()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  static func partials(in dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.contains(".partial-") }
  }

  /// A PID no process has (above the kernel's pid_max when it can be read).
  static func deadPID() -> Int32 {
    let max = (try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))
      .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 4_194_304
    var pid = max - 1
    while kill(pid, 0) == 0 || errno == EPERM { pid -= 1 }
    return pid
  }

  @Test func runAndSynthReplaceOnlyAPhantomTheyWrote() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    let dir = try Self.makeDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = dir.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    let important = data.appendingPathComponent("important.txt")
    try "keep".write(to: important, atomically: true, encoding: .utf8)
    // `run` (as `demo`) writes the phantom into RUN/data: a user's data/ is refused, not removed.
    let config = dir.appendingPathComponent("data-only.yaml")
    try "out: \(dir.path)\nsteps: [data]\ndata: {records: 200}\n".write(to: config, atomically: true, encoding: .utf8)
    let run = try CLI.run(["run", config.path])
    #expect(run.status == 1)
    #expect(run.error.contains("refusing to replace \(data.path)") && run.error.contains("important.txt"), "\(run.error)")
    #expect((try? String(contentsOf: important, encoding: .utf8)) == "keep")
    // `synth --overwrite` likewise; a phantom it wrote itself is replaced.
    let synth = try CLI.run(["synth", "--out", data.path, "--records", "5", "--rates", "100", "--overwrite"])
    #expect(synth.status == 1 && synth.error.contains("refusing to replace"), "\(synth.error)")
    #expect(FileManager.default.fileExists(atPath: important.path))
    let phantom = dir.appendingPathComponent("phantom")
    #expect(try CLI.run(["synth", "--out", phantom.path, "--records", "5", "--rates", "100"]).status == 0)
    let again = try CLI.run(["synth", "--out", phantom.path, "--records", "6", "--rates", "100", "--overwrite"])
    #expect(again.status == 0, "\(again.error)")
    #expect(FileManager.default.fileExists(atPath: phantom.appendingPathComponent("records100/00000/00006_lr.hea").path))
    #expect(Self.partials(in: dir).isEmpty)
    // `/` is never a run directory.
    let root = dir.appendingPathComponent("root.yaml")
    try "out: /\nsteps: [data]\ndata: {records: 200}\n".write(to: root, atomically: true, encoding: .utf8)
    let slash = try CLI.run(["run", root.path])
    #expect(slash.status == 1 && slash.error.contains("the run directory cannot be /"), "\(slash.error)")
  }

  @Test func trainWritesTheModelAsOneUnitAndOnlyWhereItMay() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    let dir = try Self.makeDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // Refused before any input is read or any epoch trained.
    let slash = try CLI.run(["train", "--x", "/nonexistent.npy", "--y", "/nonexistent.npy", "--out", "/"])
    #expect(slash.status == 1 && slash.error.contains("refusing to write the model into /"), "\(slash.error)")
    let foreign = dir.appendingPathComponent("mine")
    try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
    try "keep".write(to: foreign.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    let refused = try CLI.run(["train", "--x", "/nonexistent.npy", "--y", "/nonexistent.npy", "--out", foreign.path])
    #expect(refused.status == 1 && refused.error.contains("(it holds notes.txt)"), "\(refused.error)")
    // Records shorter than lenet1d's receptive field (64 samples: its last convolution would
    // have no output) are refused before training, and nothing is written.
    let n = 16
    let x = dir.appendingPathComponent("x.npy"), y = dir.appendingPathComponent("y.npy")
    try CLI.writeNPY((0..<n).map { Float($0 % 2) }, shape: [n, 1], to: y)
    let model = dir.appendingPathComponent("model")
    try CLI.writeNPY((0..<(n * 12 * 64)).map { Float(($0 * 7919) % 97) / 97 - 0.5 }, shape: [n, 12, 64], to: x)
    let short = try CLI.run(["train", "--x", x.path, "--y", y.path, "--epochs", "1", "--batch-size", "8", "--crop", "0", "--out", model.path])
    #expect(short.status == 1 && short.error.contains("training crops of 64 samples") && short.error.contains("shorter than the kernel"), "\(short.error)")
    #expect(!FileManager.default.fileExists(atPath: model.path))
    // A model directory is written whole, and replaced whole by the next training.
    let samples = 250
    try CLI.writeNPY((0..<(n * 12 * samples)).map { Float(($0 * 7919) % 97) / 97 - 0.5 }, shape: [n, 12, samples], to: x)
    for _ in 0..<2 {
      let train = try CLI.run(["train", "--x", x.path, "--y", y.path, "--epochs", "1", "--batch-size", "8", "--crop", "0", "--out", model.path])
      #expect(train.status == 0, "\(train.error)")
      #expect(Set(try FileManager.default.contentsOfDirectory(atPath: model.path)) == ["architecture.json", "weights.safetensors"])
    }
    #expect(Self.partials(in: dir).isEmpty)
  }

  @Test func partialFilesOfDeadProcessesAreRemovedAtTheNextWrite() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    let dir = try Self.makeDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let dead = dir.appendingPathComponent(".rules.yaml.partial-\(Self.deadPID())")
    let live = dir.appendingPathComponent(".rules.yaml.partial-\(getpid())")
    let other = dir.appendingPathComponent(".other.yaml.partial-\(Self.deadPID())")
    for url in [dead, live, other] { try Data(count: 1000).write(to: url) }
    let write = try CLI.run(["audit", "--write-rules", dir.appendingPathComponent("rules.yaml").path])
    #expect(write.status == 0, "\(write.error)")
    #expect(!FileManager.default.fileExists(atPath: dead.path), "a dead process's partial file of the same output is removed")
    #expect(FileManager.default.fileExists(atPath: live.path), "a live process's is kept")
    #expect(FileManager.default.fileExists(atPath: other.path), "another output's is left to its own step")
  }

  /// SIGTERM and SIGINT during `synth` remove its half-written cohort and exit with 143 / 130.
  @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
  func interruptRemovesUnfinishedFiles(signal: Int32, status: Int32) throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    let dir = try Self.makeDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let process = Process()
    process.executableURL = CLI.executable
    process.arguments = ["synth", "--out", dir.appendingPathComponent("data").path, "--records", "20000", "--rates", "100,500"]
    process.standardOutput = FileHandle.nullDevice
    let err = Pipe()
    process.standardError = err
    try process.run()
    let staging = dir.appendingPathComponent(".data.partial-\(process.processIdentifier)")
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: staging.appendingPathComponent("records100").path), Date() < deadline {
      usleep(20_000)
    }
    #expect(FileManager.default.fileExists(atPath: staging.path), "synth has started writing")
    kill(process.processIdentifier, signal)
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == status, "\(message)")
    #expect(message.contains("interrupted") && message.contains("removed 1 unfinished file"), "\(message)")
    #expect(Self.partials(in: dir).isEmpty)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("data").path))
  }

  @Test func aRunDirectoryInUseIsLockedAndADeadHoldersLockIsTakenOver() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    let run = try Self.makeDirectory()
    defer { try? FileManager.default.removeItem(at: run) }
    let lockPath = run.appendingPathComponent(".lock").path
    let fd = open(lockPath, O_RDWR | O_CREAT, 0o644)
    try #require(fd >= 0)
    #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
    _ = "\(getpid())\n".withCString { write(fd, $0, strlen($0)) }
    let busy = try CLI.run(["report", run.path])
    #expect(busy.status == 1 && busy.error.contains("is in use by PID \(getpid())"), "\(busy.error)")
    // The holder is gone (its descriptor closed, as the kernel does when a process dies): the lock
    // file with its stale PID is taken over.
    close(fd)
    try "\(Self.deadPID())\n".write(toFile: lockPath, atomically: false, encoding: .utf8)
    let free = try CLI.run(["report", run.path])
    #expect(!free.error.contains("in use"), "\(free.error)")
  }

  @Test func outputLocationsAreCheckedBeforeTheWork() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    // A file where the run directory should be, and a run directory that cannot be written (the
    // latter only when not root: root writes through permission bits).
    let dir = try Self.makeDirectory()
    defer {
      chmod(dir.appendingPathComponent("ro").path, 0o755)
      try? FileManager.default.removeItem(at: dir)
    }
    let file = dir.appendingPathComponent("file")
    try "x".write(to: file, atomically: true, encoding: .utf8)
    let onFile = try CLI.run(["report", file.path])
    #expect(onFile.status == 1, "\(onFile.error)")
    if getuid() != 0 {
      let readOnly = dir.appendingPathComponent("ro")
      try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
      chmod(readOnly.path, 0o555)
      let concepts = try CLI.run(["report", readOnly.path])
      #expect(concepts.status == 1 && concepts.error.contains("cannot write into the run directory"), "\(concepts.error)")
      let features = try CLI.run(["features", "--data", "/nonexistent", "--out", readOnly.appendingPathComponent("f.csv").path])
      #expect(features.status == 1 && features.error.contains("cannot write into"), "\(features.error)")
    }
  }
}
