import ECGTensor

extension Model {
  /// SHA-256 (64 hex digits) of every parameter and buffer in `state_dict` order: each one's
  /// name, shape and float32 values. Two models have the same digest exactly when they compute
  /// the same function with the same weights, whatever file they were loaded from (a directory,
  /// a state dict or an ONNX graph of the same weights under the same names); results record it
  /// as their model's identity, and `merge` refuses shards whose digests differ.
  ///
  /// Computed on demand (≈ 0.1 s for xresnet1d50's 0.9 M parameters); not cached, because
  /// training changes the weights in place.
  public var weightsSHA256: String {
    var hash = ContentHash()
    for (name, parameter) in namedParameters {
      hash.update(name)
      hash.update(parameter.value.shape.count)
      for extent in parameter.value.shape { hash.update(extent) }
      parameter.value.scalars.withUnsafeBufferPointer { hash.update($0) }
    }
    return hash.hexDigest()
  }
}
