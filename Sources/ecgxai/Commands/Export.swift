import ArgumentParser
import ECGSignal
import ECGTensor
import Foundation

/// `ecgxai export`: a PTB-XL-layout folder → NumPy arrays for Python or `ecgxai train`.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Export records of a PTB-XL folder to .npy ([N, 12, T] mV) with multi-hot labels.",
    discussion: """
      Labels follow the PTB-XL benchmark (tasks all, diagnostic, subdiagnostic, superdiagnostic,
      form, rhythm; records without a label are dropped, classes sorted). Writes OUT (signals),
      OUT with suffix .labels.npy ([N, classes] 0/1), .classes.txt and .ecg_id.csv.
      Example: ecgxai export --data runs/demo/data --folds 10 --task superdiagnostic --out test.npy
      """)

  @OptionGroup var dataset: DatasetOptions

  @Option(help: "Label task: all, diagnostic, subdiagnostic, superdiagnostic, form, rhythm.")
  var task: String = "superdiagnostic"

  @Option(help: "Keep labels occurring in more than this many records (benchmark's min_samples).")
  var minCount: Int = 0

  @Option(help: "Output .npy for the signals.")
  var out: String

  func validate() throws {
    guard dataset.data != nil else { throw ValidationError("--data DIR is required") }
    guard PTBXLDataset.Task(rawValue: task) != nil else {
      throw ValidationError("--task must be one of \(PTBXLDataset.Task.allCases.map(\.rawValue).joined(separator: ", "))")
    }
  }

  func run() throws {
    let data = try dataset.load()!
    let selected = Set(try dataset.selection(data))
    let labels = data.labels(task: PTBXLDataset.Task(rawValue: task)!, minimumCount: minCount)
    let rows = labels.entryIndices.enumerated().filter { selected.contains($0.element) }
    guard !rows.isEmpty else { throw CLIError("no labelled records in the selected folds") }
    let x = try dataset.batch(data, rows.map(\.element))
    let c = labels.classes.count
    var y = [Float](repeating: 0, count: rows.count * c)
    for (k, row) in rows.enumerated() {
      for j in 0..<c { y[k * c + j] = labels.matrix.scalars[row.offset * c + j] }
    }
    let base = out.hasSuffix(".npy") ? String(out.dropLast(4)) : out
    try NumPy.write(x, to: try outputURL(out))
    try NumPy.write(Tensor(shape: [rows.count, c], scalars: y), to: URL(fileURLWithPath: base + ".labels.npy"))
    try Data((labels.classes.joined(separator: "\n") + "\n").utf8).writeAtomically(to: URL(fileURLWithPath: base + ".classes.txt"))
    let ids = "ecg_id\n" + rows.map { "\(data.entries[$0.element].ecgID)\n" }.joined()
    try Data(ids.utf8).writeAtomically(to: URL(fileURLWithPath: base + ".ecg_id.csv"))
    print("wrote \(out): \(x.shape) at \(dataset.rate) Hz; labels [\(rows.count), \(c)] (\(task): \(labels.classes.joined(separator: " ")))")
  }
}
