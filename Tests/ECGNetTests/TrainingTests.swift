import ECGNet
import ECGTensor
import Testing

@Suite struct TrainingTests {
  static func run(seed: UInt64) throws -> (TrainingReport, Double) {
    let train = SyntheticTask.generate(records: 256, length: 300, seed: 1)
    let validation = SyntheticTask.generate(records: 128, length: 300, seed: 2)
    let model = try ModelZoo.make("lenet1d", classes: 3, seed: seed)
    var configuration = TrainingConfiguration()
    configuration.epochs = 6
    configuration.batchSize = 32
    configuration.learningRate = 3e-3
    configuration.seed = seed
    let trainer = Trainer(configuration: configuration)
    let report = try trainer.fit(model, x: train.x, y: train.y, validationX: validation.x, validationY: validation.y)
    let auc = try #require(trainer.evaluate(model, x: validation.x, y: validation.y).score)
    return (report, auc)
  }

  /// The loss falls, validation macro-AUC reaches ≥ 0.95, and a second run with the same seed
  /// gives the same history to the bit.
  @Test func lenetLearnsDeterministically() throws {
    let (report, auc) = try Self.run(seed: 5)
    #expect(report.epochs.last!.trainingLoss < report.epochs.first!.trainingLoss * 0.8)
    #expect(auc >= 0.95, "validation macro-AUC \(auc)")
    let (again, aucAgain) = try Self.run(seed: 5)
    #expect(again.epochs.map(\.trainingLoss) == report.epochs.map(\.trainingLoss))
    #expect(aucAgain == auc)
  }

  @Test func aucHandlesTiesLikeScikitLearn() {
    #expect(Metrics.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true]) == 0.75)
    #expect(Metrics.auc(scores: [0.5, 0.5, 0.5, 0.9], labels: [false, true, false, true]) == 0.75)
    #expect(Metrics.auc(scores: [1, 2], labels: [true, true]) == nil)
  }

  /// scikit-learn 1.9: `roc_curve([0,1,1,0,1,0], [.1,.8,.4,.4,.9,.2], drop_intermediate=False)`
  /// (tied scores make one point); the trapezoid area under it is the AUC.
  @Test func rocCurveEqualsScikitLearnsPoints() throws {
    let scores: [Float] = [0.1, 0.8, 0.4, 0.4, 0.9, 0.2], labels = [false, true, true, false, true, false]
    let curve = try #require(Metrics.rocCurve(scores: scores, labels: labels))
    let expected: [(Double, Double)] = [(0, 0), (0, 1.0 / 3), (0, 2.0 / 3), (1.0 / 3, 1), (2.0 / 3, 1), (1, 1)]
    #expect(curve.count == expected.count)
    for (p, q) in zip(curve, expected) { #expect(abs(p.fpr - q.0) < 1e-12 && abs(p.tpr - q.1) < 1e-12) }
    let area = zip(curve, curve.dropFirst()).map { ($1.fpr - $0.fpr) * ($1.tpr + $0.tpr) / 2 }.reduce(0, +)
    #expect(abs(area - Metrics.auc(scores: scores, labels: labels)!) < 1e-12)
    #expect(Metrics.rocCurve(scores: [1, 2], labels: [false, false]) == nil)
  }

  /// BCE-with-logits gradient equals finite differences; MSE likewise.
  @Test(arguments: [Loss.binaryCrossEntropyWithLogits, .meanSquaredError])
  func lossGradient(loss: Loss) {
    var rng = SeededRNG(seed: 3)
    let logits = Tensor.randomNormal([4, 3], standardDeviation: 2, using: &rng)
    let targets = Tensor.randomUniform([4, 3], using: &rng).map { $0 > 0.5 ? 1 : 0 }
    let (_, gradient) = loss.evaluate(logits: logits, targets: targets)
    for i in 0..<logits.count {
      var plus = logits
      plus.scalars[i] += 1e-2
      var minus = logits
      minus.scalars[i] -= 1e-2
      let numeric = (loss.evaluate(logits: plus, targets: targets).value - loss.evaluate(logits: minus, targets: targets).value) / 2e-2
      #expect(abs(numeric - gradient.scalars[i]) < 1e-3)
    }
  }

  /// A learning rate of NaN, NaN targets and a diverging run are errors, not a NaN model.
  @Test func nonFiniteSettingsDataAndLossesStopTraining() throws {
    let train = SyntheticTask.generate(records: 32, length: 100, seed: 1)
    let validation = SyntheticTask.generate(records: 8, length: 100, seed: 2)
    var configuration = TrainingConfiguration()
    configuration.epochs = 2
    configuration.batchSize = 16
    configuration.cropLength = nil
    func fit(_ c: TrainingConfiguration, y: Tensor? = nil) throws {
      let model = try ModelZoo.make("lenet1d", classes: 3)
      _ = try Trainer(configuration: c).fit(
        model, x: train.x, y: y ?? train.y, validationX: validation.x, validationY: validation.y)
    }
    var nanRate = configuration
    nanRate.learningRate = .nan
    #expect { try fit(nanRate) } throws: { error in
      guard case TrainingError.invalidConfiguration(let reason) = error else { return false }
      return reason.contains("learning rate is nan")
    }
    var targets = train.y
    targets.scalars[7] = .nan
    #expect { try fit(configuration, y: targets) } throws: { error in
      error as? TrainingError == .nonFiniteData("targets row 2 holds nan")
    }
    var huge = configuration
    huge.learningRate = 1e38
    #expect { try fit(huge) } throws: { error in
      guard case TrainingError.nonFiniteLoss = error else { return false }
      return true
    }
  }
}
