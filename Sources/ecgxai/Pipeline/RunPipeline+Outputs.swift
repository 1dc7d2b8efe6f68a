import ECGNet
import ECGSignal
import Foundation

extension RunPipeline {
  /// Why a step's recorded output cannot be kept on resume, or nil when it reads back: it must
  /// exist, and a file must parse as what its extension says (JSON, CSV, NumPy, safetensors,
  /// an architecture, SQLite, SVG/HTML) — an output truncated or overwritten since the step
  /// finished makes the step run again instead of being kept as up to date.
  func outputProblem(_ output: String) -> String? {
    let url = runURL.appendingPathComponent(output)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return "\(output) is missing" }
    if isDirectory.boolValue { return nil }
    do {
      try Self.validateOutput(url)
      return nil
    } catch {
      return "\(output) does not read back (\(error))"
    }
  }

  /// Throws when the file at `url` is empty or does not parse as its extension says.
  static func validateOutput(_ url: URL) throws {
    struct Unreadable: Error, CustomStringConvertible { let description: String }
    let path = url.path
    switch url.pathExtension.lowercased() {
    case "npy":
      _ = try NumPy.validate(url)
      return
    case "safetensors":
      _ = try SafeTensors.read(url)
      return
    default: break
    }
    guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
      throw Unreadable(description: "empty or unreadable")
    }
    switch url.pathExtension.lowercased() {
    case "json" where url.lastPathComponent == "architecture.json":
      let architecture = try JSONDecoder().decode(ModelArchitecture.self, from: data)
      if let problem = architecture.problem { throw Unreadable(description: problem) }
    case "json":
      _ = try JSONSerialization.jsonObject(with: data)
    case "csv":
      let table = try CSVTable(contentsOf: url)
      if table.columns.isEmpty { throw Unreadable(description: "no header row") }
    case "sqlite":
      // The header string, then a database of whole pages (page size at bytes 16–17, 1 = 65536).
      let magic = Data("SQLite format 3\u{0}".utf8)
      guard data.count >= 100, data.prefix(16) == magic else { throw Unreadable(description: "not an SQLite database") }
      let raw = Int(data[16]) << 8 | Int(data[17])
      let pageSize = raw == 1 ? 65536 : raw
      guard pageSize >= 512, data.count % pageSize == 0 else {
        throw Unreadable(description: "\(data.count) bytes is not a whole number of \(pageSize)-byte pages")
      }
    case "svg":
      guard String(decoding: data.suffix(4096), as: UTF8.self).contains("</svg>") else { throw Unreadable(description: "no closing </svg>") }
    case "html":
      guard String(decoding: data.suffix(4096), as: UTF8.self).contains("</html>") else { throw Unreadable(description: "no closing </html>") }
    default: break
    }
  }
}
