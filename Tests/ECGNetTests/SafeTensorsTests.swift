import ECGNet
import ECGTensor
import Foundation
import Testing

/// Hostile weight files and model descriptions (issue 22) are errors naming what is wrong:
/// offsets near Int.max, non-finite weights, absurd class or lead counts, class names that do
/// not match the outputs; the training rate round-trips and older files without it still load.
@Suite struct SafeTensorsTests {
  func temporary(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
  }

  /// A safetensors file with the given JSON header and `body` bytes.
  func file(header: String, body: Data) throws -> URL {
    var data = Data()
    var length = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    data.append(body)
    let url = temporary("st").appendingPathExtension("safetensors")
    try data.write(to: url)
    return url
  }

  @Test(arguments: [
    "[9223372036854775800, 9223372036854775804]", "[0, 9223372036854775807]", "[4, 9223372036854775807]",
  ])
  func offsetsNearIntMaxAreCorrupt(offsets: String) throws {
    let url = try file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":\#(offsets)}}"#, body: Data(count: 4))
    defer { try? FileManager.default.removeItem(at: url) }
    #expect { try SafeTensors.read(url) } throws: { error in
      guard let error = error as? WeightsError, case .corrupt = error else { return false }
      return true
    }
  }

  @Test func shapeWhoseSizeOverflowsIsCorrupt() throws {
    let url = try file(
      header: #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#, body: Data())
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(throws: WeightsError.self) { try SafeTensors.read(url) }
  }

  @Test func nonFiniteWeightsAreRefusedNamingTheTensor() throws {
    let directory = temporary("model")
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = try ModelZoo.make("lenet1d", classes: 2)
    try model.save(to: directory)
    var entries = model.stateDict()
    let index = try #require(entries.firstIndex { $0.0 == "sequential.15.bias" })
    guard case .float(var tensor) = entries[index].1 else { Issue.record("bias is not float"); return }
    tensor.scalars[1] = .nan
    entries[index].1 = .float(tensor)
    try SafeTensors.write(entries, to: directory.appendingPathComponent("weights.safetensors"))
    #expect { try Model.load(from: directory) } throws: { error in
      "\(error)".contains("tensor 'sequential.15.bias' holds NaN at element 1")
    }
  }

  /// architecture.json edits: each must be refused before any layer is built.
  @Test(arguments: [
    (#""classes" : 2"#, #""classes" : -3"#, "classes is -3"),
    (#""classes" : 2"#, #""classes" : 1000000000000"#, "classes is 1000000000000"),
    (#""inputChannels" : 12"#, #""inputChannels" : 0"#, "inputChannels is 0"),
    (#""inputChannels" : 12"#, #""inputChannels" : -12"#, "inputChannels is -12"),
    (#""kernelSize" : 5"#, #""kernelSize" : -1"#, "kernelSize is -1"),
    (#""task""#, #""classNames" : ["A"], "task""#, "classNames has 1 names for 2 classes"),
    (#""task""#, #""classNames" : ["A", "A"], "task""#, "lists 'A' twice"),
    (#""task""#, #""samplingRateHz" : -100, "task""#, "samplingRateHz is -100"),
  ])
  func absurdArchitecturesAreRefused(old: String, new: String, expected: String) throws {
    let directory = temporary("arch")
    defer { try? FileManager.default.removeItem(at: directory) }
    try ModelZoo.make("lenet1d", classes: 2).save(to: directory)
    let url = directory.appendingPathComponent("architecture.json")
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.contains(old))
    try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
    #expect { try Model.load(from: directory) } throws: { error in
      "\(error)".contains("architecture.json") && "\(error)".contains(expected)
    }
  }

  @Test func samplingRateRoundTripsAndOlderFilesLoad() throws {
    let directory = temporary("rate")
    defer { try? FileManager.default.removeItem(at: directory) }
    let architecture = ModelArchitecture(name: "lenet1d", classes: 2, samplingRateHz: 100)
    try ModelZoo.make(architecture).save(to: directory)
    let loaded = try Model.load(from: directory)
    #expect(loaded.architecture.samplingRateHz == 100)
    #expect(loaded.architecture.samplingRateProblem(100) == nil)
    #expect(loaded.architecture.samplingRateProblem(500)?.contains("trained on 100 Hz records but the data are 500 Hz") == true)
    // Without a rate (as every file before it was recorded): no key, loads, nothing checked.
    try ModelZoo.make("lenet1d", classes: 2).save(to: directory)
    let text = try String(contentsOf: directory.appendingPathComponent("architecture.json"), encoding: .utf8)
    #expect(!text.contains("samplingRateHz"))
    #expect(try Model.load(from: directory).architecture.samplingRateProblem(500) == nil)
  }
}
