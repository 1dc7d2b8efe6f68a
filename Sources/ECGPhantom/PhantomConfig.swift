/// How hard the phantom cohort is to classify: noise, borderline cases and label noise.
public struct PhantomDifficulty: Sendable, Codable, Equatable {
  /// Multiplies every noise amplitude (baseline wander, EMG, mains).
  public var noiseScale: Double
  /// Probability that a planted diagnostic finding is missing from `scp_codes`; half of it is the
  /// probability that a record gets a spurious diagnostic code (label noise).
  public var labelNoise: Double
  /// Lowest severity of a planted finding (0…1); lower values give more borderline cases.
  public var minimumSeverity: Double
  /// Severity at which the simulated cardiologist starts to label an MI, LVH, ST-T or 1AVB finding: a
  /// finding is labelled when severity + N(0, 0.08) ≥ this threshold (0: always). Findings below
  /// it stay in the record, unlabelled — subclinical cases, as in any real cohort.
  public var labelThreshold: Double
  /// Standard deviation of the normal inter-individual variation (axis, voltage, intervals),
  /// relative to the documented defaults.
  public var variability: Double

  /// Creates a difficulty setting.
  public init(
    noiseScale: Double, labelNoise: Double, minimumSeverity: Double, labelThreshold: Double, variability: Double
  ) {
    self.noiseScale = noiseScale
    self.labelNoise = labelNoise
    self.minimumSeverity = minimumSeverity
    self.labelThreshold = labelThreshold
    self.variability = variability
  }

  /// Little noise, no label noise, only clear findings.
  public static let easy = PhantomDifficulty(
    noiseScale: 0.5, labelNoise: 0, minimumSeverity: 0.5, labelThreshold: 0, variability: 0.7)
  /// The default: realistic noise, borderline and subclinical cases, 10 % missed labels and 5 %
  /// spurious ones.
  public static let standard = PhantomDifficulty(
    noiseScale: 1, labelNoise: 0.10, minimumSeverity: 0.02, labelThreshold: 0.2, variability: 1)
  /// Noisy recordings, many borderline cases and 16 % / 8 % label noise.
  public static let hard = PhantomDifficulty(
    noiseScale: 1.6, labelNoise: 0.16, minimumSeverity: 0, labelThreshold: 0.3, variability: 1.3)

  /// The preset with this name (`easy`, `default`, `hard`), or nil.
  public static func named(_ name: String) -> PhantomDifficulty? {
    switch name.lowercased() {
    case "easy": .easy
    case "default", "standard": .standard
    case "hard": .hard
    default: nil
    }
  }
}

/// Everything that determines a phantom cohort: the same configuration gives byte-identical files.
public struct PhantomConfig: Sendable, Codable, Equatable {
  /// Number of records (ecg_id 1…N).
  public var recordCount: Int
  /// Master seed; record i draws from the independent stream (seed, i).
  public var seed: UInt64
  /// Sampling rates to write (PTB-XL: 100 → `records100/`, 500 → `records500/`).
  public var rates: [Int]
  /// Record length in seconds (PTB-XL: 10).
  public var durationSeconds: Double
  /// Mains frequency in Hz (PTB-XL was recorded in Germany: 50).
  public var mainsHz: Double
  /// Noise, borderline cases, label noise.
  public var difficulty: PhantomDifficulty
  /// Prevalence of each planted finding (probability per record before exclusions); the defaults
  /// are close to PTB-XL's (docs/phantom.md).
  public var prevalence: [String: Double]

  /// PTB-XL-like prevalences: MI 22 % split over territories as in PTB-XL, LVH 10 %, CLBBB 2.5 %,
  /// CRBBB 2.5 %, 1AVB 4 %, ST-T changes 15 %, AFIB 7 %.
  public static let defaultPrevalence: [String: Double] = [
    "MI": 0.22, "LVH": 0.10, "CLBBB": 0.025, "CRBBB": 0.025, "1AVB": 0.04, "STTC": 0.15, "AFIB": 0.07,
  ]

  /// Creates a configuration.
  public init(
    recordCount: Int, seed: UInt64 = 0, rates: [Int] = [100, 500], durationSeconds: Double = 10,
    mainsHz: Double = 50, difficulty: PhantomDifficulty = .standard,
    prevalence: [String: Double] = PhantomConfig.defaultPrevalence
  ) {
    self.recordCount = recordCount
    self.seed = seed
    self.rates = rates
    self.durationSeconds = durationSeconds
    self.mainsHz = mainsHz
    self.difficulty = difficulty
    self.prevalence = prevalence
  }
}

/// Errors in a phantom configuration or while writing a cohort.
public enum PhantomError: Error, CustomStringConvertible, Equatable {
  /// A configuration value is out of range.
  case invalidConfig(String)
  /// The output directory exists and is not empty.
  case directoryNotEmpty(path: String)
  /// Writing a file failed.
  case writeFailed(path: String, reason: String)
  /// `--overwrite` was asked for a directory that is not a phantom cohort (it holds `foreign`).
  case notAPhantom(path: String, foreign: [String])

  public var description: String {
    switch self {
    case .invalidConfig(let reason): "invalid phantom configuration: \(reason)"
    case .directoryNotEmpty(let path):
      "\(path) exists and is not empty; choose another --out or pass --overwrite"
    case .writeFailed(let path, let reason): "cannot write \(path): \(reason)"
    case .notAPhantom(let path, let foreign):
      "refusing to replace \(path): it is not a phantom cohort written by ecgxai"
        + (foreign.isEmpty ? "" : " (it holds \(foreign.joined(separator: ", "))\(foreign.count == 10 ? ", …" : ""))")
        + "; move it away or choose another output directory"
    }
  }

  /// Checks a configuration.
  static func validate(_ config: PhantomConfig) throws {
    guard config.recordCount >= 1, config.recordCount <= 99_999 else {
      throw PhantomError.invalidConfig("record count \(config.recordCount) must be in 1…99999")
    }
    guard !config.rates.isEmpty, config.rates.allSatisfy({ $0 == 100 || $0 == 500 }) else {
      throw PhantomError.invalidConfig("rates \(config.rates) must be 100 and/or 500 Hz (PTB-XL's)")
    }
    guard config.durationSeconds >= 2, config.durationSeconds <= 60 else {
      throw PhantomError.invalidConfig("duration \(config.durationSeconds) s must be in 2…60 s")
    }
    let d = config.difficulty
    guard d.noiseScale >= 0, d.noiseScale <= 10 else {
      throw PhantomError.invalidConfig("noise scale \(d.noiseScale) must be in 0…10")
    }
    guard (0...0.5).contains(d.labelNoise) else {
      throw PhantomError.invalidConfig("label noise \(d.labelNoise) must be in 0…0.5")
    }
    guard (0...1).contains(d.minimumSeverity), (0...1).contains(d.labelThreshold) else {
      throw PhantomError.invalidConfig("minimum severity and label threshold must be in 0…1")
    }
    guard d.variability >= 0, d.variability <= 3 else {
      throw PhantomError.invalidConfig("variability \(d.variability) must be in 0…3")
    }
    for (key, p) in config.prevalence where !(0...1).contains(p) {
      throw PhantomError.invalidConfig("prevalence of \(key) = \(p) is not a probability")
    }
  }
}
