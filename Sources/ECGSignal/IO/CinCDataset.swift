import Foundation

/// Errors reading a PhysioNet/CinC Challenge folder.
public enum CinCError: Error, CustomStringConvertible, Equatable {
  /// The folder holds no WFDB header with a `#Dx:` comment.
  case notACinCFolder(path: String)
  /// A header cannot be read.
  case unreadableHeader(path: String, reason: String)

  public var description: String {
    switch self {
    case .notACinCFolder(let path):
      "\(path) is neither a PTB-XL folder (ptbxl_database.csv) nor a PhysioNet/CinC folder "
        + "(.hea records with '#Dx:' comments)"
    case .unreadableHeader(let path, let reason): "\(path): \(reason)"
    }
  }
}

/// The PhysioNet/CinC Challenge 2020–2021 collection (CPSC 2018, INCART, PTB, PTB-XL, Georgia,
/// Chapman-Shaoxing, Ningbo): a folder, searched recursively, of `NAME.hea` + `NAME.mat` records
/// whose header comments give `#Age: 53`, `#Sex: Male|Female` and `#Dx: 426783006,164889003`
/// (SNOMED CT). `load` turns it into a `PTBXLDataset` (layout `.cinc`) that every command reads
/// like PTB-XL:
///
/// - `ecg_id` is the 1-based position of the record's path in sorted order; `filenameHR` and
///   `filenameLR` are that path relative to the folder, without extension.
/// - Labels: `CinCLabels.scpCodes` (SNOMED CT → PTB-XL statements; others kept as `snomed:NNN`).
/// - Sex 0 male / 1 female as PTB-XL (`Male`, `M`, `Female`, `F`, any case; else nil); age in
///   years (nil for `NaN`, empty or non-numbers).
/// - Folds 1–10: `folds(names:strata:)`.
/// - Signals: `conform` — resampled to the rate asked for, first `windowSeconds` kept, shorter
///   records zero-padded at the end.
public enum CinCDataset {
  /// The length of every record as models read it (s).
  public static let windowSeconds = 10.0

  /// True when `root` is a folder without `ptbxl_database.csv` whose first WFDB headers (up to 50,
  /// searched recursively) include one with a `#Dx:` comment.
  public static func isCinCFolder(_ root: URL) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory),
      isDirectory.boolValue,
      !FileManager.default.fileExists(
        atPath: root.appendingPathComponent("ptbxl_database.csv").path)
    else { return false }
    // A linked folder (RUN/data) is searched at its target.
    let target = root.resolvingSymlinksInPath()
    let enumerator = FileManager.default.enumerator(at: target, includingPropertiesForKeys: nil)
    var seen = 0
    while let file = enumerator?.nextObject() as? URL, seen < 50 {
      guard file.pathExtension == "hea" else { continue }
      seen += 1
      guard let data = FileManager.default.contents(atPath: file.path) else { continue }
      let text = String(decoding: data, as: UTF8.self)
      if text.split(whereSeparator: \.isNewline).contains(where: { dxValue(commentLine: $0) != nil }
      ) {
        return true
      }
    }
    return false
  }

  /// Reads every header under `root` (recursively; a link is followed) into a dataset of layout
  /// `.cinc`.
  /// - Throws: `CinCError.notACinCFolder` when no header has `#Dx:`, `.unreadableHeader` naming
  ///   the file for a header the WFDB reader refuses.
  public static func load(root: URL) throws -> PTBXLDataset {
    let target = root.resolvingSymlinksInPath()
    let base = target.standardizedFileURL.path
    var names: [String] = []
    let enumerator = FileManager.default.enumerator(at: target, includingPropertiesForKeys: nil)
    while let file = enumerator?.nextObject() as? URL {
      guard file.pathExtension == "hea" else { continue }
      let path = file.standardizedFileURL.path
      names.append(String(path.dropFirst(base.count + 1).dropLast(4)))
    }
    names.sort()
    var metadata: [(age: Double?, sex: Int?, codes: [String: Double])] = []
    var anyDx = false
    for name in names {
      let url = root.appendingPathComponent(name + ".hea")
      let header: WFDBHeader
      do { header = try WFDB.readHeader(url) } catch let error as WFDBError {
        throw CinCError.unreadableHeader(path: url.path, reason: error.description)
      }
      let fields = commentFields(header.comments)
      anyDx = anyDx || fields["dx"] != nil
      let snomed = (fields["dx"] ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
      metadata.append((age(fields["age"]), sex(fields["sex"]), CinCLabels.scpCodes(snomed: snomed)))
    }
    guard anyDx else { throw CinCError.notACinCFolder(path: root.path) }
    let strata = metadata.map { entry in
      Set(entry.codes.keys.compactMap { CinCLabels.statements[$0]?.diagnosticClass }).sorted()
        .joined(separator: "|")
    }
    let fold = folds(names: names, strata: strata)
    let entries = names.indices.map { i in
      PTBXLDataset.Entry(
        ecgID: i + 1, patientID: nil, age: metadata[i].age, sex: metadata[i].sex, height: nil,
        weight: nil, scpCodes: metadata[i].codes, fold: fold[i], filenameLR: names[i],
        filenameHR: names[i])
    }
    var statements = CinCLabels.statements
    for entry in entries {
      for code in entry.scpCodes.keys where statements[code] == nil {
        statements[code] = .init(
          diagnostic: false, form: false, rhythm: false, diagnosticClass: nil,
          diagnosticSubclass: nil)
      }
    }
    return PTBXLDataset(root: root, entries: entries, statements: statements, layout: .cinc)
  }

  /// Deterministic stratified folds 1–10: records are grouped by `strata` (their set of diagnostic
  /// superclasses); groups are taken in sorted order, records within a group sorted by the
  /// 64-bit FNV-1a hash of their name (then the name), and folds dealt round-robin with one counter
  /// across all groups. Every group is spread over the folds as evenly as its size allows, and the
  /// result depends only on the names and labels, not on file order or the machine.
  public static func folds(names: [String], strata: [String]) -> [Int] {
    precondition(names.count == strata.count, "one stratum per name")
    let groups = Dictionary(grouping: names.indices, by: { strata[$0] })
    var out = [Int](repeating: 0, count: names.count)
    var counter = 0
    for key in groups.keys.sorted() {
      let members = groups[key]!.sorted {
        (fnv1a(names[$0]), names[$0]) < (fnv1a(names[$1]), names[$1])
      }
      for i in members {
        out[i] = counter % 10 + 1
        counter += 1
      }
    }
    return out
  }

  /// A record as models read it: resampled to `rateHz` (polyphase, `Resampler`) unless already at
  /// that rate, then its first `windowSeconds` (`windowSeconds · rateHz` samples) kept, and a
  /// shorter record zero-padded at the end.
  /// - Throws: `SignalError` when the record's rate is not a whole number of Hz.
  public static func conform(_ record: ECGRecord, rateHz: Int) throws -> ECGRecord {
    let resampled =
      record.samplingRateHz == Double(rateHz)
      ? record : try Resampler.resample(record, toRate: Double(rateHz))
    let n = resampled.sampleCount
    let m = Int((windowSeconds * Double(rateHz)).rounded())
    guard n != m else { return resampled }
    var samples = [Float](repeating: 0, count: resampled.leadCount * m)
    let kept = min(n, m)
    for lead in 0..<resampled.leadCount {
      for t in 0..<kept { samples[lead * m + t] = resampled.samples[lead * n + t] }
    }
    return ECGRecord(
      name: resampled.name, leadNames: resampled.leadNames, samplingRateHz: Double(rateHz),
      samples: samples, units: resampled.units)
  }

  /// Writes one record in the Challenge's format (`WFDB.writeMAT`) with `#Age`, `#Sex` and `#Dx`
  /// comments; age nil is written `NaN`, sex nil `Unknown`.
  public static func write(
    _ record: ECGRecord, to directory: URL, age: Double?, female: Bool?, snomed: [String]
  ) throws {
    let ageText = age.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "NaN"
    let sexText = female.map { $0 ? "Female" : "Male" } ?? "Unknown"
    try WFDB.writeMAT(
      record, to: directory,
      comments: ["Age: \(ageText)", "Sex: \(sexText)", "Dx: \(snomed.joined(separator: ","))"])
  }

  /// 64-bit FNV-1a of the UTF-8 bytes.
  static func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
  }

  /// `key: value` comments by lower-cased key.
  static func commentFields(_ comments: [String]) -> [String: String] {
    var out: [String: String] = [:]
    for comment in comments {
      let parts = comment.split(separator: ":", maxSplits: 1)
      guard parts.count == 2 else { continue }
      let key = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
      if out[key] == nil { out[key] = parts[1].trimmingCharacters(in: .whitespaces) }
    }
    return out
  }

  /// The value of a `#Dx:` comment line, or nil.
  static func dxValue(commentLine line: Substring) -> Substring? {
    let trimmed = line.drop { $0 == " " || $0 == "\t" }
    guard trimmed.hasPrefix("#") else { return nil }
    let body = trimmed.dropFirst().drop { $0 == " " }
    guard body.lowercased().hasPrefix("dx:") else { return nil }
    return body.dropFirst(3)
  }

  static func age(_ text: String?) -> Double? {
    guard let text, let value = Double(text), value.isFinite, value >= 0 else { return nil }
    return value
  }

  static func sex(_ text: String?) -> Int? {
    switch text?.lowercased() {
    case "male", "m": 0
    case "female", "f": 1
    default: nil
    }
  }
}
