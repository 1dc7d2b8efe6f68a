import ArgumentParser
import ECGReport
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai plot`: figures.
struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw figures (SVG).", subcommands: [PlotRecord.self])
}

/// `ecgxai plot record DIR ECG_ID --out file.svg`: one record on clinical ECG paper.
struct PlotRecord: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Draw one record in the clinical 3×4 + rhythm-strip layout (25 mm/s, 10 mm/mV).",
    discussion: """
      DIR is a PTB-XL-layout folder (real or phantom) and ECG_ID its ecg_id, or DIR is a folder of
      WFDB records and ECG_ID a record name. With --evidence FINDING on a phantom folder the
      finding's true evidence mask (truth/evidence.csv) is shaded.
      Example: ecgxai plot record runs/demo/data 17 --out record17.svg
      """)

  @Argument(help: "PTB-XL-layout folder, or a folder of WFDB records.")
  var directory: String

  @Argument(help: "ecg_id (PTB-XL folder) or record name (WFDB folder).")
  var record: String

  @Option(help: "Sampling rate to read from a PTB-XL folder: 100 or 500.")
  var rate = 500

  @Option(help: "Shade the phantom's evidence mask of this finding (e.g. LVH, IMI).")
  var evidence: String?

  @Option(help: "Output SVG file.")
  var out: String

  func run() throws {
    let root = URL(fileURLWithPath: directory)
    var title = record
    let signal: ECGRecord
    do {
      if FileManager.default.fileExists(atPath: root.appendingPathComponent("ptbxl_database.csv").path) {
        let dataset = try PTBXLDataset(root: root)
        guard let id = Int(record), let index = dataset.entries.firstIndex(where: { $0.ecgID == id }) else {
          throw CLIError("ecg_id \(record) is not in \(directory)/ptbxl_database.csv")
        }
        let entry = dataset.entries[index]
        signal = try dataset.record(at: index, rate: rate)
        let codes = entry.scpCodes.sorted { $0.value > $1.value }.map { "\($0.key) \(Int($0.value))" }.joined(separator: ", ")
        let demographics = [entry.age.map { "\(Int($0)) y" }, entry.sex.map { $0 == 1 ? "female" : "male" }].compactMap { $0 }
        title = "ecg_id \(id) · \(demographics.joined(separator: ", ")) · \(codes)"
      } else {
        signal = try WFDB.read(root.appendingPathComponent(record))
      }
    } catch let error as PTBXLError { throw CLIError(error.description) } catch let error as WFDBError {
      throw CLIError(error.description)
    } catch let error as CSVError { throw CLIError(error.description) }
    var plot = ClinicalECGPlot()
    if let finding = evidence {
      let url = root.appendingPathComponent("truth/evidence.csv")
      guard let table = try? CSVTable(contentsOf: url) else { throw CLIError("--evidence needs a phantom folder with \(url.path)") }
      for row in table.rows where row[0] == record && row[1] == finding {
        guard let start = Double(row[3]), let end = Double(row[4]) else { continue }
        plot.highlights[row[2].uppercased(), default: []].append((start / 1000)...(end / 1000))
      }
      if !plot.highlights.isEmpty { title += " · shaded: evidence of \(finding)" }
    }
    do {
      let svg = try plot.svg(signal, title: title)
      try Data(svg.utf8).writeAtomically(to: try outputURL(out))
    } catch let error as ClinicalECGPlot.PlotError { throw CLIError(error.description) }
    print("wrote \(out)")
  }
}
