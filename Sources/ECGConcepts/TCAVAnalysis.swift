import ECGExplain
import ECGNet
import ECGStatistics
import ECGTensor
import Foundation

/// Testing with Concept Activation Vectors (Kim et al. 2018) over a record pool, with the
/// significance test the paper's code lacks:
///
/// 1. Per concept and run r = 1…R: m positives from the concept's records and m negatives drawn
///    from the records without it; a CAV per layer (`CAVTrainer`, stratified hold-out accuracy).
///    m = min(maxExamples, max(⌊examples/R⌋, minExamples)): when the concept has R·m records the
///    runs use disjoint positives, so they are independent draws like the random runs and the
///    t-test is valid; smaller concepts share examples between runs (`disjointRuns` false), which
///    makes the test anti-conservative — the null concepts measure by how much.
/// 2. The random baseline: `randomRuns` random-vs-random CAVs per layer for each m (m random
///    records vs m other random records).
/// 3. Per target output: layer gradients of the output on its input records; Captum's
///    `sign_count` and `magnitude` (`TCAVScore`) for every CAV.
/// 4. Per concept × layer × target: a two-sided t-test (Welch's by default; Student's as
///    tensorflow/tcav on request) of the R concept `sign_count`s against the random ones,
///    Bonferroni over concepts × layers × targets.
/// Null concepts (random record subsets the size of the real concepts) run through the same
/// protocol and measure the test's false-positive rate on this model and data.
public struct TCAVAnalysis {
  /// The model (its weights are not changed).
  public let model: Model
  /// The protocol settings.
  public let settings: TCAVSettings

  /// Creates an analysis.
  public init(model: Model, settings: TCAVSettings) {
    self.model = model
    self.settings = settings
  }

  /// The result and the CAVs of the expert and relative concepts, [layer: [concept: R CAVs]].
  public struct Output: Sendable {
    /// Scores, tests, accuracies.
    public var result: TCAVResult
    /// The learned CAVs (for caching and reuse on new inputs).
    public var cavs: [String: [String: [ConceptActivationVector]]]
  }

  /// One CAV fit: what it is for and its examples (pool positions).
  struct Plan {
    var key: String
    var run: Int
    var positives: [Int]
    var negatives: [Int]
    var train: [Int]
    var test: [Int]
  }

  /// Runs the protocol on a pool of `poolSize` records.
  /// - Parameters:
  ///   - concepts: expert concepts (members are pool positions).
  ///   - relative: concept pairs (A, B) for relative TCAV: A's records without B vs B's without A.
  ///   - targets: outputs to explain and their candidate inputs.
  ///   - inputs: loads records by pool position as [n, leads, time] (already cropped).
  ///   - progress: called with a line per stage.
  /// - Throws: `ConceptError` for unusable settings, layers or concepts; errors of `inputs`.
  public func run(
    poolSize: Int, concepts: [ConceptExamples], relative: [(String, String)] = [], targets: [TCAVTarget],
    inputs: ([Int]) throws -> Tensor, progress: ((String) -> Void)? = nil
  ) throws -> Output {
    try settings.validate()
    let layers = settings.layers.isEmpty ? LayerProbe.defaultLayers(of: model) : settings.layers
    try LayerProbe.validate(layers, in: model)
    let classes = model.architecture.classes
    for target in targets where !(0..<classes).contains(target.output) {
      throw ConceptError.invalidConcept("target '\(target.name)' is output \(target.output), but the model has \(classes) outputs")
    }
    let usableTargets = targets.filter { !$0.members.isEmpty }
    guard !usableTargets.isEmpty else { throw ConceptError.invalidConcept("no target has input records") }
    let trainer = CAVTrainer(classifier: settings.classifier, holdOutFraction: settings.holdOutFraction)
    let runs = settings.runs
    let limit = settings.maxExamples == 0 ? Int.max : settings.maxExamples
    let pool = Array(0..<poolSize)

    // 1. Plans: which records every CAV is fitted on.
    var summaries: [TCAVResult.Concept] = []
    var skipped: [String: String] = [:]
    var plans: [Plan] = []
    var sizes = Set<Int>()
    func stream(_ family: UInt64, _ item: Int, _ run: Int) -> SeededRNG {
      SeededRNG.stream(seed: settings.seed, index: family << 40 | UInt64(item) << 16 | UInt64(run))
    }
    func addConcept(_ name: String, kind: String, members: [Int], nonMembers: [Int], family: UInt64, item: Int) -> Bool {
      // Disjoint examples per run when the concept has R·m records; at least `minExamples`.
      let m = min(limit, members.count, nonMembers.count, max(members.count / runs, settings.minExamples))
      guard m >= 6 else {
        skipped[name] = "\(members.count) records with and \(nonMembers.count) without it; at least 6 of each are needed"
        return false
      }
      let disjoint = m * runs <= members.count
      summaries.append(.init(name: name, kind: kind, examples: members.count, nonExamples: nonMembers.count, perRun: m, disjointRuns: disjoint))
      var order = stream(family, item, 1 << 15)
      let shuffledMembers = members.shuffled(using: &order)
      for r in 0..<runs {
        var rng = stream(family, item, r)
        let positives = disjoint ? Array(shuffledMembers[(r * m)..<((r + 1) * m)])
          : members.count > m ? Array(members.shuffled(using: &rng).prefix(m)) : members
        let negatives = Array(nonMembers.shuffled(using: &rng).prefix(m))
        let (train, test) = trainer.split(positives: m, negatives: m, using: &rng)
        plans.append(Plan(key: name, run: r, positives: positives, negatives: negatives, train: train, test: test))
      }
      // Every concept's test needs random CAVs of its own size, relative ones included (a relative
      // concept whose size no other concept had found no random runs and stopped the analysis).
      sizes.insert(m)
      return true
    }
    func complement(_ members: [Int]) -> [Int] {
      let set = Set(members)
      return pool.filter { !set.contains($0) }
    }
    var expert: [ConceptExamples] = []
    for (i, concept) in concepts.enumerated() {
      let members = Array(Set(concept.members.filter { (0..<poolSize).contains($0) })).sorted()
      if addConcept(concept.name, kind: "expert", members: members, nonMembers: complement(members), family: 1, item: i) {
        expert.append(concept)
      }
    }
    for (i, pair) in relative.enumerated() {
      guard let a = concepts.first(where: { $0.name == pair.0 }), let b = concepts.first(where: { $0.name == pair.1 }) else {
        throw ConceptError.invalidConcept("relative pair '\(pair.0) vs \(pair.1)': both must be concepts of the analysis")
      }
      let (setA, setB) = (Set(a.members), Set(b.members))
      _ = addConcept("\(pair.0) vs \(pair.1)", kind: "relative", members: setA.subtracting(setB).sorted(), nonMembers: setB.subtracting(setA).sorted(), family: 2, item: i)
    }
    let familyCount = summaries.count
    guard familyCount > 0 else {
      throw ConceptError.invalidConcept("no concept has enough records: " + skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
    }
    if settings.nullConcepts > 0 {
      let templates = summaries.filter { $0.kind == "expert" }
      for k in 0..<settings.nullConcepts {
        let size = templates.isEmpty ? poolSize / 10 : templates[k % templates.count].examples
        var rng = stream(3, k, 0)
        let members = Array(pool.shuffled(using: &rng).prefix(size)).sorted()
        _ = addConcept("null-\(k + 1)", kind: "null", members: members, nonMembers: complement(members), family: 4, item: k)
      }
    }
    for m in sizes.sorted() {
      for r in 0..<settings.randomRuns {
        var rng = stream(5, m, r)
        let shuffled = pool.shuffled(using: &rng)
        let (train, test) = trainer.split(positives: m, negatives: m, using: &rng)
        plans.append(Plan(key: Self.randomKey(m), run: r, positives: Array(shuffled.prefix(m)), negatives: Array(shuffled[m..<2 * m]), train: train, test: test))
      }
    }
    var targetInputs: [[Int]] = []
    for (i, target) in usableTargets.enumerated() {
      let members = Array(Set(target.members.filter { (0..<poolSize).contains($0) })).sorted()
      var rng = stream(6, i, 0)
      let cap = settings.maxInputs == 0 ? members.count : min(settings.maxInputs, members.count)
      targetInputs.append(members.count > cap ? Array(members.shuffled(using: &rng).prefix(cap)).sorted() : members)
    }

    // 2. The records every fit or score needs, loaded once.
    var needed = Set<Int>()
    for plan in plans { needed.formUnion(plan.positives); needed.formUnion(plan.negatives) }
    let exampleRows = needed.sorted()
    let rowOf = Dictionary(uniqueKeysWithValues: exampleRows.enumerated().map { ($1, $0) })
    progress?("loading \(exampleRows.count) example records and \(Set(targetInputs.joined()).count) target inputs")
    let exampleInputs = try Self.load(exampleRows, inputs)
    let targetTensors = try targetInputs.map { try Self.load($0, inputs) }
    let length = exampleInputs.shape[2]
    let featureCounts = LayerProbe.featureCounts(model, layers: layers, length: length)
    let fitPlans = plans.map { p in Plan(key: p.key, run: p.run, positives: p.positives.map { rowOf[$0]! }, negatives: p.negatives.map { rowOf[$0]! }, train: p.train, test: p.test) }

    // 3. Layer by layer (in groups bounded in memory): activations, CAVs, scores.
    var cavsByLayer: [String: [ConceptActivationVector]] = [:]
    var scoresByLayer: [String: [[TCAVScore]]] = [:]  // [layer][target][plan]
    let rowsHeld = exampleRows.count + targetInputs.map(\.count).reduce(0, +)
    let budget = 512 << 20
    var start = 0
    while start < layers.count {
      var end = start + 1
      while end < layers.count && rowsHeld * featureCounts[start...end].reduce(0, +) * 4 <= budget { end += 1 }
      let group = Array(layers[start..<end])
      progress?("layers \(start + 1)–\(end) of \(layers.count): activations, \(fitPlans.count) CAVs per layer, scores")
      let activations = Self.batched(exampleInputs) { LayerProbe.activations(model, input: $0, layers: group) }
      let gradients = zip(usableTargets, targetTensors).map { target, x in
        Self.batched(x) { LayerProbe.gradients(model, input: $0, target: target.output, layers: group) }
      }
      for (g, layer) in group.enumerated() {
        let cavs = Self.fitAll(trainer, activations: activations[g], plans: fitPlans)
        let directions = Tensor(shape: [cavs.count, featureCounts[start + g]], scalars: cavs.flatMap(\.direction))
        scoresByLayer[layer] = gradients.map { TCAVScore.scores(gradients: $0[g], cavs: directions) }
        cavsByLayer[layer] = cavs
      }
      start = end
    }

    // 4. Tests.
    var planIndex: [String: [Int]] = [:]
    for (i, plan) in plans.enumerated() { planIndex[plan.key, default: []].append(i) }
    let testCount = familyCount * layers.count * usableTargets.count
    var cells: [TCAVResult.Cell] = []
    var accuracies: [TCAVResult.Accuracy] = []
    for layer in layers {
      let cavs = cavsByLayer[layer]!
      for key in summaries.map(\.name) + sizes.sorted().map(Self.randomKey) {
        let runs = planIndex[key]!.map { cavs[$0].accuracy }
        accuracies.append(.init(concept: key, layer: layer, runs: runs, mean: runs.reduce(0, +) / Double(runs.count)))
      }
      for (t, target) in usableTargets.enumerated() {
        let scores = scoresByLayer[layer]![t]
        for concept in summaries {
          let own = planIndex[concept.name]!.map { scores[$0] }
          let random = planIndex[Self.randomKey(concept.perRun)]!.map { scores[$0].signCount }
          let signCounts = own.map(\.signCount)
          let test = StudentTTest(signCounts, random, equalVariances: settings.equalVariances)
          let p = test.flatMap { $0.p.isNaN ? nil : $0.p }
          let adjusted = p.map { min(1, $0 * Double(testCount)) }
          cells.append(.init(
            concept: concept.name, layer: layer, target: target.name, signCounts: signCounts, magnitudes: own.map(\.magnitude),
            randomSignCounts: random, meanSignCount: Self.mean(signCounts), randomMeanSignCount: Self.mean(random),
            t: test.flatMap { $0.t.isNaN ? nil : $0.t }, p: p, pBonferroni: adjusted,
            cohensD: test.flatMap { $0.cohensD.isFinite ? $0.cohensD : nil }, significant: (adjusted ?? 1) < settings.alpha))
        }
      }
    }
    var calibration: TCAVResult.NullCalibration?
    let nulls = Set(summaries.filter { $0.kind == "null" }.map(\.name))
    if !nulls.isEmpty {
      let nullCells = cells.filter { nulls.contains($0.concept) }
      let unadjusted = Double(nullCells.filter { ($0.p ?? 1) < settings.alpha }.count) / Double(max(nullCells.count, 1))
      let flagged = Set(nullCells.filter(\.significant).map(\.concept))
      calibration = .init(
        concepts: nulls.count, testsPerConcept: layers.count * usableTargets.count, unadjustedRate: unadjusted,
        familyRate: Double(flagged.count) / Double(nulls.count))
    }
    let result = TCAVResult(
      settings: settings, concepts: summaries, skipped: skipped,
      layers: zip(layers, featureCounts).map { .init(name: $0, features: $1) },
      targets: zip(usableTargets, targetInputs).map { .init(name: $0.name, output: $0.output, inputs: $1.count) },
      cells: cells, accuracies: accuracies, nullCalibration: calibration, bonferroniTests: testCount,
      schemaVersion: TCAVResult.currentSchemaVersion, provenance: Provenance(model: model, seed: settings.seed))
    var kept: [String: [String: [ConceptActivationVector]]] = [:]
    for layer in layers {
      for concept in summaries where concept.kind != "null" {
        kept[layer, default: [:]][concept.name] = planIndex[concept.name]!.map { cavsByLayer[layer]![$0] }
      }
    }
    return Output(result: result, cavs: kept)
  }

  static func randomKey(_ m: Int) -> String { "random m=\(m)" }

  static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

  /// Loads records in chunks and stacks them.
  static func load(_ positions: [Int], _ inputs: ([Int]) throws -> Tensor) throws -> Tensor {
    var scalars: [Float] = []
    var inner: [Int] = []
    for s in stride(from: 0, to: positions.count, by: 256) {
      let part = try inputs(Array(positions[s..<min(s + 256, positions.count)]))
      precondition(part.rank == 3 && part.shape[0] == min(256, positions.count - s), "TCAVAnalysis: the loader returned \(part.shape)")
      precondition(inner.isEmpty || Array(part.shape.dropFirst()) == inner, "TCAVAnalysis: records of different shapes")
      inner = Array(part.shape.dropFirst())
      scalars += part.scalars
    }
    return Tensor(shape: [positions.count] + inner, scalars: scalars)
  }

  /// Runs `body` on batches of 64 records and concatenates each output's rows.
  static func batched(_ x: Tensor, _ body: (Tensor) -> [Tensor]) -> [Tensor] {
    let n = x.shape[0]
    var outputs: [[Float]] = []
    var features: [Int] = []
    for s in stride(from: 0, to: n, by: 64) {
      let part = body(x.slice(s..<min(s + 64, n)))
      if outputs.isEmpty { outputs = part.map { _ in [] }; features = part.map { $0.shape[1] } }
      for (i, t) in part.enumerated() { outputs[i] += t.scalars }
    }
    return zip(outputs, features).map { Tensor(shape: [n, $1], scalars: $0) }
  }

  /// Fits every plan's CAV in parallel.
  static func fitAll(_ trainer: CAVTrainer, activations: Tensor, plans: [Plan]) -> [ConceptActivationVector] {
    var out = [ConceptActivationVector?](repeating: nil, count: plans.count)
    out.withUnsafeMutableBufferPointer { buffer in
      let pointer = SendablePointer(buffer.baseAddress!)
      parallelFor(plans.count) { i in
        let p = plans[i]
        pointer.pointer[i] = trainer.fit(activations, positives: p.positives, negatives: p.negatives, train: p.train, test: p.test)
      }
    }
    return out.map { $0! }
  }
}
