import ECGExplain
import ECGNet
import ECGSignal
import ECGTensor
import Foundation

extension SanityStudy {
  /// What every method's checks share: the models, the attributed test records [count, 12, T],
  /// their R peaks (samples at 100 Hz), the profile cut (bins before and after the R peak), the
  /// true wave window (profile bins) and its chance share, and the signal's own profile.
  final class CheckContext {
    let model: Model
    let shuffledModel: Model?
    let x: Tensor
    let rPeaks: [[Int]]
    let before = 30, after = 50
    let waveWindow: Range<Int>
    let chance: Double
    let signalProfile: [Double]
    /// Random-order deletion/insertion curves, the same for every method (computed once).
    var randomCurves: [String: Faithfulness.WindowCurve] = [:]

    init(model: Model, shuffledModel: Model?, x: Tensor, rPeaks: [[Int]], waveWindow: Range<Int>, chance: Double, signalProfile: [Double]) {
      (self.model, self.shuffledModel, self.x, self.rPeaks) = (model, shuffledModel, x, rPeaks)
      (self.waveWindow, self.chance, self.signalProfile) = (waveWindow, chance, signalProfile)
    }
  }

  /// R peaks and the true wave window (median offsets from R over the attributed records
  /// `entries`, dataset indices; their signals `x` [count, 12, T]): `truth`'s fiducials when it
  /// has them, else ecgxai's delineation; and the signal's own profile on the same cut (L2 over
  /// leads, mean over beats, unit norm) — the reference the relevance profiles are drawn against.
  func checkContext(
    dataset: PTBXLDataset, entries: [Int], x: Tensor, truth: (any RecordTruth)?, model: Model, shuffledModel: Model?
  ) throws -> CheckContext {
    let wave = settings.task.wave
    let before = 30, after = 50, rate = 100.0
    var rPeaks: [[Int]] = []
    var windows: [(on: Double, off: Double)] = []
    let ids = entries.map { dataset.entries[$0].ecgID }
    let truthFiducials = try? truth?.fiducials(rate: 100, ecgIDs: Set(ids))
    for (index, id) in zip(entries, ids) {
      if let truthFiducials {
        let beats = truthFiducials[id] ?? []
        rPeaks.append(beats.map { Int(($0.rPeak * rate).rounded()) })
        for beat in beats {
          let pair: (Double?, Double?) = wave == "P" ? (beat.pOnset, beat.pOffset) : wave == "R" ? (beat.qrsOnset, beat.qrsOffset) : (beat.tOnset, beat.tOffset)
          if let a = pair.0, let b = pair.1 { windows.append((((a - beat.rPeak) * rate).rounded(), ((b - beat.rPeak) * rate).rounded())) }
        }
      } else {
        let record = try dataset.record(at: index, rate: 100)
        let d = try Delineator().delineate(record)
        rPeaks.append(d.rPeaks.samples)
        for beat in d.beats {
          let pair: (Double?, Double?) = wave == "P" ? (beat.pOnset, beat.pOffset) : wave == "R" ? (beat.qrsOnset, beat.qrsOffset) : (beat.tOnset, beat.tOffset)
          if let a = pair.0, let b = pair.1 { windows.append(((a - beat.rPeak) * rate, (b - beat.rPeak) * rate)) }
        }
      }
    }
    let median = { (x: [Double]) in x.sorted()[x.count / 2] }
    guard !windows.isEmpty else { throw SanityError("no \(wave) waves found in the test records") }
    let waveWindow = (Int(median(windows.map(\.on)).rounded()) + before)..<(Int(median(windows.map(\.off)).rounded()) + before + 1)
    let chance = Double(waveWindow.count) / Double(before + after + 1)
    let count = x.shape[0], length = x.shape[2]
    var signalProfile = [Double](repeating: 0, count: before + after + 1)
    var signalBeats = 0
    for r in 0..<count {
      let record = x.scalars[(r * 12 * length)..<((r + 1) * 12 * length)]
      if let p = AmplitudeSanity.beatProfile(record, leads: 12, rPeaks: rPeaks[r], before: before, after: after) {
        for i in signalProfile.indices { signalProfile[i] += p[i] }
        signalBeats += 1
      }
    }
    let signalUnit = AmplitudeSanity.unitNorm(signalProfile.map { $0 / Double(max(1, signalBeats)) })
    return CheckContext(model: model, shuffledModel: shuffledModel, x: x, rPeaks: rPeaks, waveWindow: waveWindow, chance: chance,
                        signalProfile: signalUnit)
  }

  /// Every check of one method → its entry in the result (and a few progress lines).
  func checks(_ method: any AttributionMethod, _ c: CheckContext, progress: (SanityProgress) -> Void) throws -> MethodResult {
    let (bootstrap, seed) = (settings.bootstrap, settings.seed)
    let count = c.x.shape[0], length = c.x.shape[2], bins = c.before + c.after + 1
    // The paper's two scores, kept per record so that records can be resampled.
    var specificities = [[Double]](repeating: [], count: count)
    var profileSums = [[Double]](repeating: [Double](repeating: 0, count: bins), count: count)
    var profileCounts = [Int](repeating: 0, count: count)
    for lead in 0..<12 {
      for s in stride(from: 0, to: count, by: 64) {
        let range = s..<min(s + 64, count)
        let values = try method.attribute(c.model, input: c.x.slice(range), targets: Array(repeating: lead, count: range.count)).values
        for (offset, r) in range.enumerated() {
          let record = values.scalars[(offset * 12 * length)..<((offset + 1) * 12 * length)]
          if let sp = AmplitudeSanity.spatialSpecificity(record, leads: 12, lead: lead) { specificities[r].append(sp) }
          if let p = AmplitudeSanity.beatProfile(record, leads: 12, rPeaks: c.rPeaks[r], before: c.before, after: c.after) {
            for i in 0..<bins { profileSums[r][i] += p[i] }
            profileCounts[r] += 1
          }
        }
      }
    }
    func profile(_ rows: [Int]) -> [Double]? {
      var p = [Double](repeating: 0, count: bins), k = 0
      for r in rows { for i in 0..<bins { p[i] += profileSums[r][i] }; k += profileCounts[r] }
      return k > 0 ? AmplitudeSanity.unitNorm(p.map { $0 / Double(k) }) : nil
    }
    let unit = profile(Array(0..<count)) ?? [Double](repeating: 0, count: bins)
    let peak = unit.indices.max { unit[$0] < unit[$1] }!
    let share = AmplitudeSanity.share(unit, inside: c.waveWindow)
    let perRecord = specificities.map { $0.isEmpty ? Double.nan : $0.reduce(0, +) / Double($0.count) }
    let specificity = BootstrapCI.mean(perRecord, resamples: bootstrap, seed: seed)
    let shareCI = BootstrapCI.interval(rows: count, resamples: bootstrap, seed: seed) { rows in
      profile(rows).map { AmplitudeSanity.share($0, inside: c.waveWindow) } ?? .nan
    }
    func ci(_ i: BootstrapCI.Interval?, scale: Double = 1) -> String {
      i.map { String(format: "%.3f [%.3f, %.3f]", $0.estimate * scale, $0.lower * scale, $0.upper * scale) } ?? "—"
    }
    progress(.line("  " + method.name.padding(toLength: 16, withPad: " ", startingAt: 0) + " " + ci(specificity)
      + String(format: "   %+5d ms       %.2f (%.1f× chance; 95 %% CI %.1f–%.1f×)", (peak - c.before) * 10, share, share / c.chance,
               shareCI.lower / c.chance, shareCI.upper / c.chance)))
    var scale = shareCI
    (scale.estimate, scale.lower, scale.upper) = (shareCI.estimate / c.chance, shareCI.lower / c.chance, shareCI.upper / c.chance)
    var entry = MethodResult(
      method: method.name, provenance: Provenance(),
      amplitude: .init(
        spatialSpecificity: specificity?.estimate ?? .nan, spatialSpecificityCI: specificity, profilePeakMs: (peak - c.before) * 10,
        shareInWaveWindow: share, shareOverChance: share / c.chance, shareInWaveWindowCI: shareCI, shareOverChanceCI: scale,
        profile: unit))
    guard settings.randomisationRecords > 0 else { return entry }
    try randomisationAndFaithfulness(method, c, into: &entry, progress: progress)
    return entry
  }
}
