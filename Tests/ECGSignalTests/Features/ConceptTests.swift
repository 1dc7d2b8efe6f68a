import ECGPhantom
import ECGSignal
import Foundation
import Testing

/// Expert concepts follow the planted conditions on phantom records; user rules parse, evaluate
/// and reject bad input with the line named; feature tables read like PTB-XL+'s; per-lead
/// fiducials stay near the global ones.
@Suite struct ConceptTests {
  static func features(_ config: PhantomConfig, id: Int) throws -> (ECGFeatures, SynthesizedRecord) {
    let cohort = try PhantomCohort(config)
    let r = cohort.render(ecgID: id)
    let record = ECGRecord(name: "\(id)", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 500, samples: r.signals500)
    return (ECGFeatures(try Delineator().delineate(record)), r)
  }

  @Test func conceptsFollowPlantedFindings() throws {
    // Easy difficulty: clear findings. CLBBB everywhere → QRS-CLBBB; no findings → none of the LVH/MI concepts.
    var config = PhantomConfig(recordCount: 6, seed: 3, rates: [500], difficulty: .easy, prevalence: ["CLBBB": 1])
    for id in 1...6 {
      let (f, _) = try Self.features(config, id: id)
      #expect(ExpertConcepts.evaluate(f, female: nil, age: nil)["QRS-CLBBB"] == true)
    }
    config = PhantomConfig(recordCount: 6, seed: 3, rates: [500], difficulty: .easy, prevalence: [:])
    for id in 1...6 {
      let (f, r) = try Self.features(config, id: id)
      let c = ExpertConcepts.evaluate(f, female: r.spec.sex == 1, age: Double(r.spec.age))
      #expect(c["MI-All"] == false && c["QRS-CLBBB"] == false && c["ST-ELEV-MI"] == false)
      #expect(c["Sex"] == (r.spec.sex == 1) && c["Age75"] == (r.spec.age >= 75))
    }
  }

  @Test func userRulesParseEvaluateAndFailClearly() throws {
    let rules = try ConceptRules(
      text: "# comment\nLONG: qtc_ms > 460\nBOTH: LONG and (x <= 1 or not flag)\n", known: ["qtc_ms", "x", "flag"])
    #expect(rules.names == ["LONG", "BOTH"])
    #expect(rules.evaluate(["qtc_ms": 470, "x": 2, "flag": 0]) == ["LONG": true, "BOTH": true])
    #expect(rules.evaluate(["qtc_ms": 470, "x": 2, "flag": 1]) == ["LONG": true, "BOTH": false])
    #expect(rules.evaluate(["x": 0]) == ["LONG": false, "BOTH": false])  // missing value: false
    for bad in ["NOCOLON qtc_ms > 1", "A: unknown > 1", "A: qtc_ms >", "A: (qtc_ms > 1", "A: qtc_ms => 1"] {
      #expect(throws: SignalError.self) { try ConceptRules(text: bad, known: ["qtc_ms"]) }
    }
  }

  @Test func readsFeatureTablesLikePTBXLPlus() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plus-\(UUID().uuidString)/features")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "ecg_id,R_Amp_V5,QRS_Dur_Global\n1,1.25,92\n2,,110\n".write(to: dir.appendingPathComponent("unig_features.csv"), atomically: true, encoding: .utf8)
    let url = try #require(PTBXLPlus.locate("unig", in: dir.deletingLastPathComponent()))
    let table = try FeatureTableCSV(contentsOf: url)
    #expect(table.value("R_Amp_V5", ecgID: 1) == 1.25 && table.value("R_Amp_V5", ecgID: 2) == nil)
    #expect(table.value("QRS_Dur_Global", ecgID: 2) == 110)
  }

  @Test func perLeadFiducialsStayNearTheGlobalOnes() throws {
    let cohort = try PhantomCohort(PhantomConfig(recordCount: 3, seed: 4, rates: [500]))
    let r = cohort.render(ecgID: 1)
    let record = ECGRecord(name: "1", leadNames: ECGRecord.standardLeadNames, samplingRateHz: 500, samples: r.signals500)
    let d = try Delineator().delineate(record)
    for lead in 0..<12 {
      let f = try #require(d.leadFiducials[lead])
      #expect(abs(f.qrsOnset - d.templateFiducials.qrsOnset) <= 0.041)
      #expect(f.qrsOffset >= f.qrsOnset)
      let beats = try #require(d.beats(lead: lead))
      #expect(beats.count == d.beats.count)
    }
  }

  /// Rules nested 50,000 deep (a stack overflow in the recursive parser), endless chains,
  /// and a name given twice or shadowing a column are errors naming the line.
  @Test(arguments: [
    "DEEP: " + String(repeating: "(", count: 50_000) + "qrs_ms" + String(repeating: ")", count: 50_000),
    "DEEP: " + String(repeating: "not ", count: 50_000) + "qrs_ms",
    "DEEP: " + String(repeating: "(", count: 100) + "qrs_ms" + String(repeating: ")", count: 100),
    "DEEP: " + String(repeating: "not ", count: 100) + "qrs_ms",
    "LONG: " + Array(repeating: "qrs_ms > 1", count: 2_000).joined(separator: " and "),
    "A: qrs_ms > 100\nB: qrs_ms > 1\nA: qrs_ms > 120",
    "qrs_ms: qrs_ms > 100",
  ])
  func hostileRulesAreErrors(text: String) {
    #expect { try ConceptRules(text: text, known: ["qrs_ms"]) } throws: { error in
      guard case SignalError.invalidRules(let reason) = error else { return false }
      return reason.hasPrefix("line ")
    }
  }

  @Test func nestingUpToTheLimitParses() throws {
    let depth = ConceptRules.maximumDepth
    let text = "OK: " + String(repeating: "(", count: depth - 1) + "not qrs_ms > 100" + String(repeating: ")", count: depth - 1)
    let rules = try ConceptRules(text: text, known: ["qrs_ms"])
    #expect(rules.evaluate(["qrs_ms": 90]) == ["OK": true])
  }
}
