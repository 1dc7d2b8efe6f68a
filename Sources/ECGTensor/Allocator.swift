import _ECGKernels

/// Process-wide allocator settings for tensor workloads.
public enum Allocator {
  /// Keeps freed tensor buffers in the heap instead of returning them to the OS (glibc
  /// `mallopt`: mmap threshold and trim threshold raised to 1 GiB). Tensors of a forward or
  /// backward pass are large and short-lived; with glibc's defaults each one is a fresh `mmap`
  /// whose pages fault in, serialised in the kernel across threads. Measured on xresnet1d50
  /// saliency, 2 threads: see docs/performance.md. Call once at program start (the `ecgxai`
  /// command does); a no-op on platforms without glibc.
  public static func keepFreedMemory() {
    _ = ecg_keep_freed_memory()
  }
}
