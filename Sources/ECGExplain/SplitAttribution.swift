import ECGNet
import ECGSignal
import ECGTensor

/// Which output of the model a record's attribution explains.
public enum AttributionTarget: Codable, Hashable, Sendable {
  /// The same output index for every record.
  case index(Int)
  /// Each record's highest output.
  case predicted
  /// The output of the record's planted, labelled finding (`RecordTruth.plantedClass`), else the
  /// highest output. Records attributed to their finding are scored against its evidence mask.
  case findingOrPredicted
}

/// The records to attribute: an array in memory, or records of a dataset read batch by batch.
public enum AttributionRecords {
  /// ECGs [N, leads, T] in mV.
  case array(Tensor)
  /// The records `indices` (into `entries`) of a dataset, read at the settings' rate.
  case dataset(PTBXLDataset, indices: [Int])

  /// Number of records.
  public var count: Int {
    switch self {
    case .array(let x): x.shape[0]
    case .dataset(_, let indices): indices.count
    }
  }
}

/// Attributing the records of a dataset split (or an array) with one `AttributionSpec` — what
/// `ecgxai explain` and the run pipeline's explain step both do. Attributions stream out batch by
/// batch (`run`) so a whole dataset never has to fit in memory; `attribute` collects them.
///
/// With ground truth (`RecordTruth`) and the target `.findingOrPredicted`, every record
/// attributed to its planted finding is scored: the share of its |attribution| inside the
/// finding's evidence mask (`RecordTruth.evidenceMask`; relevance mass accuracy, Arras et al.
/// 2022) against the mask's share of the record (chance).
public struct SplitAttribution: Codable, Sendable {
  /// The method and every parameter.
  public var spec: AttributionSpec
  /// One output stream per target (e.g. one per class for "every output").
  public var targets: [AttributionTarget]
  /// How each record's attribution is scaled before it is handed out (the score uses raw values).
  public var normalisation: AttributionNormalisation
  /// Records per pass.
  public var batchSize: Int
  /// Sampling rate of dataset records, Hz (100 or 500).
  public var rateHz: Int

  /// Settings; the defaults are `ecgxai explain`'s.
  public init(
    spec: AttributionSpec, targets: [AttributionTarget] = [.predicted], normalisation: AttributionNormalisation = .none,
    batchSize: Int = 32, rateHz: Int = 100
  ) {
    (self.spec, self.targets, self.normalisation, self.batchSize, self.rateHz) = (spec, targets, normalisation, batchSize, rateHz)
  }

  /// Attributes `records` with `model` and hands every batch's attributions [b, leads, T] of
  /// every target stream to `write(stream, firstRecord, values)`, in record order.
  /// - Parameters:
  ///   - truth: ground truth for `.findingOrPredicted` and the evidence score (dataset records).
  ///   - baseline: IG's baseline when `spec.baseline` names a file: [leads, T] for every record
  ///     or [N, leads, T], one per record (nil: `spec.baseline`'s zero or lead mean).
  ///   - check: called with every batch read from the dataset before it is attributed.
  ///   - progress: records done and the total, after every batch.
  /// - Throws: `SplitAttributionError`, or whatever `check` or `write` throw.
  public func run(
    model: Model, records: AttributionRecords, truth: (any RecordTruth)? = nil, baseline: Tensor? = nil,
    check: (Tensor) throws -> Void = { _ in }, write: (_ stream: Int, _ first: Int, _ values: Tensor) throws -> Void,
    progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
  ) throws -> SplitAttributionResult {
    let n = records.count
    // The method, built once unless the baseline has one row per record.
    let shared: (any AttributionMethod)? =
      baseline == nil ? spec.makeMethod(for: model) : baseline!.rank == 3 ? nil : spec.makeMethod(for: model, baseline: .custom(baseline!))
    let name = shared?.name ?? spec.makeMethod(for: model).name
    // The finding each dataset record is attributed to (with truth and `.findingOrPredicted`).
    var ecgIDs: [Int]? = nil
    var findings: [(code: String, target: Int)?] = Array(repeating: nil, count: n)
    if case .dataset(let dataset, let indices) = records {
      ecgIDs = indices.map { dataset.entries[$0].ecgID }
      if let truth, targets.contains(.findingOrPredicted) {
        let names = model.architecture.classNames ?? (0..<model.architecture.classes).map(String.init)
        let classIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        findings = ecgIDs!.map { truth.plantedClass(ecgID: $0, classIndex: classIndex) }
      }
    }
    var used = Array(repeating: [Int](), count: targets.count)
    var diagnostics = Array(repeating: [String: [Double]](), count: targets.count)
    var mass: [String: [(inside: Double, chance: Double)]] = [:]
    for start in stride(from: 0, to: n, by: batchSize) {
      let range = start..<min(start + batchSize, n)
      let batch: Tensor
      switch records {
      case .array(let x): batch = x.slice(range)
      case .dataset(let dataset, let indices):
        do { batch = try dataset.batch(Array(indices[range]), rate: rateHz) } catch let error as PTBXLError {
          throw SplitAttributionError.records(error)
        }
        try check(batch)
      }
      if let baseline, baseline.shape.last != batch.shape[2] {
        throw SplitAttributionError.baselineLength(path: spec.baseline, baseline: baseline.shape.last!, records: batch.shape[2])
      }
      let method = shared ?? spec.makeMethod(for: model, baseline: .custom(baseline!.slice(range)))
      var predicted: [Int]? = nil
      for (stream, target) in targets.enumerated() {
        let chosen: [Int]
        switch target {
        case .index(let index): chosen = Array(repeating: index, count: batch.shape[0])
        case .predicted, .findingOrPredicted:
          if predicted == nil { predicted = predictedTargets(model.forward(batch)) }
          chosen = target == .predicted ? predicted! : range.enumerated().map { findings[$0.element]?.target ?? predicted![$0.offset] }
        }
        used[stream] += chosen
        let result: Attribution
        do { result = try method.attribute(model, input: batch, targets: chosen) } catch let error as AttributionError {
          throw SplitAttributionError.attribution(error)
        }
        try write(stream, range.lowerBound, normalisation.apply(result.values))
        for (key, list) in result.diagnostics { diagnostics[stream][key, default: []] += list }
        guard let truth, let ecgIDs, target == .findingOrPredicted else { continue }
        let (leads, samples) = (batch.shape[1], batch.shape[2])
        for (offset, r) in range.enumerated() {
          guard let (code, _) = findings[r], leads == 12 else { continue }
          let mask = truth.evidenceMask(ecgID: ecgIDs[r], finding: code, rate: Double(rateHz), samples: samples)
          let area = mask.reduce(0, +)
          guard area > 0 else { continue }
          let values = result.values.scalars[(offset * leads * samples)..<((offset + 1) * leads * samples)]
          guard let inside = RelevanceMass.shareInside(values, mask: mask), inside.isFinite else { continue }
          mass[code, default: []].append((inside, Double(area) / Double(mask.count)))
        }
      }
      progress(range.upperBound, n)
    }
    var datasetSHA256: String? = nil
    if case .dataset(let dataset, _) = records { datasetSHA256 = dataset.indexSHA256 }
    return SplitAttributionResult(
      provenance: Provenance(attribution: spec, model: model, datasetSHA256: datasetSHA256), method: name, records: n,
      ecgIDs: ecgIDs, targets: used, diagnostics: diagnostics,
      relevanceMass: mass.mapValues { RelevanceMass($0) })
  }

  /// `run` with the attributions collected in memory: one tensor [N, leads, T] per target.
  public func attribute(
    model: Model, records: AttributionRecords, truth: (any RecordTruth)? = nil, baseline: Tensor? = nil
  ) throws -> (attributions: [Tensor], result: SplitAttributionResult) {
    var parts = Array(repeating: [Float](), count: targets.count)
    var shape: [Int] = []
    let result = try run(
      model: model, records: records, truth: truth, baseline: baseline,
      write: { stream, _, values in
        parts[stream] += values.scalars
        shape = Array(values.shape.dropFirst())
      })
    return (parts.map { Tensor(shape: [records.count] + shape, scalars: $0) }, result)
  }
}

/// Why records could not be attributed.
public enum SplitAttributionError: Error, CustomStringConvertible {
  /// A dataset record could not be read.
  case records(PTBXLError)
  /// The method failed.
  case attribution(AttributionError)
  /// The baseline file's length differs from the records'.
  case baselineLength(path: String, baseline: Int, records: Int)

  /// What is wrong.
  public var description: String {
    switch self {
    case .records(let error): error.description
    case .attribution(let error): error.description
    case .baselineLength(let path, let baseline, let records):
      "\(path): the baseline has \(baseline) samples per lead; the records have \(records)"
    }
  }
}
