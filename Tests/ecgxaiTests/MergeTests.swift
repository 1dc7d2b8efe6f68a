import ECGAudit
import ECGAuditStore
import Foundation
import Testing

/// `ecgxai merge` refuses shards made by models with different weights.
@Suite struct MergeTests {
  typealias CLI = CommandLineTests

  @Test func shardsOfDifferentModelsAreRefused() throws {
    try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build the ecgxai product first")
    let run = CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: run) }
    let digests = [String(repeating: "a1", count: 32), String(repeating: "b2", count: 32)]
    for (i, digest) in digests.enumerated() {
      let settings = AuditSettings(conditions: ["MI"], classes: ["MI", "NORM"], model: "lenet1d 1 parameters", modelSHA256: digest)
      try AuditStore.writePartial(
        run.appendingPathComponent("audit/partial-\(i + 1)-of-2.sqlite"), settings: settings, shard: "\(i + 1)/2", records: [], items: [])
    }
    let merge = try CLI.run(["merge", run.path])
    #expect(merge.status != 0)
    #expect(merge.error.contains(digests[0]) && merge.error.contains(digests[1]), "\(merge.error)")
    #expect(merge.error.contains("partial-1-of-2.sqlite") && merge.error.contains("partial-2-of-2.sqlite"), "\(merge.error)")
    #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("audit.json").path))
  }
}
