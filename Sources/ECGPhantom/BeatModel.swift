#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Beat-to-beat variation applied to a record's template beat.
struct BeatJitter: Sendable {
  /// Absolute time of the beat's QRS onset, seconds.
  var qrsOnset: Double
  /// The preceding RR interval, seconds (sets this beat's QT).
  var precedingRR: Double
  /// Multiplies every amplitude (≈ 1 ± 3 %).
  var amplitudeScale: Double
  /// Respiratory rotation of the ventricular vectors in the frontal plane, radians.
  var respiratoryRotation: Double
  /// PR jitter, seconds.
  var prShift: Double

  /// No variation: the template at the record's mean RR.
  static func template(rr: Double) -> BeatJitter {
    BeatJitter(qrsOnset: 0, precedingRR: rr, amplitudeScale: 1, respiratoryRotation: 0, prShift: 0)
  }
}

/// The phantom's beat: wave lobes in VCG space built from a record spec and its findings.
///
/// The normal beat has two P lobes (right then left atrium), a septal q, the main R and a
/// terminal S lobe, and an asymmetric T; each finding edits these lobes (see docs/phantom.md for
/// the vectors). All vectors are in Frank coordinates before the record's axis rotation.
enum BeatModel {
  /// The default direction and size (mV) of the normal lobes, before the record's scales.
  static let septalQ = HeartVector(-0.12, 0.03, -0.22)
  static let mainR = HeartVector(1.0, 0.7, 0.55)
  static let terminalS = HeartVector(-0.35, -0.1, 0.35)
  static let normalT = HeartVector(0.28, 0.18, -0.12)
  static let rightAtrialP = HeartVector(0.02, 0.09, -0.05)
  static let leftAtrialP = HeartVector(0.07, 0.05, 0.05)
  static let fibrillationDirection = HeartVector(-0.3, 0.4, -0.85)

  /// The lobes of one beat with the given findings present (absolute times when
  /// `jitter.qrsOnset` is absolute).
  static func lobes(
    _ spec: PhantomRecordSpec, findings: Set<PhantomFinding>, jitter: BeatJitter
  ) -> [WaveLobe] {
    var ventricular: [WaveLobe] = []
    let baseQRS = spec.qrsMs / 1000
    var d = baseQRS
    let lvh = findings.contains(.lvh) ? spec.findings[.lvh] : nil
    if let lvh { d += 0.012 * lvh.severity }
    let lbbb = findings.contains(.clbbb) ? spec.findings[.clbbb] : nil
    let rbbb = findings.contains(.crbbb) ? spec.findings[.crbbb] : nil
    let infarcts = findings.filter(\.isInfarction).sorted()

    // QRS lobes.
    var r = mainR
    var s = terminalS
    if let lvh {
      r += (0.75 + 1.4 * lvh.severity) * HeartVector(1, 0.12, 1)
      s += (0.1 + 0.3 * lvh.severity) * HeartVector(-0.3, 0, 1)
    }
    if let lbbb {
      d = 0.13 + 0.04 * lbbb.severity
      ventricular.append(WaveLobe(.qrs, center: 0.12 * d, sigmaLeft: 0.048 * d, sigmaRight: 0.06 * d, amplitude: HeartVector(0.15, 0.05, 0.25)))
      let r1 = HeartVector(0.9, 0.35, 0.85) + (lvh.map { (0.3 + 0.6 * $0.severity) * HeartVector(1, 0.17, 1) } ?? .zero)
      let r2 = HeartVector(1.0, 0.25, 0.95) + (lvh.map { (0.3 + 0.6 * $0.severity) * HeartVector(1, 0.17, 1) } ?? .zero)
      ventricular.append(WaveLobe(.qrs, center: 0.36 * d, sigmaLeft: 0.12 * d, sigmaRight: 0.10 * d, amplitude: r1))
      ventricular.append(WaveLobe(.qrs, center: 0.66 * d, sigmaLeft: 0.10 * d, sigmaRight: 0.136 * d, amplitude: r2))
    } else {
      let rCenter = (0.42 + 0.04 * (lvh?.severity ?? 0)) * d
      // The septal q (septal r in V1–V3): lost with an infarct, except that an anteroseptal
      // infarct with poor R-wave progression (and no other infarct) keeps a small one.
      let septalScale = infarcts.isEmpty ? 1 : infarcts.map { finding -> Double in
        let detail = spec.findings[finding]!
        return isPoorRProgression(finding, detail) ? septalRemaining(detail) : 0
      }.min()!
      if septalScale > 0 {
        ventricular.append(WaveLobe(.qrs, center: 0.16 * d, sigmaLeft: 0.064 * d, sigmaRight: 0.07 * d, amplitude: septalScale * septalQ))
      }
      for finding in infarcts {
        let detail = spec.findings[finding]!
        let u = infarctDirection(finding, detail)
        let old = detail.stage == .old
        if isPoorRProgression(finding, detail) {
          // No pathological Q; the anterior R forces are lost (R turned posterior): small r and
          // deeper S in V1–V3, R growing only in V4–V5 (late transition).
          r.z += (old ? 0.2 + 0.4 * detail.severity : 0.1 + 0.2 * detail.severity) * (r * r).sum().squareRoot()
          continue
        }
        let along = (r * u).sum()
        let lossFactor = old ? 0.2 + 0.6 * detail.severity : 0.3 * detail.severity
        if along > 0 { r -= min(0.95, lossFactor) * along * u }
        var depth = old ? 0.12 + 0.5 * detail.severity : 0.05 + 0.2 * detail.severity
        if detail.variant == "septal-qs" { depth *= 1.3 }  // QS in V1–V2(–V3)
        ventricular.append(WaveLobe(.qrs, center: 0.2 * d, sigmaLeft: 0.08 * d, sigmaRight: 0.09 * d, amplitude: -depth * u))
      }
      ventricular.append(WaveLobe(.qrs, center: rCenter, sigmaLeft: 0.11 * d, sigmaRight: 0.10 * d, amplitude: r))
      if let rbbb {
        let total = 0.12 + 0.03 * rbbb.severity
        ventricular.append(WaveLobe(.qrs, center: 0.78 * d, sigmaLeft: 0.09 * d, sigmaRight: 0.088 * d, amplitude: 0.5 * s))
        ventricular.append(WaveLobe(.qrs, center: total - 0.04, sigmaLeft: 0.02, sigmaRight: 0.016, amplitude: HeartVector(-0.55, 0.0, -0.65)))
        d = total
      } else {
        ventricular.append(WaveLobe(.qrs, center: 0.78 * d, sigmaLeft: 0.09 * d, sigmaRight: 0.088 * d, amplitude: s))
      }
    }
    let voltage = spec.qrsScale * (1 + 0.9 * (spec.benignVariants["high-voltage"] ?? 0))
    for i in ventricular.indices { ventricular[i].amplitude *= voltage }

    // Repolarisation: QT from the preceding RR (Framingham), T lobe ending at QRS onset + QT.
    let qt = (spec.qtcMs - 154 * (1 - jitter.precedingRR)) / 1000 + (lbbb != nil || rbbb != nil ? d - baseQRS : 0)
    let tRight = 0.045 * qt / 0.4
    let tLeft = 0.055 * qt / 0.4
    let tCenter = qt - 2.5 * tRight
    var t = normalT * spec.tScale
    var st = HeartVector.zero
    if let strength = spec.benignVariants["early-repolarisation"] {
      st += (0.06 + 0.1 * strength) * HeartVector(0.35, 0.2, -0.9)
    }
    if let strength = spec.benignVariants["juvenile-t"] { t += (0.15 + 0.2 * strength) * HeartVector(0, 0, 1) }
    if let strength = spec.benignVariants["low-t"] { t *= 1 - 0.6 * strength }
    if let lvh, lvh.strain {
      t -= lvh.severity * HeartVector(0.55, 0.15, 0.25)
      st -= 0.12 * lvh.severity * HeartVector(0.8, 0.3, 0.2)
    }
    if lbbb != nil {
      t = -HeartVector(0.32, 0.12, 0.38) * spec.tScale
      st -= 0.15 * HeartVector(0.7, 0.2, 0.7)
    }
    if rbbb != nil { t += HeartVector(0, 0, 0.3) * spec.tScale }
    if findings.contains(.nonDiagnosticT), let detail = spec.findings[.nonDiagnosticT] {
      t -= (0.15 + 0.25 * detail.severity) * HeartVector(1, 0.15, 0.15)
    }
    if findings.contains(.nonSpecificST), let detail = spec.findings[.nonSpecificST] {
      st -= (0.04 + 0.06 * detail.severity) * HeartVector(0.8, 0.55, 0.1)
    }
    if findings.contains(.ischemic), let detail = spec.findings[.ischemic] {
      st -= (0.08 + 0.12 * detail.severity) * HeartVector(0.75, 0.6, 0.1)
      t -= detail.severity * HeartVector(0.45, 0.3, -0.1)
    }
    for finding in infarcts {
      let detail = spec.findings[finding]!
      let u = infarctDirection(finding, detail)
      if detail.stage == .acute {
        st += (0.1 + 0.25 * detail.severity) * u
        t += (0.15 + 0.25 * detail.severity) * u
      } else {
        t -= (max((t * u).sum(), 0) + 0.1 + 0.25 * detail.severity) * u
        if detail.variant == "poor-r-progression" { t -= 0.1 * HeartVector(0, 0, -1) }
      }
    }
    ventricular.append(WaveLobe(.t, center: tCenter, sigmaLeft: tLeft, sigmaRight: tRight, amplitude: t))
    if let strength = spec.benignVariants["u-wave"] {
      // U wave: 100 ms after the T peak, 5–15 % of the normal T, mostly anterior (V2–V3).
      let u = (0.05 + 0.1 * strength) * (normalT * spec.tScale) + (0.02 + 0.03 * strength) * HeartVector(0, 0, -1)
      ventricular.append(WaveLobe(.u, center: tCenter + 0.1, sigmaLeft: 0.03, sigmaRight: 0.035, amplitude: u))
    }
    if (st * st).sum() > 0 {
      ventricular.append(
        WaveLobe(.st, center: d + 0.005, sigmaLeft: 0.02, sigmaRight: 0.06, amplitude: st, shape: .plateau(end: tCenter)))
    }

    // Axis: the record's heart position plus respiration, applied to all ventricular lobes.
    let frontal = (spec.frontalAxisShiftDeg * .pi / 180) + jitter.respiratoryRotation
    let horizontal = spec.horizontalRotationDeg * .pi / 180
    var lobes: [WaveLobe] = []
    lobes.reserveCapacity(ventricular.count + 2)
    for var lobe in ventricular {
      lobe.amplitude = rotate(lobe.amplitude, frontal: frontal, horizontal: horizontal) * jitter.amplitudeScale
      lobes.append(lobe.shifted(by: jitter.qrsOnset))
    }

    // Atria: no P waves in AFIB.
    if !findings.contains(.afib) {
      let pr = (findings.contains(.firstDegreeAVBlock) ? spec.prMs : spec.normalPRMs) / 1000 + jitter.prShift
      let pd = spec.pDurationMs / 1000
      let pc = -pr + pd / 2
      let pScale = spec.pScale * jitter.amplitudeScale
      let pRotation = spec.frontalAxisShiftDeg * .pi / 360
      lobes.append(
        WaveLobe(.p, center: pc - 0.2 * pd, sigmaLeft: 0.12 * pd, sigmaRight: 0.12 * pd,
                 amplitude: rotate(rightAtrialP, frontal: pRotation, horizontal: 0) * pScale).shifted(by: jitter.qrsOnset))
      lobes.append(
        WaveLobe(.p, center: pc + 0.2 * pd, sigmaLeft: 0.12 * pd, sigmaRight: 0.12 * pd,
                 amplitude: rotate(leftAtrialP, frontal: pRotation, horizontal: 0) * pScale).shifted(by: jitter.qrsOnset))
    }
    return lobes
  }

  /// Whether a finding is the ASMI variant with poor R-wave progression (small r preserved in
  /// V1–V3, late transition, no pathological Q) rather than septal QS complexes.
  static func isPoorRProgression(_ finding: PhantomFinding, _ detail: FindingDetail) -> Bool {
    finding == .asmi && detail.variant == "poor-r-progression"
  }

  /// The share of the septal lobe that poor R-wave progression keeps: 0.25…0.55 for an old
  /// infarct, 0.45…0.75 for an acute one (the larger the severity, the smaller the r).
  static func septalRemaining(_ detail: FindingDetail) -> Double {
    (detail.stage == .old ? 0.55 : 0.75) - 0.3 * detail.severity
  }

  /// The infarct direction of a finding, turned for the ASMI variants.
  static func infarctDirection(_ finding: PhantomFinding, _ detail: FindingDetail) -> HeartVector {
    if finding == .asmi, detail.variant == "poor-r-progression" {
      let v = HeartVector(0.15, 0.05, -1)
      return v / (v * v).sum().squareRoot()
    }
    return finding.infarctDirection!
  }
}

/// Fiducial times of one beat (seconds), derived from its lobes: onsets and offsets are the
/// lobe edges (centre ∓ 2.5σ) of lobes larger than 0.03 mV; P and T peaks are lobe centres, the
/// R peak is the time of the QRS's largest spatial magnitude.
public struct BeatFiducials: Sendable, Equatable {
  /// P onset, peak and offset (nil without P waves).
  public var pOnset: Double?, pPeak: Double?, pOffset: Double?
  /// QRS onset, R peak (maximum spatial magnitude of the QRS) and QRS offset (J point).
  public var qrsOnset: Double, rPeak: Double, qrsOffset: Double
  /// T onset, peak and offset.
  public var tOnset: Double, tPeak: Double, tOffset: Double

  /// Fiducials of a beat's lobes.
  init(lobes: [WaveLobe]) {
    let visible = lobes.filter { ($0.amplitude * $0.amplitude).sum() >= 0.03 * 0.03 }
    let p = visible.filter { $0.wave == .p }
    let qrs = visible.filter { $0.wave == .qrs }
    let t = lobes.first { $0.wave == .t }!
    if p.isEmpty {
      pOnset = nil; pPeak = nil; pOffset = nil
    } else {
      pOnset = p.map(\.onset).min()
      pOffset = p.map(\.offset).max()
      pPeak = p.map(\.center).reduce(0, +) / Double(p.count)
    }
    qrsOnset = qrs.map(\.onset).min()!
    qrsOffset = qrs.map(\.offset).max()!
    // R peak: the QRS's maximum spatial (VCG) magnitude, on a 1 ms grid — well defined for
    // notched and split complexes (bundle-branch blocks) too.
    let qrsLobes = lobes.filter { $0.wave == .qrs }
    var best = (time: qrsOnset, magnitude: -1.0)
    var time = qrsOnset
    while time <= qrsOffset {
      var v = HeartVector.zero
      for lobe in qrsLobes { v += lobe.weight(at: time) * lobe.amplitude }
      let m = (v * v).sum()
      if m > best.magnitude { best = (time, m) }
      time += 0.001
    }
    rPeak = best.time
    tOnset = t.onset
    tPeak = t.center
    tOffset = t.offset
  }
}
