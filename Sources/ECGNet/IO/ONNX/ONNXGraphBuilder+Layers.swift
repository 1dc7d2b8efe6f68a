import ECGTensor
import Foundation

/// Operators that become ECGNet layers with parameters or geometry: Gemm/MatMul, Conv,
/// BatchNormalization, MaxPool/AveragePool.
extension ONNXGraphBuilder {
  func transposed(_ w: ConstantTensor) -> ConstantTensor {
    let (rows, columns) = (w.shape[0], w.shape[1])
    var values = [Double](repeating: 0, count: w.count)
    for r in 0..<rows { for c in 0..<columns { values[c * rows + r] = w.values[r * columns + c] } }
    return ConstantTensor(shape: [columns, rows], values: values, isInteger: w.isInteger)
  }

  /// A `Linear` layer with weight [out, in] and an optional bias [out].
  mutating func appendLinear(input x: Int, weight: ConstantTensor, bias: ConstantTensor?) throws -> Int {
    guard weight.shape.count == 2, weight.shape.allSatisfy({ $0 > 0 }) else { throw fail("weight of shape \(weight.shape)") }
    var rng = SeededRNG(seed: 0)
    let linear = Linear(inFeatures: weight.shape[1], outFeatures: weight.shape[0], bias: bias != nil, rng: &rng)
    linear.weight.value = weight.floatTensor
    if let bias {
      guard bias.count == weight.shape[0] else { throw fail("bias of \(bias.count) values for \(weight.shape[0]) outputs") }
      linear.bias?.value = Tensor(shape: [bias.count], scalars: bias.values.map { Float($0) })
    }
    return try append(linear, input: x)
  }

  mutating func importGemm(_ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Int {
    let x = try dynamic(inputs, 0)
    var w = try required(inputs, 1, "the weight matrix B")
    guard attributes.int("transA", 0) == 0 else { throw fail("transA = 1 is not supported") }
    guard w.shape.count == 2 else { throw fail("B has shape \(w.shape); expected a matrix") }
    if attributes.int("transB", 0) == 0 { w = transposed(w) }
    let alpha = Double(attributes.float("alpha", 1))
    let beta = Double(attributes.float("beta", 1))
    w.values = w.values.map { $0 * alpha }
    var bias: ConstantTensor? = nil
    if var c = try constant(inputs, 2, "the bias C") {
      let out = w.shape[0]
      if c.count == 1 { c = ConstantTensor(shape: [out], values: Array(repeating: c.values[0], count: out), isInteger: false) }
      guard c.count == out, c.shape.last == out || c.shape.isEmpty else { throw fail("C of shape \(c.shape) for \(out) outputs") }
      c.values = c.values.map { $0 * beta }
      bias = c
    }
    return try appendLinear(input: x, weight: w, bias: bias)
  }

  mutating func importConv(_ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Int {
    let x = try dynamic(inputs, 0)
    let w = try required(inputs, 1, "the weight")
    let b = try constant(inputs, 2, "the bias")
    try checkAutoPad(attributes)
    guard attributes.int("group", 1) == 1 else { throw fail("grouped convolution (group \(attributes.int("group", 1))) is not supported") }
    let rank = shapes[x].count
    guard w.shape.count == rank, rank == 3 || (rank == 4 && w.shape[2] == 1) else {
      throw fail("weight \(w.shape) on input \(shapes[x]): ecgxai imports 1-D convolutions (or 2-D ones with a kernel height of 1)")
    }
    let (cout, cin, k) = (w.shape[0], w.shape[1], w.shape[rank - 1])
    guard cout > 0, cin > 0, k > 0 else { throw fail("weight of shape \(w.shape)") }
    if let given = attributes.ints("kernel_shape") {
      guard try timeAxisValues(given, count: 1, fallback: k, name: "kernel_shape", rank: rank) == [k] else {
        throw fail("kernel_shape \(given) does not match the weight \(w.shape)")
      }
    }
    let stride = try timeAxisValues(attributes.ints("strides"), count: 1, fallback: 1, name: "strides", rank: rank)[0]
    let dilation = try timeAxisValues(attributes.ints("dilations"), count: 1, fallback: 1, name: "dilations", rank: rank)[0]
    let pads = try timeAxisValues(attributes.ints("pads"), count: 2, fallback: 0, name: "pads", rank: rank)
    guard stride >= 1, stride <= 1 << 16, dilation >= 1, dilation <= 1 << 16, pads.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else {
      throw fail("stride \(stride), dilation \(dilation), pads \(pads)")
    }
    if let b, b.count != cout { throw fail("bias of \(b.count) values for \(cout) output channels") }
    var rng = SeededRNG(seed: 0)
    let symmetric = pads[0] == pads[1]
    let geometry = Conv1DGeometry(
      inChannels: cin, outChannels: cout, kernelSize: k, stride: stride, padding: symmetric ? pads[0] : 0, dilation: dilation)
    let conv = Conv1d(geometry, bias: b != nil, rng: &rng)
    conv.weight.value = Tensor(shape: [cout, cin, k], scalars: w.values.map { Float($0) })
    if let b { conv.bias?.value = Tensor(shape: [cout], scalars: b.values.map { Float($0) }) }
    return try onTimeAxis(x) { builder, x in
      var input = x
      if !symmetric { input = try builder.append(Pad1d(before: pads[0], after: pads[1]), input: x, suffix: "pad") }
      return try builder.append(conv, input: input)
    }
  }

  mutating func importBatchNorm(_ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Int {
    let x = try dynamic(inputs, 0)
    let parts = try (1...4).map { try required(inputs, $0, ["", "scale", "bias", "mean", "variance"][$0]) }
    let channels = parts[0].count
    guard channels > 0, parts.allSatisfy({ $0.count == channels }) else {
      throw fail("scale, bias, mean and variance have \(parts.map(\.count)) values; expected one per channel")
    }
    guard parts[3].values.allSatisfy({ $0 >= 0 }) else { throw fail("negative running variance") }
    let epsilon = attributes.float("epsilon", 1e-5)
    guard epsilon >= 0, epsilon.isFinite else { throw fail("epsilon \(epsilon)") }
    let bn = BatchNorm1d(channels: channels, epsilon: epsilon, momentum: 1 - attributes.float("momentum", 0.9))
    let tensors = parts.map { Tensor(shape: [channels], scalars: $0.values.map { Float($0) }) }
    bn.weight.value = tensors[0]
    bn.bias.value = tensors[1]
    bn.runningMean.value = tensors[2]
    bn.runningVariance.value = tensors[3]
    if shapes[x].count == 4 { return try onTimeAxis(x) { b, x in try b.append(bn, input: x) } }
    return try append(bn, input: x)
  }

  mutating func importPool(_ op: String, _ inputs: [Symbol?], _ attributes: NodeAttributes) throws -> Int {
    let x = try dynamic(inputs, 0)
    try checkAutoPad(attributes)
    let rank = shapes[x].count
    guard rank == 3 || rank == 4 else { throw fail("input \(shapes[x])") }
    guard let kernelShape = attributes.ints("kernel_shape") else { throw fail("kernel_shape is missing") }
    let k = try timeAxisValues(kernelShape, count: 1, fallback: 1, name: "kernel_shape", rank: rank)[0]
    let stride = try timeAxisValues(attributes.ints("strides"), count: 1, fallback: 1, name: "strides", rank: rank)[0]
    let pads = try timeAxisValues(attributes.ints("pads"), count: 2, fallback: 0, name: "pads", rank: rank)
    let dilation = try timeAxisValues(attributes.ints("dilations"), count: 1, fallback: 1, name: "dilations", rank: rank)[0]
    let ceil = attributes.int("ceil_mode", 0) != 0
    guard k >= 1, k <= 1 << 16, stride >= 1, stride <= 1 << 16, dilation == 1 else {
      throw fail("kernel \(k), stride \(stride), dilation \(dilation): ecgxai supports undilated pooling")
    }
    let layer: any Layer
    if op == "MaxPool" {
      guard !ceil else { throw fail("ceil_mode = 1 is not supported for MaxPool") }
      guard pads[0] == pads[1], pads[0] >= 0, 2 * pads[0] <= k else { throw fail("pads \(pads) must be equal and at most half the kernel (\(k))") }
      layer = MaxPool1d(kernelSize: k, stride: stride, padding: pads[0])
    } else {
      guard pads == [0, 0] else { throw fail("padded average pooling (pads \(pads)) is not supported") }
      layer = AvgPool1d(kernelSize: k, stride: stride, ceilMode: ceil)
    }
    return try onTimeAxis(x) { b, x in try b.append(layer, input: x) }
  }
}
