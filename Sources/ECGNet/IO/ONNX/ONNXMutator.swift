import ECGTensor
import Foundation

/// Damaged variants of an ONNX file, for robustness tests of the importer (`ecgxai bench
/// onnx-fuzz` and the test suite): byte-level damage and structural edits of valid models.
///
/// Every variant must either import or fail with an `ONNXError`; none may stop the process.
public struct ONNXMutator: Sendable {
  /// A kind of damage.
  public enum Kind: String, CaseIterable, Sendable {
    /// The file cut at a random byte.
    case truncate
    /// One to eight random bits flipped.
    case bitFlip
    /// A run of 1–16 bytes overwritten with random values.
    case byteRun
    /// One extent of an initializer's dims changed (±1, ×2, 0, −1, huge), or a dim dropped/added.
    case dims
    /// An integer or float attribute of a node set to a random or extreme value.
    case attribute
    /// An input of a node replaced by another tensor's name (or a missing one).
    case rewire
    /// A node's operator replaced by another (supported or not).
    case opType
    /// The graph input's declared shape changed.
    case inputShape
  }

  private let original: Data
  private let model: Onnx_ModelProto?

  /// Prepares mutations of the ONNX file `data` (structural kinds need it to decode; byte-level
  /// ones work on any bytes).
  public init(_ data: Data) {
    original = data
    model = try? Onnx_ModelProto(serializedBytes: data)
  }

  /// A damaged copy of the file.
  public func mutate(_ kind: Kind, rng: inout SeededRNG) -> Data {
    func index(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
    var bytes = [UInt8](original)
    switch kind {
    case .truncate:
      return Data(bytes.prefix(index(bytes.count)))
    case .bitFlip:
      guard !bytes.isEmpty else { return Data() }
      for _ in 0..<(1 + index(8)) { bytes[index(bytes.count)] ^= UInt8(1) << UInt8(index(8)) }
      return Data(bytes)
    case .byteRun:
      guard !bytes.isEmpty else { return Data() }
      let start = index(bytes.count)
      for i in start..<min(bytes.count, start + 1 + index(16)) { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
      return Data(bytes)
    default:
      guard var m = model else { return mutate(.bitFlip, rng: &rng) }
      structural(kind, &m, &rng)
      return (try? m.serializedBytes() as Data) ?? original
    }
  }

  private func extreme(_ rng: inout SeededRNG, around value: Int64) -> Int64 {
    let choices: [Int64] = [0, -1, 1, value + 1, value - 1, value * 2, 1 << 40, -(1 << 40), Int64.max, Int64.min, 3, 7]
    return choices[Int(rng.next() % UInt64(choices.count))]
  }

  private func structural(_ kind: Kind, _ m: inout Onnx_ModelProto, _ rng: inout SeededRNG) {
    func index(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
    var graph = m.graph
    switch kind {
    case .dims:
      guard !graph.initializer.isEmpty else { return }
      let i = index(graph.initializer.count)
      var dims = graph.initializer[i].dims
      switch index(4) {
      case 0 where !dims.isEmpty: dims.removeLast()
      case 1: dims.append(Int64(1 + index(3)))
      default:
        if dims.isEmpty { dims = [2] } else {
          let d = index(dims.count)
          dims[d] = extreme(&rng, around: dims[d])
        }
      }
      graph.initializer[i].dims = dims
    case .attribute:
      let candidates = graph.node.indices.filter { !graph.node[$0].attribute.isEmpty }
      guard !candidates.isEmpty else { return }
      let n = candidates[index(candidates.count)]
      let a = index(graph.node[n].attribute.count)
      var attribute = graph.node[n].attribute[a]
      if !attribute.ints.isEmpty {
        let k = index(attribute.ints.count)
        if index(4) == 0 { attribute.ints.removeLast() } else { attribute.ints[k] = extreme(&rng, around: attribute.ints[k]) }
      } else if attribute.type == .float {
        attribute.f = [Float.nan, .infinity, -1, 0, 1e30, 5][index(6)]
      } else {
        attribute.i = extreme(&rng, around: attribute.i)
      }
      graph.node[n].attribute[a] = attribute
    case .rewire:
      guard !graph.node.isEmpty else { return }
      let n = index(graph.node.count)
      guard !graph.node[n].input.isEmpty else { return }
      let names = graph.node.flatMap(\.output) + graph.initializer.map(\.name) + ["missing"]
      graph.node[n].input[index(graph.node[n].input.count)] = names[index(names.count)]
    case .opType:
      guard !graph.node.isEmpty else { return }
      let ops = ONNXError.supportedOperators + ["LpNormalization", "LSTM", "Resize", "Where"]
      graph.node[index(graph.node.count)].opType = ops[index(ops.count)]
    case .inputShape:
      guard !graph.input.isEmpty else { return }
      var dims = graph.input[0].type.tensorType.shape.dim
      if dims.isEmpty || index(3) == 0 {
        var extra = Onnx_TensorShapeProto.Dimension()
        extra.dimValue = 1
        dims.append(extra)
      } else {
        dims[index(dims.count)].dimValue = extreme(&rng, around: 12)
      }
      graph.input[0].type.tensorType.shape.dim = dims
    default:
      return
    }
    m.graph = graph
  }
}
