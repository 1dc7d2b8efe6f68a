import ArgumentParser
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai convert`: one WFDB record → a NumPy array [1, leads, samples] in mV that `predict`,
/// `explain` and `train` read with `--input` / `--x`.
struct Convert: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Read one WFDB record and write its samples as a NumPy array [1, leads, samples] (mV, float32).",
    discussion: """
      Reads every WFDB record wfdb-python reads (formats 8, 16, 24, 32, 61, 80, 160, 212, 310,
      311; multi-segment records; MATLAB 4 .mat signal files). Samples are in mV (other units
      kept as they are; missing samples are NaN). --standard-leads keeps the 12 standard leads in
      the order models read them (I, II, III, aVR, aVL, aVF, V1–V6; `i`, `avr`, `MLII` … are
      matched) and is an error naming the record's leads when it lacks any; --rate resamples
      (polyphase, as scipy.signal.resample_poly). Example, for a model trained at 100 Hz:
        ecgxai convert --data s0010_re.hea --standard-leads --rate 100 --out s0010.npy
        ecgxai predict --model runs/demo/model --input s0010.npy --out logits.npy
      """)

  @Option(help: "WFDB record (NAME or NAME.hea).")
  var data: String

  @Option(help: "Output .npy file.")
  var out: String

  @Flag(help: "Keep the 12 standard leads in standard order (an error when the record lacks any).")
  var standardLeads = false

  @Option(help: "Resample to this rate (Hz).")
  var rate: Double?

  func run() throws {
    if let rate, !(rate > 0 && rate.isFinite) {
      throw ValidationError("--rate must be a positive number of Hz")
    }
    let base = data.hasSuffix(".hea") ? String(data.dropLast(4)) : data
    guard FileManager.default.fileExists(atPath: base + ".hea") else {
      throw CLIError("\(data) is not a WFDB record (no \(base).hea)")
    }
    var record: ECGRecord
    do {
      record = try WFDB.read(URL(fileURLWithPath: base))
      if standardLeads { record = try record.standardTwelveLeads() }
      if let rate, rate != record.samplingRateHz {
        record = try Resampler.resample(record, toRate: rate)
      }
    } catch let error as WFDBError { throw CLIError(error.description) } catch let error
      as SignalError
    {
      throw CLIError(error.description)
    }
    let url = try outputURL(out)
    try NumPy.write(
      Tensor(shape: [1, record.leadCount, record.sampleCount], scalars: record.samples), to: url)
    let missing = record.samples.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
    let leads = zip(record.leadNames, record.units).map { $1 == "mV" ? $0 : "\($0) (\($1))" }
    print(
      "wrote \(out): [1, \(record.leadCount), \(record.sampleCount)] at "
        + "\(String(format: "%g", record.samplingRateHz)) Hz; leads \(leads.joined(separator: ", "))"
        + (missing > 0 ? "; \(missing) missing samples (NaN)" : ""))
  }
}
