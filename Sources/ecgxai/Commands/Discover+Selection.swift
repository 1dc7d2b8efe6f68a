import ECGSignal

extension Discover {
  /// Whether a record's only label at `className`'s level is `className` — the paper's Part 2
  /// cohort, "records whose only diagnostic label is ASMI": its diagnostic SCP codes when the class
  /// is one of them, else its diagnostic subclasses, else its superclasses.
  static func hasOnlyLabel(_ className: String, _ entry: PTBXLDataset.Entry, in dataset: PTBXLDataset) -> Bool {
    for task in [PTBXLDataset.Task.diagnostic, .subdiagnostic, .superdiagnostic] {
      let labels = dataset.rawLabels(entry, task: task)
      if labels.contains(className) { return labels == [className] }
    }
    return false
  }

  /// The model output that stands for `className`: the class itself, else its diagnostic subclass,
  /// else its superclass (ASMI → AMI on a subdiagnostic model, → MI on a superdiagnostic one); nil
  /// when the model has none of them.
  static func targetClass(for className: String, classes: [String], statements: [String: PTBXLDataset.Statement]) -> Int? {
    let statement = statements[className]
    let superclassOfSubclass = statements.values.first { $0.diagnosticSubclass == className }?.diagnosticClass
    for name in [className, statement?.diagnosticSubclass, statement?.diagnosticClass, superclassOfSubclass].compactMap({ $0 }) {
      if let k = classes.firstIndex(of: name) { return k }
    }
    return nil
  }
}
