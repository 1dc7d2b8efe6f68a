import ECGTensor
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Files and directories appear whole under their name; temporary names of dead processes are
/// removed at the next write of the same file, those of live processes kept.
@Suite struct AtomicFileTests {
  static func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ecgxai-atomic-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static func names(_ dir: URL) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
  }

  @Test func writeReplacesAFileAndLeavesNoTemporaryName() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("a.json")
    try Data("one".utf8).writeAtomically(to: url)
    try Data("two".utf8).writeAtomically(to: url)
    #expect(try String(contentsOf: url, encoding: .utf8) == "two")
    #expect(Self.names(dir) == ["a.json"])
    #expect(AtomicFile.partialURL(for: url).lastPathComponent == ".a.json.partial-\(getpid())")
  }

  @Test func staleTemporaryNamesOfDeadProcessesAreRemoved() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var dead: Int32 = 4_194_303
    while AtomicFile.isAlive(dead) { dead -= 1 }
    let parent = getppid()  // alive: the process that started the tests
    for name in [".a.npy.partial-\(dead)", ".a.npy.partial-\(dead).old", ".a.npy.partial-\(parent)", ".b.npy.partial-\(dead)"] {
      try Data(count: 10).write(to: dir.appendingPathComponent(name))
    }
    try Data("x".utf8).writeAtomically(to: dir.appendingPathComponent("a.npy"))
    #expect(Self.names(dir) == ["a.npy", ".a.npy.partial-\(parent)", ".b.npy.partial-\(dead)"])
  }

  @Test func aDirectoryIsCommittedWholeOverAnOldOne() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let target = dir.appendingPathComponent("model")
    for round in 0..<2 {
      let partial = AtomicFile.begin(target)
      try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: false)
      try Data("\(round)".utf8).write(to: partial.appendingPathComponent("weights"))
      #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("weights").path) || round == 1)
      try AtomicFile.commit(partial, to: target)
      #expect(try String(contentsOf: target.appendingPathComponent("weights"), encoding: .utf8) == "\(round)")
    }
    #expect(Self.names(dir) == ["model"])
    let abandoned = AtomicFile.begin(dir.appendingPathComponent("x"))
    try Data().write(to: abandoned)
    AtomicFile.abandon(abandoned)
    #expect(Self.names(dir) == ["model"])
  }

  @Test func unwritableLocationsAreReportedBeforeWriting() throws {
    // A path that does not exist yet is judged by its nearest existing directory; permission bits
    // bind only when not root.
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try AtomicFile.checkWritable(dir.appendingPathComponent("new/sub"))
    if getuid() != 0 {
      chmod(dir.path, 0o555)
      defer { chmod(dir.path, 0o755) }
      #expect(throws: UnwritableLocationError.self) { try AtomicFile.checkWritable(dir.appendingPathComponent("x")) }
    }
  }
}
