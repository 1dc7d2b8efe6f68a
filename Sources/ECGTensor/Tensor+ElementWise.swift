import _ECGKernels

/// Element-wise kernels of forward and backward passes: one pass from the inputs into a new
/// buffer (no copy first), vectorised C loops (`_ECGKernels`), spread over threads in chunks
/// (`parallelChunks`). Shapes must be equal.
extension Tensor {
  /// A new tensor of `shape` written by `kernel(count, out, offset)` over parallel chunks.
  @inline(__always)
  static func chunked(
    shape: [Int], _ kernel: @escaping @Sendable (_ count: Int, _ out: UnsafeMutablePointer<Float>, _ offset: Int) -> Void
  ) -> Tensor {
    Tensor(shape: shape) { out in
      guard let base = out.baseAddress else { return }
      let target = SendablePointer(base)
      parallelChunks(out.count) { range in
        kernel(range.count, target.pointer + range.lowerBound, range.lowerBound)
      }
    }
  }

  /// Calls `body` with read-only pointers of two tensors that parallel loops may share.
  @inline(__always)
  static func withPointers<R>(
    _ a: Tensor, _ b: Tensor, _ body: (SendablePointer<Float>, SendablePointer<Float>) -> R
  ) -> R {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        let dummy = UnsafeMutablePointer<Float>(bitPattern: 16)!
        return body(
          SendablePointer(UnsafeMutablePointer(mutating: ap.baseAddress) ?? dummy),
          SendablePointer(UnsafeMutablePointer(mutating: bp.baseAddress) ?? dummy))
      }
    }
  }

  /// The elements where `gate` (same shape) is positive, 0 elsewhere: a ReLU's backward from its
  /// recorded output (PyTorch: the gradient passes where the output is > 0).
  public func masked(where gate: Tensor) -> Tensor {
    precondition(gate.shape == shape, "masked: \(gate.shape) vs \(shape)")
    return Tensor.withPointers(self, gate) { g, z in
      Tensor.chunked(shape: shape) { n, out, i in ecg_relu_gate(n, g.pointer + i, z.pointer + i, out) }
    }
  }

  /// max(a + b, 0) element by element: a residual sum followed by a ReLU.
  public static func sumReLU(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "sumReLU: \(a.shape) vs \(b.shape)")
    return withPointers(a, b) { x, y in
      chunked(shape: a.shape) { n, out, i in ecg_add_relu(n, x.pointer + i, y.pointer + i, out) }
    }
  }

  /// max(x, 0) element by element.
  public func relu() -> Tensor {
    Tensor.withPointers(self, self) { x, _ in
      Tensor.chunked(shape: shape) { n, out, i in ecg_relu(n, x.pointer + i, out) }
    }
  }

  /// self / (z + ε·sign z) element by element, sign(0) = +1 — Zennit's `stabilize`, the division
  /// of LRP's ε-rule.
  public func stabilisedQuotient(by z: Tensor, epsilon: Float) -> Tensor {
    precondition(z.shape == shape, "stabilisedQuotient: \(z.shape) vs \(shape)")
    return Tensor.withPointers(self, z) { r, zs in
      Tensor.chunked(shape: shape) { n, out, i in
        ecg_stabilised_divide(n, r.pointer + i, zs.pointer + i, epsilon, out)
      }
    }
  }
}
