import Foundation

/// The last 10 % bucket printed when stderr is not a terminal.
nonisolated(unsafe) private var lastProgressBucket = -1

/// Progress of a long step: a one-line bar on a terminal, a plain line per 10 % otherwise.
func progress(done: Int, total: Int) {
  if isatty(2) != 0 {
    let width = 30
    let filled = total > 0 ? width * done / total : width
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let line = "\r  [\(bar)] \(done)/\(total)" + (done >= total ? "\n" : "")
    FileHandle.standardError.write(Data(line.utf8))
  } else if total > 0 {
    let bucket = 10 * done / total
    if bucket != lastProgressBucket {
      lastProgressBucket = done >= total ? -1 : bucket
      FileHandle.standardError.write(Data("  \(done)/\(total)\n".utf8))
    }
  }
}
