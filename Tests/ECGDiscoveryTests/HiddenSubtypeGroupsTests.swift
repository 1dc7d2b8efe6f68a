import ECGDiscovery
import ECGPhantom
import Testing

/// The hidden-subtype groupings that `ecgxai discover` scores clusters against.
@Suite struct HiddenSubtypeGroupsTests {
  @Test func groupsByVariantByStageAndWithinStage() {
    let planted = [["ASMI/old/septal-qs"], ["ASMI/old/poor-r-progression"], ["ASMI/acute/septal-qs"], [], ["ASMI/acute/poor-r-progression"]]
    let groups = Dictionary(uniqueKeysWithValues: HiddenSubtypeGroups.groupings(planted).map { ($0.name, $0) })
    #expect(Set(groups.keys) == ["planted subtype", "planted subtype × stage", "planted stage", "planted subtype, acute stage", "planted subtype, old stage"])
    let variant = groups["planted subtype"]!
    #expect(variant.names == [HiddenSubtypeGroups.notPlanted, "ASMI/poor-r-progression", "ASMI/septal-qs"])
    #expect(variant.labels == [2, 1, 2, 0, 1])
    let full = groups["planted subtype × stage"]!
    #expect(full.names == [HiddenSubtypeGroups.notPlanted, "ASMI/acute/poor-r-progression", "ASMI/acute/septal-qs", "ASMI/old/poor-r-progression", "ASMI/old/septal-qs"])
    #expect(full.labels == [4, 3, 2, 0, 1])
    #expect(groups["planted stage"]!.labels == [1, 1, 0, -1, 0])
    // Within a stage only that stage's records are scored, by variant.
    #expect(groups["planted subtype, old stage"]!.labels == [1, 0, -1, -1, -1])
    #expect(groups["planted subtype, acute stage"]!.labels == [-1, -1, 1, -1, 0])
  }

  @Test func withoutStagesOnlyTheSubtypeAndWithOneGroupNothing() {
    let lvh = HiddenSubtypeGroups.groupings([["LVH"], [], ["LVH"]])
    #expect(lvh.map(\.name) == ["planted subtype"])
    #expect(lvh[0].labels == [1, 0, 1])
    #expect(HiddenSubtypeGroups.groupings([["LVH"], ["LVH"]]).isEmpty)
    // Two findings of one record are joined; the stage of a mixed-stage record is unknown.
    let two = HiddenSubtypeGroups.groupings([["IMI/old", "ASMI/acute/septal-qs"], ["IMI/old"]])
    #expect(two.first { $0.name == "planted subtype" }!.names == ["ASMI/septal-qs+IMI", "IMI"])
    #expect(two.first { $0.name == "planted stage" } == nil, "one known stage only")
  }
}

/// The stages the groupings recognise are the phantom's infarct stages.
@Suite struct HiddenSubtypeStageTests {
  @Test func stageNamesAreThePhantomsInfarctStages() {
    #expect(HiddenSubtypeGroups.stageNames == Set(InfarctStage.allCases.map(\.rawValue)))
  }
}
