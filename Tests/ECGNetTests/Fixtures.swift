import ECGNet
import ECGTensor
import Foundation

/// Locates committed fixtures under Tests/Fixtures/ECGNet.
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/ECGNet")

  static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

  static func tensors(_ name: String) throws -> [String: Tensor] {
    try SafeTensors.read(url(name)).compactMapValues {
      if case .float(let t) = $0 { return t } else { return nil }
    }
  }
}

/// max |a − b| / max(|b|) over all elements: the relative error used against PyTorch.
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
  precondition(a.shape == b.shape)
  var worst: Float = 0
  var scale: Float = 0
  for i in 0..<a.count {
    worst = max(worst, abs(a.scalars[i] - b.scalars[i]))
    scale = max(scale, abs(b.scalars[i]))
  }
  return worst / max(scale, 1e-12)
}
