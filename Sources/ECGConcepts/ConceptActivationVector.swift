import ECGTensor
import Foundation

/// How a concept activation vector is learned from layer activations of concept examples
/// (positives) and non-examples (negatives).
public enum CAVClassifier: String, Sendable, Codable, CaseIterable {
  /// L2-regularised logistic regression, C = 1, intercept not penalised — scikit-learn's
  /// `LogisticRegression()` defaults, solved to convergence.
  case logistic
  /// L2-regularised linear SVM: mean squared hinge + (α/2)‖w‖², α = 0.01 — Captum's default
  /// `SGDClassifier(alpha=0.01)` regularisation with LinearSVC's smooth loss, solved exactly
  /// instead of by stochastic gradient descent (tensorflow/tcav's `linear` option is the same
  /// model family).
  case svm
  /// FastCAV (Schmalwasser et al. 2025; captum issue #1619): the difference of the class means,
  /// thresholded halfway between them. No optimisation, linear in the data.
  case fastCAV = "fastcav"
}

/// A concept activation vector: a unit direction in a layer's flattened activation space that
/// points from non-examples towards concept examples, with its hold-out accuracy.
public struct ConceptActivationVector: Sendable, Codable, Equatable {
  /// Unit-length direction, [features] (the classifier's w / ‖w‖).
  public var direction: [Float]
  /// Decision offset along the direction: x is classified as the concept when
  /// direction·x + offset > 0 (the classifier's b / ‖w‖).
  public var offset: Double
  /// Accuracy on the held-out examples.
  public var accuracy: Double
  /// Norm ‖w‖ of the classifier's weight vector before normalisation.
  public var weightNorm: Double
}

/// Learns CAVs from rows of a layer's activation matrix.
public struct CAVTrainer: Sendable {
  /// The classifier.
  public var classifier: CAVClassifier
  /// Share of each class held out for the accuracy (stratified; Captum: 0.33).
  public var holdOutFraction: Double
  /// Logistic regression's C (inverse penalty), default 1.
  public var inverseRegularisation: Double
  /// The SVM's α (penalty weight), default 0.01.
  public var svmAlpha: Double

  /// Creates a trainer with the defaults above.
  public init(classifier: CAVClassifier = .logistic, holdOutFraction: Double = 0.33, inverseRegularisation: Double = 1, svmAlpha: Double = 0.01) {
    self.classifier = classifier
    self.holdOutFraction = holdOutFraction
    self.inverseRegularisation = inverseRegularisation
    self.svmAlpha = svmAlpha
  }

  /// A stratified split: the first ⌊fraction · count⌋ of a shuffled copy of each class is held
  /// out. Returns (train, test) as positions into `positives + negatives`.
  public func split(positives: Int, negatives: Int, using rng: inout SeededRNG) -> (train: [Int], test: [Int]) {
    var train: [Int] = [], test: [Int] = []
    for (start, count) in [(0, positives), (positives, negatives)] {
      let shuffled = (start..<start + count).shuffled(using: &rng)
      let held = Int(holdOutFraction * Double(count))
      test += shuffled.prefix(held)
      train += shuffled.dropFirst(held)
    }
    return (train, test)
  }

  /// Fits a CAV on `activations` [rows, features]: rows `positives` are concept examples,
  /// `negatives` the others; `train`/`test` index into `positives + negatives`.
  /// Single-threaded (callers parallelise over CAVs).
  public func fit(_ activations: Tensor, positives: [Int], negatives: [Int], train: [Int], test: [Int]) -> ConceptActivationVector {
    precondition(activations.rank == 2, "CAVTrainer: activations must be [rows, features]")
    let rows = positives + negatives
    let labels = rows.indices.map { $0 < positives.count ? 1.0 : -1.0 }
    let features = activations.shape[1]
    let trainRows = train.map { rows[$0] }, testRows = test.map { rows[$0] }
    let trainLabels = train.map { labels[$0] }
    var w = [Double](repeating: 0, count: features)
    var b = 0.0
    switch classifier {
    case .fastCAV:
      var plus = [Double](repeating: 0, count: features), minus = plus
      var (np, nm) = (0.0, 0.0)
      activations.scalars.withUnsafeBufferPointer { a in
        for (row, label) in zip(trainRows, trainLabels) {
          let base = row * features
          if label > 0 { np += 1; for f in 0..<features { plus[f] += Double(a[base + f]) } }
          else { nm += 1; for f in 0..<features { minus[f] += Double(a[base + f]) } }
        }
      }
      for f in 0..<features { plus[f] /= max(np, 1); minus[f] /= max(nm, 1); w[f] = plus[f] - minus[f] }
      b = -zip(w, zip(plus, minus)).reduce(0) { $0 + $1.0 * ($1.1.0 + $1.1.1) / 2 }
    case .logistic, .svm:
      let gram = Self.gram(activations, rows: trainRows)
      let solver = classifier == .logistic
        ? KernelLBFGS(loss: .logistic, lossWeight: inverseRegularisation, penalty: 1)
        : KernelLBFGS(loss: .squaredHinge, lossWeight: 1 / Double(max(trainRows.count, 1)), penalty: svmAlpha)
      let solution = solver.solve(gram: gram, labels: trainLabels)
      activations.scalars.withUnsafeBufferPointer { a in
        for (row, coefficient) in zip(trainRows, solution.alpha) where coefficient != 0 {
          let base = row * features
          for f in 0..<features { w[f] += coefficient * Double(a[base + f]) }
        }
      }
      b = solution.intercept
    }
    let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let direction = norm > 0 ? w.map { Float($0 / norm) } : [Float](repeating: 0, count: features)
    let offset = norm > 0 ? b / norm : 0
    var correct = 0
    activations.scalars.withUnsafeBufferPointer { a in
      for (position, row) in zip(test, testRows) {
        let base = row * features
        var s = offset
        for f in 0..<features { s += Double(direction[f]) * Double(a[base + f]) }
        if (s > 0) == (labels[position] > 0) { correct += 1 }
      }
    }
    let accuracy = test.isEmpty ? .nan : Double(correct) / Double(test.count)
    return ConceptActivationVector(direction: direction, offset: offset, accuracy: accuracy, weightNorm: norm)
  }

  /// K = X Xᵀ of the given rows, in double precision (float products summed by the GEMM).
  static func gram(_ activations: Tensor, rows: [Int]) -> [Double] {
    let (n, features) = (rows.count, activations.shape[1])
    var gathered = [Float](repeating: 0, count: n * features)
    activations.scalars.withUnsafeBufferPointer { a in
      for (i, row) in rows.enumerated() {
        for f in 0..<features { gathered[i * features + f] = a[row * features + f] }
      }
    }
    var k = [Float](repeating: 0, count: n * n)
    gathered.withUnsafeBufferPointer { x in
      k.withUnsafeMutableBufferPointer { c in
        GEMM.multiply(
          transposeA: false, transposeB: true, m: n, n: n, k: features,
          a: x.baseAddress!, lda: features, b: x.baseAddress!, ldb: features, c: c.baseAddress!, ldc: n, threads: 1)
      }
    }
    return k.map(Double.init)
  }
}
