import ECGNet
import ECGTensor

/// Occlusion (Zeiler & Fergus 2014) per lead, Captum's `Occlusion` with sliding window
/// (1, `window`) and step (1, `stride`): every element's attribution is the mean, over the windows
/// covering it, of f(x) − f(x with the window set to `baseline`). Windows start at 0, stride,
/// 2·stride, … ⌈(T − window)/stride⌉·stride (the last one cut at the end of the record).
public struct Occlusion: AttributionMethod {
  public let name = "occlusion"
  /// Window length in samples.
  public var window: Int
  /// Step between windows in samples (≤ window).
  public var stride: Int
  /// Value written into the occluded window (mV).
  public var baseline: Float
  /// Occluded copies evaluated per forward pass.
  public var perturbationsPerPass: Int

  /// Creates the method; e.g. 50-sample windows (500 ms at 100 Hz) every 25 samples.
  public init(window: Int = 50, stride: Int = 25, baseline: Float = 0, perturbationsPerPass: Int = 64) {
    self.window = window
    self.stride = stride
    self.baseline = baseline
    self.perturbationsPerPass = perturbationsPerPass
  }

  public func attribute(_ model: Model, input: Tensor, targets: [Int]) throws -> Attribution {
    let outputs = try validated(model, input: input, targets: targets)
    let (n, leads, length) = (input.shape[0], input.shape[1], input.shape[2])
    guard window >= 1, window <= length, stride >= 1, stride <= window || window == length else {
      throw AttributionError.invalidParameter("occlusion needs 1 ≤ window ≤ \(length) and 1 ≤ stride ≤ window")
    }
    let shifts = (length - window + stride - 1) / stride + 1
    let windows = (0..<leads).flatMap { lead in (0..<shifts).map { (lead, $0 * stride) } }
    let classes = outputs.shape[1]
    var totals = [Double](repeating: 0, count: input.count)
    var counts = [Double](repeating: 0, count: input.count)
    let perRecord = leads * length
    for r in 0..<n {
      let record = Array(input.scalars[(r * perRecord)..<((r + 1) * perRecord)])
      let reference = Double(outputs.scalars[r * classes + targets[r]])
      for chunkStart in Swift.stride(from: 0, to: windows.count, by: perturbationsPerPass) {
        let chunk = windows[chunkStart..<min(chunkStart + perturbationsPerPass, windows.count)]
        var copies = [Float]()
        copies.reserveCapacity(chunk.count * perRecord)
        for (lead, start) in chunk {
          var copy = record
          for t in start..<min(start + window, length) { copy[lead * length + t] = baseline }
          copies += copy
        }
        let occluded = model.forward(Tensor(shape: [chunk.count, leads, length], scalars: copies))
        for (k, (lead, start)) in chunk.enumerated() {
          let drop = reference - Double(occluded.scalars[k * classes + targets[r]])
          for t in start..<min(start + window, length) {
            totals[r * perRecord + lead * length + t] += drop
            counts[r * perRecord + lead * length + t] += 1
          }
        }
      }
    }
    let values = Tensor(shape: input.shape, scalars: zip(totals, counts).map { Float($0 / $1) })
    return Attribution(values: values, outputs: outputs, targets: targets)
  }
}
