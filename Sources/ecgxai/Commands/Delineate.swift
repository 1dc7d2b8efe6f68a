import ArgumentParser
import ECGSignal
import Foundation

/// `ecgxai delineate`: per-beat fiducials of every record → fiducials.csv.
struct Delineate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Find R peaks and P/QRS/T onsets, peaks and offsets of every beat → fiducials.csv.",
    discussion: """
      One row per beat: the record key, beat number, and for each fiducial (p_on, p_peak, p_off,
      qrs_on, r_peak, qrs_off, t_on, t_peak, t_off) its sample index at the record's rate and its
      time in ms; empty where a wave is absent (P in atrial fibrillation) or outside the record.
      Fiducials are global (all leads); with --per-lead each beat also gets one row per lead (its
      `lead` column names it; the global rows have lead "all"), found on that lead's median beat
      within ±40 ms of the global ones (r_peak is then the lead's largest QRS deflection). Example:
        ecgxai delineate --data runs/demo/data --folds 10 --out fiducials.csv
      """)

  @OptionGroup var source: RecordSourceOptions

  @Option(help: "Output CSV file.")
  var out: String

  @Flag(help: "Add per-lead rows (fiducials of each lead's median beat, moved to every beat).")
  var perLead = false

  static let names = ["p_on", "p_peak", "p_off", "qrs_on", "r_peak", "qrs_off", "t_on", "t_peak", "t_off"]

  func run() throws {
    let (keyColumn, items) = try source.items()
    let started = Date()
    let rows = processRecords(items) { item in
      do {
        let record = try item.read()
        let d = try Delineator().delineate(record)
        let rate = record.samplingRateHz
        func cells(_ b: WaveFiducials) -> [String] {
          [b.pOnset, b.pPeak, b.pOffset, b.qrsOnset, b.rPeak, b.qrsOffset, b.tOnset, b.tPeak, b.tOffset].flatMap { t -> [String] in
            guard let t, t >= 0, t * rate < Double(record.sampleCount) else { return ["", ""] }
            return [String(Int((t * rate).rounded())), String(format: "%.1f", t * 1000)]
          }
        }
        let perLeadBeats = perLead ? (0..<record.leadCount).map { d.beats(lead: $0) } : []
        return d.beats.enumerated().flatMap { k, b in
          [[item.key, String(k + 1), "all", "ok"] + cells(b)]
            + perLeadBeats.enumerated().compactMap { lead, leadBeats in
              leadBeats.map { [item.key, String(k + 1), record.leadNames[lead], "ok"] + cells($0[k]) }
            }
        }
      } catch {
        return [[item.key, "", "", failureReason(error)] + [String](repeating: "", count: 2 * Self.names.count)]
      }
    }
    try requireSomeRecordMeasured(rows, statusColumn: 3, records: items.count)
    var writer = CSVWriter(columns: [keyColumn, "beat", "lead", "status"] + Self.names.flatMap { ["\($0)_sample", "\($0)_ms"] })
    for row in rows { writer.append(row) }
    try writer.write(to: try outputURL(out))
    let seconds = Date().timeIntervalSince(started)
    print("wrote \(out): \(rows.count) rows for \(items.count) records in \(String(format: "%.1f", seconds)) s")
  }
}
