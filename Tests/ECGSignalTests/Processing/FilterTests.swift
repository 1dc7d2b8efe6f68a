import ECGSignal
import ECGTensor
import Foundation
import Testing

/// Butterworth/notch designs, zero-phase filtering and polyphase resampling equal SciPy's
/// (`butter`, `iirnotch`, `sosfiltfilt`, `filtfilt`, `resample_poly`; fixtures from
/// tools/reference/signal_fixtures.py) to ≤ 1e-5 mV.
@Suite struct FilterTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/ECGSignal/filters")

  struct Case: Decodable {
    var name: String
    var call: String
    var order: Int?
    var type: String?
    var cutoffs: [Double]?
    var notch: Double?
    var quality: Double?
    var up: Int?
    var down: Int?
    var input: String?
    var b: [Double]?
    var a: [Double]?
  }

  static let cases: [Case] = {
    let data = try! Data(contentsOf: directory.appendingPathComponent("cases.json"))
    return try! JSONDecoder().decode([Case].self, from: data)
  }()

  func load(_ name: String) throws -> [Double] {
    try NumPy.read(Self.directory.appendingPathComponent("\(name).npy")).scalars.map(Double.init)
  }

  @Test(arguments: cases.map(\.name))
  func matchesSciPy(name: String) throws {
    let c = Self.cases.first { $0.name == name }!
    let x = try load(c.input ?? "input_500hz")
    let expected = try load(c.name)
    let y: [Double]
    switch c.call {
    case "sosfiltfilt":
      let filter = try IIRFilter.butterworth(
        order: c.order!, cutoffs: c.cutoffs!, type: IIRFilter.PassType(rawValue: c.type!)!, rate: 500)
      // The design's transfer function equals scipy.signal.butter(..., output="ba").
      let (b, a) = filter.transferFunction
      for (ours, theirs) in zip(b + a, c.b! + c.a!) { #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs)), "\(name)") }
      y = try filter.zeroPhase(x)
    case "filtfilt":
      let (b, a): ([Double], [Double])
      if let notch = c.notch {
        (b, a) = try IIRFilter.notch(frequency: notch, quality: c.quality!, rate: 500).transferFunction
      } else {
        (b, a) = try IIRFilter.butterworth(order: c.order!, cutoffs: c.cutoffs!, type: .bandpass, rate: 500).transferFunction
      }
      for (ours, theirs) in zip(b + a, c.b! + c.a!) { #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs)), "\(name)") }
      y = try IIRFilter.zeroPhase(b: b, a: a, x)
    default:
      y = try Resampler(up: c.up!, down: c.down!).resample(x)
    }
    #expect(y.count == expected.count)
    let worst = zip(y, expected).map { abs($0 - $1) }.max() ?? .infinity
    print("scipy agreement \(name): max |ecgxai − SciPy| = \(worst) mV")
    #expect(worst <= 1e-5, "\(name): max |ecgxai − SciPy| = \(worst) mV")
  }

  @Test func rejectsImpossibleDesignsAndShortSignals() throws {
    #expect(throws: SignalError.self) { try IIRFilter.butterworth(order: 4, cutoffs: [300], type: .lowpass, rate: 500) }
    #expect(throws: SignalError.self) { try IIRFilter.butterworth(order: 4, cutoffs: [40, 0.5], type: .bandpass, rate: 500) }
    #expect(throws: SignalError.self) { try IIRFilter.butterworth(order: 0, cutoffs: [40], type: .lowpass, rate: 500) }
    #expect(throws: SignalError.self) { try IIRFilter.notch(frequency: 50, quality: 30, rate: 100) }
    let filter = try IIRFilter.butterworth(order: 4, cutoffs: [0.5, 40], type: .bandpass, rate: 500)
    #expect(throws: SignalError.self) { try filter.zeroPhase([Double](repeating: 0, count: filter.defaultPadding)) }
    #expect(throws: SignalError.self) { try Resampler(up: 0, down: 5) }
  }

  @Test func resamplesRecordsBetweenPTBXLRates() throws {
    let n = 5000
    let samples = (0..<(2 * n)).map { Float(sin(2 * Double.pi * 1.3 * Double($0 % n) / 500)) }
    let record = ECGRecord(name: "r", leadNames: ["I", "II"], samplingRateHz: 500, samples: samples)
    let low = try Resampler.resample(record, toRate: 100)
    #expect(low.sampleCount == 1000 && low.samplingRateHz == 100)
    // A 1.3 Hz sine survives 500 → 100 Hz unchanged away from the edges.
    let worst = (100..<900).map { abs(Double(low.samples[$0]) - sin(2 * Double.pi * 1.3 * Double($0) / 100)) }.max()!
    #expect(worst < 1e-3)
  }
}
