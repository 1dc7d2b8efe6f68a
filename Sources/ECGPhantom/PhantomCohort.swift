import ECGTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Draws the records of a phantom cohort: demographics, intervals, findings, noise and folds.
///
/// Record `i` (ecg_id i) draws from the independent random stream (seed, i), so any record can be
/// regenerated alone and the cohort is identical for any thread count.
public struct PhantomCohort: Sendable {
  /// The configuration.
  public let config: PhantomConfig
  /// One spec per record, ecg_id 1…N.
  public let specs: [PhantomRecordSpec]
  /// PTB-XL `strat_fold` (1…10) per record, stratified by the labelled superclasses.
  public let folds: [Int]

  /// Draws a cohort.
  public init(_ config: PhantomConfig) throws {
    try PhantomError.validate(config)
    self.config = config
    let specs = (1...config.recordCount).map { Self.drawSpec(ecgID: $0, config: config) }
    self.specs = specs
    self.folds = Self.stratifiedFolds(specs, seed: config.seed)
  }

  /// The noise/beat-variation seed of a record (a stream independent of its spec's).
  public func renderSeed(ecgID: Int) -> UInt64 {
    var rng = SeededRNG.stream(seed: config.seed ^ 0x5EED_0FEC, index: UInt64(ecgID))
    return rng.next()
  }

  /// Renders record `ecgID` (1-based).
  public func render(ecgID: Int) -> SynthesizedRecord {
    RecordSynthesizer.render(
      specs[ecgID - 1], durationSeconds: config.durationSeconds, mainsHz: config.mainsHz,
      seed: renderSeed(ecgID: ecgID), rates: Set(config.rates))
  }

  /// The share of planted infarctions drawn acute (ST elevation) rather than old: PTB-XL's share of
  /// Stadium I among its MI records with a known `infarction_stadium1` (166 of 2,177).
  public static let acuteInfarctShare = 0.08

  /// Draws one record's spec.
  static func drawSpec(ecgID: Int, config: PhantomConfig) -> PhantomRecordSpec {
    var rng = SeededRNG.stream(seed: config.seed, index: UInt64(ecgID))
    let d = config.difficulty
    let v = d.variability
    func normal() -> Double { rng.nextNormal() }
    func uniform() -> Double { rng.nextUniform() }
    func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { min(max(x, lo), hi) }

    let female = uniform() < 0.48
    let age = Int(clamp((60 + 16 * normal()).rounded(), 18, 95))
    let height = female ? 164 + 6.5 * normal() : 177 + 7 * normal()
    let bmi = clamp(26.5 + 4 * normal(), 17, 45)
    let weight = bmi * (height / 100) * (height / 100)
    var hr = clamp(70 + 11 * v * normal(), 45, 115)
    let normalPR = clamp(160 + 0.4 * Double(age - 50) + 15 * v * normal(), 122, 198)
    let qrs = clamp(92 - (female ? 5 : 0) + 7 * v * normal(), 74, 110)
    let qtc = clamp(405 + (female ? 10 : 0) + 14 * v * normal(), 365, 445)
    let pDuration = clamp(95 + 9 * v * normal(), 75, 112)
    let frontal = 12 * v * normal() - 0.3 * Double(age - 50)
    let horizontal = 10 * v * normal()
    let habitus = (26.5 / bmi).squareRoot()
    let qrsScale = clamp(exp(0.18 * v * normal()) * (female ? 0.85 : 1) * (1 - 0.004 * Double(age - 50)) * habitus, 0.65, 1.6)
    let pScale = clamp(exp(0.15 * v * normal()), 0.6, 1.4)
    let tScale = exp(0.2 * v * normal()) * (female ? 0.9 : 1)
    var rrVariability = 0.015 + 0.025 * uniform() * (age < 40 ? 1.5 : 1)

    // Findings.
    let prevalence = config.prevalence
    func severity() -> Double { d.minimumSeverity + (1 - d.minimumSeverity) * uniform() }
    var findings: [PhantomFinding: FindingDetail] = [:]
    if uniform() < prevalence["MI", default: 0] {
      let territories: [(PhantomFinding, Double)] = [(.imi, 0.38), (.ilmi, 0.08), (.asmi, 0.34), (.ami, 0.06), (.almi, 0.08), (.lmi, 0.06)]
      func drawTerritory() -> PhantomFinding {
        var u = uniform()
        for (f, p) in territories {
          u -= p
          if u < 0 { return f }
        }
        return .lmi
      }
      var chosen = [drawTerritory()]
      if uniform() < 0.06 {
        let second = drawTerritory()
        if second != chosen[0], !(Set([second, chosen[0]]).isSubset(of: [.imi, .ilmi])) { chosen.append(second) }
      }
      for finding in chosen {
        // PTB-XL's `infarction_stadium1`: of its 2,177 MI records with a stage, 166 (7.6 %) are
        // Stadium I (acute), the rest II / II-III / III.
        let stage: InfarctStage = uniform() < Self.acuteInfarctShare ? .acute : .old
        var variant: String? = nil
        if finding == .asmi { variant = uniform() < (female ? 0.62 : 0.35) ? "poor-r-progression" : "septal-qs" }
        findings[finding] = FindingDetail(severity: severity(), stage: stage, variant: variant)
      }
    }
    let lvhOdds = (female ? 0.7 : 1.3) * (age > 60 ? 1.2 : 0.8)
    if uniform() < prevalence["LVH", default: 0] * lvhOdds {
      let s = severity()
      findings[.lvh] = FindingDetail(severity: s, strain: uniform() < 0.2 + 0.5 * s)
    }
    if uniform() < prevalence["CLBBB", default: 0] {
      findings[.clbbb] = FindingDetail(severity: uniform())
    } else if uniform() < prevalence["CRBBB", default: 0] {
      findings[.crbbb] = FindingDetail(severity: uniform())
    }
    if uniform() < prevalence["STTC", default: 0] {
      let u = uniform()
      let code: PhantomFinding = u < 0.45 ? .nonDiagnosticT : (u < 0.7 ? .nonSpecificST : .ischemic)
      findings[code] = FindingDetail(severity: severity())
    }
    var pr = normalPR
    let afibOdds = age > 65 ? 1.6 : 0.5
    if uniform() < prevalence["AFIB", default: 0] * afibOdds {
      findings[.afib] = FindingDetail(severity: uniform(), likelihood: 0)
      hr = clamp(95 + 15 * normal(), 60, 150)
      rrVariability = 0.15 + 0.1 * uniform()
    } else if uniform() < prevalence["1AVB", default: 0] {
      let s = severity()
      pr = 204 + 116 * s
      findings[.firstDegreeAVBlock] = FindingDetail(severity: s)
    }
    // Label noise and likelihoods: borderline findings get lower likelihoods, some are missed.
    for finding in findings.keys.sorted() where finding != .afib {
      var detail = findings[finding]!
      detail.labelled = uniform() >= d.labelNoise
      if d.labelThreshold > 0, finding.isInfarction || [.lvh, .nonDiagnosticT, .nonSpecificST, .ischemic, .firstDegreeAVBlock].contains(finding) {
        let seen = detail.severity + 0.08 * normal()
        if seen < d.labelThreshold { detail.labelled = false }
      }
      let s = detail.severity
      detail.likelihood = s >= 0.6 ? 100 : (s >= 0.35 ? (uniform() < 0.5 ? 80 : 100) : [15, 35, 50, 50, 80][Int(uniform() * 5)])
      findings[finding] = detail
    }

    // Spurious labels: a diagnostic code without a planted finding (probability labelNoise / 2).
    var spurious: [String: Double] = [:]
    if uniform() < d.labelNoise / 2 {
      let pool: [PhantomFinding] = [.nonDiagnosticT, .nonSpecificST, .ischemic, .lvh, .imi, .asmi, .firstDegreeAVBlock]
      let code = pool[Int(uniform() * Double(pool.count))]
      if findings[code] == nil { spurious[code.rawValue] = [15, 35, 50, 80, 100][Int(uniform() * 5)] }
    }

    // Unlabelled benign variants that mimic findings (confounders).
    var benign: [String: Double] = [:]
    let young = age < 40
    if uniform() < (female ? 0.04 : (young ? 0.16 : 0.08)) { benign["early-repolarisation"] = uniform() }
    if uniform() < (female ? (young ? 0.12 : 0.06) : 0.03) { benign["juvenile-t"] = uniform() }
    if uniform() < 0.08 { benign["low-t"] = uniform() }
    if uniform() < (!female && young ? 0.35 : 0.15) { benign["high-voltage"] = uniform() }

    // Noise.
    let ns = d.noiseScale
    let noise = PhantomNoise(
      baselineMv: ns * clamp(0.08 * exp(0.6 * normal()), 0.01, 0.5),
      emgMv: ns * clamp(0.012 * exp(0.5 * normal()), 0.003, 0.06),
      mainsMv: ns * (uniform() < 0.5 ? 0 : 0.02 * uniform()),
      electrodeGains: (0..<9).map { _ in clamp(1 + 0.03 * v * normal(), 0.9, 1.1) })

    // Drawn last so that adding it left every earlier draw unchanged.
    if uniform() < (hr < 65 ? 0.5 : 0.15) { benign["u-wave"] = uniform() }

    return PhantomRecordSpec(
      ecgID: ecgID, patientID: 10_000 + Int(uniform() * 89_999), age: age, sex: female ? 1 : 0,
      heightCm: (height * 10).rounded() / 10, weightKg: (weight * 10).rounded() / 10,
      heartRateBpm: hr, rrVariability: rrVariability, normalPRMs: normalPR, prMs: pr,
      pDurationMs: pDuration, qrsMs: qrs, qtcMs: qtc, frontalAxisShiftDeg: frontal,
      horizontalRotationDeg: horizontal, qrsScale: qrsScale, pScale: pScale, tScale: tScale,
      findings: findings, benignVariants: benign, spuriousLabels: spurious, noise: noise)
  }

  /// Folds 1…10, round-robin within each labelled-superclass combination after a seeded shuffle.
  static func stratifiedFolds(_ specs: [PhantomRecordSpec], seed: UInt64) -> [Int] {
    var rng = SeededRNG.stream(seed: seed ^ 0xF01D, index: 0)
    var groups: [String: [Int]] = [:]
    for (i, spec) in specs.enumerated() { groups[spec.labelledSuperclasses.joined(separator: "+"), default: []].append(i) }
    var folds = [Int](repeating: 1, count: specs.count)
    var offset = 0
    for key in groups.keys.sorted() {
      var members = groups[key]!
      for i in stride(from: members.count - 1, to: 0, by: -1) {
        members.swapAt(i, Int(rng.next() % UInt64(i + 1)))
      }
      for (k, index) in members.enumerated() { folds[index] = (offset + k) % 10 + 1 }
      offset += members.count
    }
    return folds
  }
}
