import ECGTensor

/// Layers applied one after another (PyTorch `nn.Sequential`); children are named "0", "1", …
/// unless names are given.
public final class Sequential: Layer, @unchecked Sendable {
  public let kind = "Sequential"
  public var path = ""
  public var record = LayerRecord()
  /// The named layers in order.
  public let layers: [(name: String, layer: any Layer)]

  /// Creates a sequence named "0", "1", ….
  public init(_ layers: [any Layer]) {
    self.layers = layers.enumerated().map { (String($0.offset), $0.element) }
  }

  /// Creates a sequence with explicit child names.
  public init(named layers: [(name: String, layer: any Layer)]) { self.layers = layers }

  public var children: [(name: String, layer: any Layer)] { layers }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    if !options.training && !options.parameterGradients && hooks.isEmpty {
      return fusedForward(input, options: options, hooks: hooks)
    }
    record.fusedSteps = []
    var x = input
    for child in layers { x = child.layer.run(x, options: options, hooks: hooks) }
    return x
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    if !record.fusedSteps.isEmpty && hooks.isEmpty && !options.parameterGradients {
      return fusedBackward(upstream, options: options, hooks: hooks)
    }
    var g = upstream
    for child in layers.reversed() { g = child.layer.runBackward(g, options: options, hooks: hooks) }
    return g
  }
}

/// A residual block `act(convpath(x) + idpath(x))`, fastai's xresnet `ResBlock`.
///
/// PyTorch registers the convolution path twice (`convs` and `convpath.0`); `stateDictAliases`
/// of the model lists the second name so saved weights load strictly in PyTorch.
public final class ResidualBlock: Layer, @unchecked Sendable {
  public let kind = "ResBlock"
  public var path = ""
  public var record = LayerRecord()
  /// The convolution path (`convs`).
  public let convs: Sequential
  /// The shortcut (`idpath`): empty, AvgPool, 1×1 ConvLayer, or both.
  public let idpath: Sequential
  /// The activation after the addition (`act`).
  public let activation: ReLU

  /// Creates a block.
  public init(convs: Sequential, idpath: Sequential) {
    self.convs = convs
    self.idpath = idpath
    activation = ReLU()
  }

  public var children: [(name: String, layer: any Layer)] {
    [("convs", convs), ("idpath", idpath), ("act", activation)]
  }

  public func forward(_ input: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    let a = convs.run(input, options: options, hooks: hooks)
    let b = idpath.run(input, options: options, hooks: hooks)
    if !options.training && !options.parameterGradients && hooks.isEmpty {
      // Fused add + ReLU; backward masks with this block's recorded output.
      activation.record = LayerRecord()
      precondition(a.shape == b.shape, "ResBlock '\(path)': paths \(a.shape) vs \(b.shape)")
      return Tensor.sumReLU(a, b)
    }
    return activation.run(a + b, options: options, hooks: hooks)
  }

  public func backward(_ upstream: Tensor, options: PassOptions, hooks: PassHooks) -> Tensor {
    var g = upstream
    if activation.record.input == nil, let output = record.output {
      g = upstream.masked(where: output)
    } else {
      g = activation.runBackward(upstream, options: options, hooks: hooks)
    }
    var shares = [g, g]
    if let rule = hooks.residualRule, let a = convs.record.output, let b = idpath.record.output,
      let split = rule(path, [a, b], g)
    {
      precondition(split.count == 2, "ResBlock '\(path)': residual rule must return 2 tensors")
      shares = split
    }
    return convs.runBackward(shares[0], options: options, hooks: hooks)
      + idpath.runBackward(shares[1], options: options, hooks: hooks)
  }
}
