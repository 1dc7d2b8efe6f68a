import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The number of worker threads parallel loops use: `ECGXAI_THREADS` if set to a positive
/// integer, otherwise the number of active processor cores.
public let parallelThreadCount: Int = {
  if let text = getenv("ECGXAI_THREADS").map({ String(cString: $0) }),
    let value = Int(text), value > 0
  {
    return value
  }
  return max(1, ProcessInfoCores.active)
}()

enum ProcessInfoCores {
  static var active: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over `parallelThreadCount` threads.
///
/// Iterations must be independent (write disjoint memory). With one thread or `count <= 1` the
/// loop runs inline on the caller's thread. The function returns when all iterations are done.
public func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
  if count <= 0 { return }
  if count == 1 || parallelThreadCount == 1 {
    for i in 0..<count { body(i) }
    return
  }
  DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// An unsafe pointer that may cross into `parallelFor` bodies. The caller guarantees that
/// concurrent iterations touch disjoint elements and that the memory outlives the loop.
public struct SendablePointer<Element>: @unchecked Sendable {
  /// The wrapped pointer.
  public let pointer: UnsafeMutablePointer<Element>
  /// Wraps a pointer.
  public init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}

/// Runs `body` on contiguous sub-ranges of `0..<count` that together cover it once, in parallel
/// when the range is large enough to be worth a thread hand-off.
///
/// The range is cut into up to `4 × parallelThreadCount` chunks of at least `minimumChunk`
/// elements; chunks are taken dynamically, so a thread that was descheduled (a busy machine)
/// holds up at most one small chunk. Element-wise kernels on activations (ReLU masks, residual
/// sums, pooling) use it: on 2 threads they were ~20 % of the samples of a saliency pass while
/// the second core waited.
public func parallelChunks(
  _ count: Int, minimumChunk: Int = 1 << 14, _ body: @Sendable (Range<Int>) -> Void
) {
  if count <= 0 { return }
  let chunks = min(4 * parallelThreadCount, max(1, count / max(1, minimumChunk)))
  if chunks == 1 || parallelThreadCount == 1 {
    body(0..<count)
    return
  }
  let size = (count + chunks - 1) / chunks
  DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
    let start = chunk * size
    if start < count { body(start..<min(count, start + size)) }
  }
}
