import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A small learnable 12-lead task with known evidence, for training checks and the interim demo
/// (until the phantom cohort exists).
///
/// Each record: a beat train (heart rate 50–100 bpm, 2 % RR jitter) of QRS-like spikes on every
/// lead with per-lead amplitude, plus Gaussian noise (default σ = 0.15 mV). Finding k adds a 120 ms
/// wave 250 ms after every R peak (default 0.2 mV) on its lead group only — inferior (II, III, aVF), septal
/// (V1–V3) or lateral (I, aVL, V5, V6) — with probability 0.35 each, independently. So a
/// faithful attribution of output k lies on group k's leads, after the R peaks.
public enum SyntheticTask {
  /// Lead indices (I, II, III, aVR, aVL, aVF, V1–V6 order) carrying each finding.
  public static let leadGroups: [[Int]] = [[1, 2, 5], [6, 7, 8], [0, 4, 10, 11]]
  /// Names of the findings, one per output.
  public static let classNames = ["inferior", "septal", "lateral"]

  /// Records x [N, 12, length] (mV), labels y [N, 3], and evidence masks [N, 3, 12] (1 where a
  /// lead carries the record's finding k).
  public static func generate(
    records: Int, length: Int, samplingRateHz: Float = 100, findingAmplitudeMV: Float = 0.2,
    noiseMV: Float = 0.15, seed: UInt64
  ) -> (x: Tensor, y: Tensor, leadMask: Tensor) {
    var x = Tensor(zeros: [records, 12, length])
    var y = Tensor(zeros: [records, 3])
    var mask = Tensor(zeros: [records, 3, 12])
    for r in 0..<records {
      var rng = SeededRNG.stream(seed: seed, index: UInt64(r))
      let rr = 60 / Float(50 + 50 * rng.nextUniform()) * samplingRateHz
      let amplitudes = (0..<12).map { _ in Float(0.4 + 1.2 * rng.nextUniform()) * (rng.nextUniform() < 0.2 ? -1 : 1) }
      var present = [Bool](repeating: false, count: 3)
      for k in 0..<3 where rng.nextUniform() < 0.35 {
        present[k] = true
        y[r, k] = 1
        for lead in leadGroups[k] { mask[r, k, lead] = 1 }
      }
      var peaks: [Float] = []
      var t = Float(rng.nextUniform()) * rr
      while t < Float(length) {
        peaks.append(t)
        t += rr * Float(1 + 0.02 * rng.nextNormal())
      }
      let qrsWidth = 0.012 * samplingRateHz
      let waveWidth = 0.05 * samplingRateHz
      let delay = 0.25 * samplingRateHz
      for lead in 0..<12 {
        let base = (r * 12 + lead) * length
        for i in 0..<length {
          var value = noiseMV * Float(rng.nextNormal())
          for peak in peaks {
            let d = Float(i) - peak
            if abs(d) < 6 * qrsWidth { value += amplitudes[lead] * expf(-d * d / (2 * qrsWidth * qrsWidth)) }
            for k in 0..<3 where present[k] && leadGroups[k].contains(lead) {
              let e = d - delay
              if abs(e) < 4 * waveWidth { value += findingAmplitudeMV * expf(-e * e / (2 * waveWidth * waveWidth)) }
            }
          }
          x.scalars[base + i] = value
        }
      }
    }
    return (x, y, mask)
  }
}
