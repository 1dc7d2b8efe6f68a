import ECGEvaluate
import ECGExplain
import ECGNet
import ECGPhantom
import ECGSignal
import ECGTensor
import Foundation

extension Sanity {
  /// The five localisation metrics, by their JSON names.
  static let localisationMetrics = ["relevance_mass_accuracy", "relevance_rank_accuracy", "pointing_game", "auc", "top_k_intersection"]

  /// `--localisation`: every test record (fold 10, up to --records) with a planted, labelled
  /// finding whose class (code, subclass or superclass) the classifier has is attributed to that
  /// class by every method, and |A| is scored against the finding's true evidence mask (lead ×
  /// time, the phantom's truth). Per method and condition: the mean of each metric with a
  /// percentile bootstrap 95 % CI over records, and the mask's share of the record (the
  /// relevance mass a uniform map would get); also per attributed class (all findings of a
  /// superclass together) → RUN/sanity-localisation.json.
  func runLocalisation() throws {
    let started = Date()
    let runURL = URL(fileURLWithPath: runDirectory)
    try prepareRunDirectory(runURL)
    let dataURL = runURL.appendingPathComponent("data")
    let dataset: PTBXLDataset
    do { dataset = try PTBXLDataset(root: dataURL) } catch let error as PTBXLError { throw CLIError(error.description) }
    let classifier = try ModelOptions.load(model ?? runURL.appendingPathComponent("model").path)
    try DatasetOptions(data: dataURL.path, rate: 100, folds: nil).check(classifier)
    let classes = classifier.architecture.classNames ?? []
    guard !classes.isEmpty else { throw CLIError("the classifier has no class names; --localisation needs them to find each record's class") }
    let test = dataset.entries.indices.filter { dataset.entries[$0].fold == 10 }
    let ids = test.map { dataset.entries[$0].ecgID }
    let truth: PhantomTruth
    do { truth = try PhantomTruth(root: dataURL, ecgIDs: Set(ids)) } catch {
      throw CLIError("--localisation needs the phantom's truth (RUN/data/truth/ with evidence masks): \(error)")
    }
    let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    // Records with a planted, labelled finding the model has a class for (as `ecgxai explain RUN`).
    var chosen: [(entry: Int, id: Int, code: String, target: Int)] = []
    for (entry, id) in zip(test, ids) where chosen.count < records {
      if let (code, target) = truth.plantedClass(ecgID: id, classIndex: classIndex) { chosen.append((entry, id, code, target)) }
    }
    guard !chosen.isEmpty else { throw CLIError("no test record has a planted, labelled finding among the classes \(classes.joined(separator: ", "))") }
    print("sanity localisation: \(classifier.architecture.name) (\(classes.joined(separator: ", "))) on \(chosen.count) test records with a planted finding")
    let samples = 1000
    let masks = chosen.map { truth.evidenceMask(ecgID: $0.id, finding: $0.code, rate: 100, samples: samples) }
    let chance = masks.map { Double($0.filter { $0 > 0 }.count) / Double($0.count) }
    let conditions = Array(Set(chosen.map(\.code))).sorted()
    let targetClasses = Array(Set(chosen.map(\.target))).sorted()
    var results: [[String: Any]] = []
    for name in methodNames {
      let spec = AttributionSpec(method: name)
      if let problem = spec.validationProblem { throw CLIError("--methods: \(problem)") }
      let method = spec.makeMethod(for: classifier)
      // Per record: the five metrics (nil for an empty mask).
      var perRecord: [[String: Double]?] = []
      for s in stride(from: 0, to: chosen.count, by: 64) {
        let batch = Array(chosen[s..<min(s + 64, chosen.count)])
        let x: Tensor
        do { x = try dataset.batch(batch.map(\.entry), rate: 100) } catch let error as PTBXLError { throw CLIError(error.description) }
        guard x.shape[2] == samples else { throw CLIError("--localisation expects 10 s records at 100 Hz (1000 samples), got \(x.shape[2])") }
        let values: Tensor
        do { values = try method.attribute(classifier, input: x, targets: batch.map(\.target)).values } catch let error as AttributionError {
          throw CLIError(error.description)
        }
        for offset in batch.indices {
          let a = Array(values.scalars[(offset * 12 * samples)..<((offset + 1) * 12 * samples)]), mask = masks[s + offset]
          // An empty mask, or an all-zero map (guided GradCAM can give one), has no score.
          guard let mass = Localisation.relevanceMassAccuracy(a, mask: mask, absolute: true), mass.isFinite else {
            perRecord.append(nil)
            continue
          }
          perRecord.append([
            "relevance_mass_accuracy": mass,
            "relevance_rank_accuracy": Localisation.relevanceRankAccuracy(a, mask: mask, absolute: true) ?? .nan,
            "pointing_game": Localisation.pointingGame(a, mask: mask, absolute: true) ?? .nan,
            "auc": Localisation.auc(a, mask: mask, absolute: true) ?? .nan,
            "top_k_intersection": Localisation.topKIntersection(a, mask: mask, k: min(topK, a.count), absolute: true) ?? .nan,
          ])
        }
        progress(done: min(s + 64, chosen.count), total: chosen.count)
      }
      func summary(_ rows: [Int]) -> [String: Any] {
        let scored = rows.filter { perRecord[$0] != nil }
        var out: [String: Any] = ["n": scored.count, "unscored": rows.count - scored.count]
        for metric in Self.localisationMetrics {
          out[metric] = BootstrapCI.mean(scored.map { perRecord[$0]![metric]! }, resamples: bootstrap, seed: seed)?.dictionary ?? [:]
        }
        out["chance_mass"] = scored.isEmpty ? 0 : scored.map { chance[$0] }.reduce(0, +) / Double(scored.count)
        if !scored.isEmpty {
          out["mass_over_chance"] = BootstrapCI.interval(rows: scored.count, resamples: bootstrap, seed: seed) { rows in
            rows.reduce(0.0) { $0 + perRecord[scored[$1]]!["relevance_mass_accuracy"]! } / rows.reduce(0.0) { $0 + chance[scored[$1]] }
          }.dictionary
        }
        return out
      }
      var byCondition: [String: Any] = [:], byClass: [String: Any] = [:]
      for code in conditions { byCondition[code] = summary(chosen.indices.filter { chosen[$0].code == code }) }
      for k in targetClasses { byClass[classes[k]] = summary(chosen.indices.filter { chosen[$0].target == k }) }
      let all = summary(Array(chosen.indices))
      results.append(["method": method.name, "conditions": byCondition, "classes": byClass, "all": all])
      let auc = (all["auc"] as? [String: Double])?["mean"] ?? .nan
      let mass = (all["mass_over_chance"] as? [String: Double])?["mean"] ?? .nan
      print("  " + method.name.padding(toLength: 16, withPad: " ", startingAt: 0)
        + String(format: " relevance mass %.2f× chance, AUC %.3f over all %d records", mass, auc, all["n"] as? Int ?? 0))
    }
    let json: [String: Any] = [
      "model": classifier.architecture.name, "classes": classes, "records": chosen.count, "conditions": conditions,
      "records_per_condition": Dictionary(uniqueKeysWithValues: conditions.map { c in (c, chosen.filter { $0.code == c }.count) }),
      "records_per_class": Dictionary(uniqueKeysWithValues: targetClasses.map { k in (classes[k], chosen.filter { $0.target == k }.count) }),
      "targets": "the class of the record's planted, labelled finding (its code, subclass or superclass)",
      "attribution": "absolute values (Quantus abs=True)", "top_k": topK, "bootstrap_resamples": bootstrap, "confidence_level": 0.95,
      "methods": results, "seconds": Date().timeIntervalSince(started),
    ]
    let data = try JSONSerialization.data(withJSONObject: jsonSafe(json), options: [.prettyPrinted, .sortedKeys])
    try data.writeAtomically(to: try outputURL(runURL.appendingPathComponent("sanity-localisation.json").path))
    print("wrote \(runDirectory)/sanity-localisation.json in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
  }
}
