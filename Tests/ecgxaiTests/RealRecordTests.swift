import Foundation
import Testing

/// Real PhysioNet records on the command line: a 2-lead MIT-BIH excerpt is measured by
/// `features` and `delineate` and refused, naming its leads, by commands that feed a 12-lead
/// model; a 15-signal PTB excerpt becomes a 12-lead array with `convert --standard-leads`.
@Suite(.serialized) struct RealRecordTests {
  static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/ECGSignal/wfdb-sample")
  static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/ECGNet/lenet1d.safetensors").path

  @Test func twoLeadRecordIsMeasuredButNotFedToATwelveLeadModel() throws {
    let dir = CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let record = Self.samples.appendingPathComponent("100_excerpt.hea").path
    let features = try CommandLineTests.run([
      "features", "--data", record, "--out", dir.appendingPathComponent("f.csv").path,
    ])
    #expect(features.status == 0, "\(features.error)")
    let table = try String(contentsOf: dir.appendingPathComponent("f.csv"), encoding: .utf8)
    let row = table.split(separator: "\n")[1].split(
      separator: ",", omittingEmptySubsequences: false)
    #expect(
      row[1] == "ok" && row[2] == "13",
      "13 annotated beats in the first 10 s of record 100: \(row.prefix(4))")
    let fiducials = try CommandLineTests.run([
      "delineate", "--data", record, "--leads", "MLII", "--out",
      dir.appendingPathComponent("d.csv").path,
    ])
    #expect(fiducials.status == 0, "\(fiducials.error)")
    for command in [
      ["predict", "--model", Self.model, "--arch", "lenet1d"],
      ["export", "--task", "superdiagnostic"],
    ] {
      let refused = try CommandLineTests.run(
        command + ["--data", record, "--out", dir.appendingPathComponent("x.npy").path])
      #expect(refused.status != 0, "\(command[0])")
      #expect(
        refused.error.contains(
          "record 100_excerpt has 2 leads (II, V5), not the 12 standard leads"), "\(refused.error)")
    }
    let convert = try CommandLineTests.run([
      "convert", "--data", record, "--standard-leads", "--out",
      dir.appendingPathComponent("c.npy").path,
    ])
    #expect(
      convert.status != 0 && convert.error.contains("2 leads (II, V5)")
        && convert.error.contains("missing: I, III"), "\(convert.error)")
  }

  @Test func ptbRecordConvertsToTheTwelveStandardLeads() throws {
    let dir = CommandLineTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("ptb.npy")
    let record = Self.samples.appendingPathComponent("s0010_excerpt").path
    let convert = try CommandLineTests.run([
      "convert", "--data", record, "--standard-leads", "--rate", "100", "--out", out.path,
    ])
    #expect(convert.status == 0, "\(convert.error)")
    #expect(
      convert.output.contains("[1, 12, 50] at 100 Hz; leads I, II, III, AVR"), "\(convert.output)")
    #expect(try CommandLineTests.readNPY(out).shape == [1, 12, 50])
    let all = try CommandLineTests.run(["convert", "--data", record, "--out", out.path])
    #expect(
      all.status == 0 && all.output.contains("[1, 15, 500] at 1000 Hz")
        && all.output.contains("vz"), "\(all.output)")
  }
}
