import ECGTensor

extension ModelZoo {
  /// fastai-style xresnet1d as wrapped by the paper (`ECGResNet` in hhi-aml/xai4ecg
  /// `code/ecg_model.py`, blocks from helme/ecg_ptbxl_benchmarking `xresnet1d.py`):
  ///
  /// - `features.0–2`: stem ConvLayers (conv, BN, ReLU) 12→32 (stride 2), 32→32, 32→64,
  ///   kernel 5, padding 2; `features.3`: MaxPool1d(3, 2, 1);
  /// - `features.4–7`: four stages of residual blocks (`convs`, `idpath`), block width 64,
  ///   expansion 4 for xresnet1d50/101 (1 for 18/34), stride 2 in the first block of stages 2–4
  ///   with an AvgPool1d(2, ceil) shortcut, a 1×1 ConvLayer shortcut where widths differ, the last
  ///   BN of each block zero-initialised; `features.8`: concat pooling (max ‖ avg);
  /// - head: `bn` BatchNorm1d(2·C) · `drop` Dropout(0.5) · `l1` Linear(2·C → classes).
  ///
  /// ConvLayers carry a bias (the paper's ConvLayer default, `bias=True`), and BN biases start
  /// at 1e-3 as in fastai.
  static func xresnet1d(
    _ a: ModelArchitecture, expansion: Int, blocks: [Int], rng: inout SeededRNG
  ) -> any Layer {
    let k = a.kernelSize
    func convLayer(
      _ i: Int, _ o: Int, kernel: Int, stride: Int = 1, activation: Bool = true,
      zeroBN: Bool = false, bias: Bool? = nil
    ) -> Sequential {
      let conv = Conv1d(
        Conv1DGeometry(
          inChannels: i, outChannels: o, kernelSize: kernel, stride: stride,
          padding: (kernel - 1) / 2),
        bias: bias ?? a.convolutionBias, rng: &rng)
      let bn = BatchNorm1d(channels: o, initialWeight: zeroBN ? 0 : 1, initialBias: 1e-3)
      return Sequential(activation ? [conv, bn, ReLU()] : [conv, bn])
    }
    // Stem: the paper replaces the first conv by Conv1d(12, 32, 5, stride 2, padding 2) with bias.
    let stemSizes = [a.inputChannels, 32, 32, 64]
    var features: [any Layer] = (0..<3).map { i in
      convLayer(stemSizes[i], stemSizes[i + 1], kernel: k, stride: i == 0 ? 2 : 1, bias: i == 0 ? true : nil)
    }
    features.append(MaxPool1d(kernelSize: 3, stride: 2, padding: 1))
    let blockSizes = [64 / expansion, 64, 64, 64, 64]
    for (stage, count) in blocks.enumerated() {
      var stageBlocks: [any Layer] = []
      for b in 0..<count {
        let ni = (b == 0 ? blockSizes[stage] : blockSizes[stage + 1]) * expansion
        let nf = blockSizes[stage + 1] * expansion
        let hidden = blockSizes[stage + 1]
        let stride = b == 0 && stage > 0 ? 2 : 1
        let convs: Sequential
        if expansion == 1 {
          convs = Sequential([
            convLayer(ni, hidden, kernel: k, stride: stride),
            convLayer(hidden, nf, kernel: k, activation: false, zeroBN: true),
          ])
        } else {
          convs = Sequential([
            convLayer(ni, hidden, kernel: 1),
            convLayer(hidden, hidden, kernel: k, stride: stride),
            convLayer(hidden, nf, kernel: 1, activation: false, zeroBN: true),
          ])
        }
        var idpath: [any Layer] = []
        if stride != 1 { idpath.append(AvgPool1d(kernelSize: 2, ceilMode: true)) }
        if ni != nf { idpath.append(convLayer(ni, nf, kernel: 1, activation: false)) }
        stageBlocks.append(ResidualBlock(convs: convs, idpath: Sequential(idpath)))
      }
      features.append(Sequential(stageBlocks))
    }
    features.append(GlobalPool1d(.concat))
    let pooled = 2 * blockSizes[4] * expansion
    return Sequential(named: [
      ("features", Sequential(features)),
      ("squeeze", Flatten()),
      ("bn", BatchNorm1d(channels: pooled)),
      ("drop", Dropout(probability: a.headDropout, seed: rng.next())),
      ("l1", Linear(inFeatures: pooled, outFeatures: a.classes, rng: &rng)),
    ])
  }
}
