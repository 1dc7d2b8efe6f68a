import ECGSignal

extension DiscoveryAnalysis {
  /// One record of the cohort: its index into `PTBXLDataset.entries` and its known subtype (an
  /// index into `DiscoverySettings.subtypes`; nil without subtypes).
  public struct CohortMember: Sendable, Equatable {
    /// Index into `PTBXLDataset.entries`.
    public var index: Int
    /// Index into `DiscoverySettings.subtypes`, nil without subtypes.
    public var subtype: Int?
  }

  /// The records clustered, in file order: those of the split labelled with the class and with
  /// exactly one of the subtypes (without further diagnostic subclasses unless `otherLabels`), or
  /// without subtypes those whose only diagnostic label is the class.
  /// - Throws: `DiscoveryError.tooFewRecords` when there are not more than three records per
  ///   cluster.
  public func cohort(in dataset: PTBXLDataset) throws -> [CohortMember] {
    let className = settings.className, subtypeNames = settings.subtypes
    var selected: [CohortMember] = []
    for index in dataset.entries.indices where settings.split.folds?.contains(dataset.entries[index].fold) ?? true {
      let labels = dataset.labelsAtEveryLevel(dataset.entries[index])
      guard labels.contains(className) else { continue }
      if subtypeNames.isEmpty {
        // The paper's Part 2: records whose only diagnostic label is the class.
        if settings.otherLabels || Self.hasOnlyLabel(className, dataset.entries[index], in: dataset) {
          selected.append(CohortMember(index: index, subtype: nil))
        }
        continue
      }
      let present = subtypeNames.indices.filter { labels.contains(subtypeNames[$0]) }
      guard present.count == 1 else { continue }
      // The paper: records whose only diagnostic subclass is the subtype (no other finding).
      if !settings.otherLabels && dataset.rawLabels(dataset.entries[index], task: .subdiagnostic).subtracting(subtypeNames).count > 0 { continue }
      selected.append(CohortMember(index: index, subtype: present[0]))
    }
    guard selected.count > settings.minimumRecords else {
      let with = subtypeNames.isEmpty ? "" : " with exactly one of \(subtypeNames.joined(separator: ", "))"
      throw DiscoveryError.tooFewRecords(
        "only \(selected.count) records of the \(settings.split.rawValue) split are \(className)\(with); need more than \(settings.minimumRecords)")
    }
    return selected
  }

  /// Why there is nothing to cluster in `dataset` (no record of the class that carries one of the
  /// subtypes — e.g. a PhysioNet/CinC folder, whose SNOMED CT codes name no infarct
  /// territories), or nil. A quick check of every record, before a pipeline step runs.
  public static func cohortProblem(in dataset: PTBXLDataset, settings: DiscoverySettings) -> String? {
    let (className, subtypes) = (settings.className, settings.subtypes)
    let found = dataset.entries.contains { entry in
      let labels = dataset.labelsAtEveryLevel(entry)
      return labels.contains(className) && (subtypes.isEmpty || subtypes.contains { labels.contains($0) })
    }
    if found { return nil }
    let what = subtypes.isEmpty ? className : "\(className) labelled \(subtypes.joined(separator: " or "))"
    return "no \(what) records in this dataset; set discover.class and discover.subtypes to classes it has"
  }

  /// Whether a record's only label at `className`'s level is `className` — the paper's Part 2
  /// cohort, "records whose only diagnostic label is ASMI": its diagnostic SCP codes when the class
  /// is one of them, else its diagnostic subclasses, else its superclasses.
  public static func hasOnlyLabel(_ className: String, _ entry: PTBXLDataset.Entry, in dataset: PTBXLDataset) -> Bool {
    for task in [PTBXLDataset.Task.diagnostic, .subdiagnostic, .superdiagnostic] {
      let labels = dataset.rawLabels(entry, task: task)
      if labels.contains(className) { return labels == [className] }
    }
    return false
  }

  /// The model output that stands for `className`: the class itself, else its diagnostic subclass,
  /// else its superclass (ASMI → AMI on a subdiagnostic model, → MI on a superdiagnostic one); nil
  /// when the model has none of them.
  public static func targetClass(for className: String, classes: [String], statements: [String: PTBXLDataset.Statement]) -> Int? {
    let statement = statements[className]
    let superclassOfSubclass = statements.values.first { $0.diagnosticSubclass == className }?.diagnosticClass
    for name in [className, statement?.diagnosticSubclass, statement?.diagnosticClass, superclassOfSubclass].compactMap({ $0 }) {
      if let k = classes.firstIndex(of: name) { return k }
    }
    return nil
  }
}
