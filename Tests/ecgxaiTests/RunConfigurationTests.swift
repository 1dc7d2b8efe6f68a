import Foundation
import Testing

@testable import ecgxai

/// The configuration files ecgxai writes parse back to the configuration they were written from:
/// `ecgxai run --write-config` (the documented defaults) and `ecgxai demo --write-config`.
@Suite struct RunConfigurationTests {
  /// Settings as sorted-key JSON, so that two configurations compare by value.
  static func json(_ c: RunConfiguration) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: c.allSettings, options: [.sortedKeys]), as: UTF8.self)
  }

  @Test func documentedDefaultsAreTheDefaults() throws {
    let parsed = try RunConfiguration(text: RunConfiguration.documentedDefaults, file: "defaults.yaml")
    #expect(try Self.json(parsed) == Self.json(RunConfiguration()))
  }

  @Test(arguments: [false, true])
  func demoConfigurationFileRoundTrips(quick: Bool) throws {
    let demo = try Demo.parse(quick ? ["--quick"] : ["--records", "3000", "--seed", "7"])
    let written = Demo.yaml(demo.demoConfiguration)
    let parsed = try RunConfiguration(text: written, file: "demo.yaml")
    #expect(try Self.json(parsed) == Self.json(demo.demoConfiguration), "\(written)")
    #expect(try Self.json(parsed) != Self.json(RunConfiguration()), "the demo differs from the defaults")
  }
}
