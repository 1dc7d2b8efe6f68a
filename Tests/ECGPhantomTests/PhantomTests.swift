import ECGSignal
import ECGTensor
import Foundation
import Testing

@testable import ECGPhantom

/// The phantom is reproducible, physiologically consistent where it must be exactly (lead
/// identities, fiducial order, true amplitudes), puts its evidence where the finding lives, and
/// writes a PTB-XL folder that the PTB-XL loader reads with the planted labels.
@Suite struct PhantomTests {
  static let config = PhantomConfig(recordCount: 24, seed: 11, rates: [100, 500])

  func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("phantom-\(UUID().uuidString)")
  }

  @Test func sameSeedGivesByteIdenticalFolders() throws {
    let cohort = try PhantomCohort(Self.config)
    let a = temporaryDirectory()
    let b = temporaryDirectory()
    _ = try PhantomWriter.write(cohort, to: a)
    _ = try PhantomWriter.write(try PhantomCohort(Self.config), to: b)
    let files = FileManager.default.enumerator(atPath: a.path)!.compactMap { $0 as? String }.filter { $0.contains(".") }.sorted()
    #expect(files.count == 2 + 7 + 2 * 2 * 24)
    for file in files {
      #expect(try Data(contentsOf: a.appendingPathComponent(file)) == Data(contentsOf: b.appendingPathComponent(file)), "\(file)")
    }
    #expect(throws: PhantomError.self) { try PhantomWriter.write(cohort, to: a) }
    _ = try PhantomWriter.write(cohort, to: a, overwrite: true)
  }

  @Test func limbLeadIdentitiesHold() throws {
    let record = try PhantomCohort(Self.config).render(ecgID: 3)
    let n = 5000
    let s = record.signals500
    for t in 0..<n {
      let (i, ii) = (s[t], s[n + t])
      #expect(abs(s[2 * n + t] - (ii - i)) < 1e-5)
      #expect(abs(s[3 * n + t] + (i + ii) / 2) < 1e-5)
      #expect(abs(s[4 * n + t] - (i - ii / 2)) < 1e-5)
      #expect(abs(s[5 * n + t] - (ii - i / 2)) < 1e-5)
    }
  }

  @Test func fiducialsAreOrderedAndIntervalsPhysiological() throws {
    let cohort = try PhantomCohort(Self.config)
    for id in 1...Self.config.recordCount {
      let record = cohort.render(ecgID: id)
      #expect(record.beats.count >= 5)
      for beat in record.beats {
        if let on = beat.pOnset, let peak = beat.pPeak, let off = beat.pOffset {
          #expect(on < peak && peak < off && off <= beat.qrsOnset)
        }
        #expect(beat.qrsOnset < beat.rPeak && beat.rPeak < beat.qrsOffset && beat.qrsOffset <= beat.tOnset)
        #expect(beat.tOnset < beat.tPeak && beat.tPeak < beat.tOffset)
      }
      let m = record.measurements
      #expect((70...180).contains(m.qrsMs))
      #expect((300...470).contains(m.qtcBazettMs + (record.spec.findings[.clbbb] != nil ? -60 : 0)))
    }
  }

  /// The true R amplitude equals the maximum of the noise-free signal in each beat's QRS (± the
  /// 3 % beat-to-beat amplitude jitter and respiration).
  @Test func trueAmplitudesMatchTheNoiseFreeSignal() throws {
    var spec = PhantomCohort.drawSpec(ecgID: 1, config: Self.config)
    spec.noise = .clean
    let record = RecordSynthesizer.render(spec, durationSeconds: 10, mainsHz: 50, seed: 1)
    for lead in [1, 6, 10] {
      let trueR = record.measurements.rAmplitude[lead]
      let peaks = record.beats.dropFirst().dropLast().map { beat in
        let from = Int(beat.qrsOnset * 500), to = Int(beat.qrsOffset * 500)
        return Double(record.signals500[(lead * 5000 + from)...(lead * 5000 + to)].max()!)
      }
      let mean = peaks.reduce(0, +) / Double(peaks.count)
      #expect(abs(mean - trueR) <= 0.05 * abs(trueR) + 0.01, "lead \(lead): \(mean) vs \(trueR)")
    }
  }

  /// An inferior MI's evidence lies in II, III and aVF (and reciprocally in aVL), not in V1–V3;
  /// LVH's evidence lies in the QRS of the precordial leads.
  @Test func evidenceLiesWhereTheFindingIs() throws {
    var imi = PhantomCohort.drawSpec(ecgID: 1, config: Self.config)
    imi.frontalAxisShiftDeg = 0
    imi.horizontalRotationDeg = 0
    imi.findings = [.imi: FindingDetail(severity: 0.8, stage: .old)]
    let record = RecordSynthesizer.render(imi, durationSeconds: 10, mainsHz: 50, seed: 2)
    let leads = Set(record.evidence.map(\.lead))
    #expect(leads.isSuperset(of: [1, 2, 5]))
    let inferiorMass = record.evidence.filter { [1, 2, 5].contains($0.lead) }.map { $0.end - $0.start }.reduce(0, +)
    let septalMass = record.evidence.filter { [6, 7].contains($0.lead) }.map { $0.end - $0.start }.reduce(0, +)
    #expect(inferiorMass > 3 * septalMass)

    var lvh = imi
    lvh.findings = [.lvh: FindingDetail(severity: 0.8)]
    let hypertrophy = RecordSynthesizer.render(lvh, durationSeconds: 10, mainsHz: 50, seed: 2)
    for interval in hypertrophy.evidence {
      let beat = hypertrophy.beats.min { abs($0.rPeak - interval.start) < abs($1.rPeak - interval.start) }!
      #expect(interval.start >= beat.qrsOnset - 0.01 && interval.end <= beat.qrsOffset + 0.01)
    }
    #expect(Set(hypertrophy.evidence.map(\.lead)).isSuperset(of: [6, 10]))
  }

  /// The two hidden ASMI variants as a cardiologist reads them (noise-free QRS, no axis
  /// rotation): septal QS — no r at all in V1–V2, a deep initial negative deflection; poor R-wave
  /// progression — a small r preserved in V1–V2, no Q, and little R in V3–V4 (late transition).
  @Test func asmiVariantsAreSeptalQSAndPoorRProgression() throws {
    var spec = PhantomCohort.drawSpec(ecgID: 1, config: Self.config)
    (spec.frontalAxisShiftDeg, spec.horizontalRotationDeg, spec.qrsScale, spec.qrsMs, spec.benignVariants) = (0, 0, 1, 92, [:])
    func qrs(_ variant: String?) -> (_ lead: Int, _ from: Double, _ to: Double) -> (min: Double, max: Double) {
      spec.findings = variant.map { [.asmi: FindingDetail(severity: 0.8, stage: .old, variant: $0)] } ?? [:]
      let lobes = BeatModel.lobes(spec, findings: Set(spec.findings.keys), jitter: .template(rr: 60 / spec.heartRateBpm)).filter { $0.wave == .qrs }
      return { lead, from, to in
        let values = stride(from: from, through: to, by: 0.001).map { t in
          (LeadProjection.coefficients(lead: lead) * lobes.reduce(HeartVector.zero) { $0 + $1.weight(at: t) * $1.amplitude }).sum()
        }
        return (values.min()!, values.max()!)
      }
    }
    let (septal, poor, normal) = (qrs("septal-qs"), qrs("poor-r-progression"), qrs(nil))
    for lead in [6, 7] {  // V1, V2
      #expect(septal(lead, 0, 0.03).max < 0, "QS: no initial r")
      #expect(septal(lead, 0, 0.012).min < -0.3, "deep Q")
      #expect(poor(lead, 0, 0.012).max > 0.02, "small r preserved")
      #expect(poor(lead, 0, 0.012).min > -0.005, "no Q")
      #expect(poor(lead, 0, 0.012).max < 0.5 * normal(lead, 0, 0.012).max, "the r is small")
    }
    #expect(poor(8, 0, 0.09).max < 0.5 * septal(8, 0, 0.09).max, "V3: little R")
    #expect(poor(9, 0, 0.09).max < 0.7 * septal(9, 0, 0.09).max, "V4: the transition comes late")
  }

  /// Planted infarcts are acute as often as in PTB-XL (Stadium I among its staged MI records,
  /// 7.6 %), so the stage does not rival the territory as the MI records' hidden structure.
  @Test func infarctStageSharesFollowPTBXL() throws {
    let cohort = try PhantomCohort(PhantomConfig(recordCount: 4000, seed: 11, rates: [100]))
    let stages = cohort.specs.flatMap { $0.findings.values.compactMap(\.stage) }
    let acute = Double(stages.filter { $0 == .acute }.count) / Double(stages.count)
    #expect(stages.count > 500)
    #expect(abs(acute - PhantomCohort.acuteInfarctShare) < 0.03, "acute share \(acute) of \(stages.count) infarcts")
  }

  @Test func writtenFolderReadsAsPTBXLWithThePlantedLabels() throws {
    let cohort = try PhantomCohort(PhantomConfig(recordCount: 40, seed: 5, rates: [100]))
    let root = temporaryDirectory()
    _ = try PhantomWriter.write(cohort, to: root)
    let dataset = try PTBXLDataset(root: root)
    let labels = dataset.labels(task: .superdiagnostic)
    #expect(labels.entryIndices.count == 40)
    for (row, index) in labels.entryIndices.enumerated() {
      let expected = cohort.specs[index].labelledSuperclasses
      let got = labels.classes.indices.filter { labels.matrix.scalars[row * labels.classes.count + $0] == 1 }.map { labels.classes[$0] }
      #expect(got == expected)
    }
    let x = try dataset.batch([0, 1])
    let rendered = cohort.render(ecgID: 1).signals100
    #expect(x.shape == [2, 12, 1000])
    #expect(zip(x.scalars.prefix(12_000), rendered).allSatisfy { abs($0 - $1) <= 0.0005 + 1e-6 })
    #expect(Set(dataset.entries.map(\.fold)) == Set(1...10))
  }
}

/// The truth tables read back: evidence masks at any rate and the planted/spurious findings.
@Suite struct PhantomTruthTests {
  @Test func evidenceMasksAndFindingsReadBack() throws {
    let cohort = try PhantomCohort(PhantomConfig(recordCount: 30, seed: 3, rates: [100]))
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString)")
    _ = try PhantomWriter.write(cohort, to: root)
    let truth = try PhantomTruth(root: root)
    for spec in cohort.specs {
      let planted = Set(spec.findings.keys.map(\.rawValue))
      let read = Set((truth.findings[spec.ecgID] ?? []).filter(\.planted).map(\.code))
      #expect(read == planted)
      guard let finding = spec.findings.keys.sorted().first, finding != .afib else { continue }
      let record = cohort.render(ecgID: spec.ecgID)
      let mask = truth.evidenceMask(ecgID: spec.ecgID, finding: finding.rawValue, rate: 100, samples: 1000)
      let intervals = record.evidence.filter { $0.finding == finding }
      #expect(mask.contains(1) == !intervals.isEmpty)
      for interval in intervals where interval.end - interval.start >= 0.02 {
        let mid = Int(((interval.start + interval.end) / 2 * 100).rounded(.down))
        #expect(mask[interval.lead * 1000 + mid] == 1)
      }
    }
  }
}

/// The cohort is identical across processes, machines and thread counts: a checksum of a small
/// cohort's files is pinned. (A change of the generator must update it deliberately, together
/// with docs/phantom.md.)
@Suite struct PhantomGoldenTests {
  static func fnv1a(_ data: Data, _ hash: inout UInt64) {
    for byte in data {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01B3
    }
  }

  @Test func pinnedChecksum() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString)")
    _ = try PhantomWriter.write(try PhantomCohort(PhantomConfig(recordCount: 12, seed: 2024, rates: [100])), to: root)
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for file in ["ptbxl_database.csv", "truth/findings.csv", "truth/unig_features.csv", "truth/evidence.csv", "truth/fiducials_100hz.csv", "records100/00000/00007_lr.dat"] {
      Self.fnv1a(try Data(contentsOf: root.appendingPathComponent(file)), &hash)
    }
    #expect(String(hash, radix: 16) == "4d3834436baabca9")
  }
}
