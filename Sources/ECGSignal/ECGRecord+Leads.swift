/// The 12 standard leads by name, whatever the spelling of the file they come from.
extension ECGRecord {
  /// The standard lead (spelt as in `standardLeadNames`: `I` … `AVR` … `V6`) that a signal
  /// name denotes, or nil. Case and surrounding spaces do not matter (`i`, `avr`, `aVR`, ` V5 `);
  /// a `lead ` or `ECG lead ` prefix is dropped; Mason-Likar limb leads `MLI`, `MLII`, `MLIII`
  /// (the MIT-BIH records' names) and the `D1`–`D3` / `DI`–`DIII` spelling map to I, II, III.
  /// Any other name (`V`, `MCL1`, `vx`, `ABP`) denotes no standard lead.
  public static func standardLeadName(_ name: String) -> String? {
    var key = name.trimmingCharacters(in: .whitespaces).uppercased()
    for prefix in ["ECG LEAD ", "LEAD "] where key.hasPrefix(prefix) {
      key = String(key.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }
    if standardLeadNames.contains(key) { return key }
    switch key {
    case "MLI", "D1", "DI": return "I"
    case "MLII", "D2", "DII": return "II"
    case "MLIII", "D3", "DIII": return "III"
    default: return nil
    }
  }

  /// The index of the lead that denotes the standard lead `name` (`standardLeadName`), or nil.
  public func index(ofStandardLead name: String) -> Int? {
    guard let lead = Self.standardLeadName(name) else { return nil }
    return leadNames.firstIndex { Self.standardLeadName($0) == lead }
  }

  /// The standard leads this record lacks (of `standardLeadNames`), in standard order.
  public var missingStandardLeads: [String] {
    Self.standardLeadNames.filter { index(ofStandardLead: $0) == nil }
  }

  /// The record with the 12 standard leads in standard order (`standardLeadNames`) and nothing
  /// else (PTB's Frank leads `vx`, `vy`, `vz` are dropped).
  /// - Throws: `SignalError.missingLeads` naming the leads the record has and those it lacks.
  public func standardTwelveLeads() throws -> ECGRecord {
    let indices = Self.standardLeadNames.map { index(ofStandardLead: $0) }
    guard indices.allSatisfy({ $0 != nil }) else {
      throw SignalError.missingLeads(record: name, found: leadNames, missing: missingStandardLeads)
    }
    let order = indices.map { $0! }
    if order == Array(0..<12), leadCount == 12, leadNames == Self.standardLeadNames { return self }
    var out = picking(order)
    out.leadNames = Self.standardLeadNames
    return out
  }
}

extension ECGRecord {
  /// The record restricted to the leads named in `names`, in that order; a name matches a lead
  /// whose name is equal ignoring case, or that denotes the same standard lead (`II` finds
  /// `MLII`).
  /// - Throws: `SignalError.invalidSignal` naming the leads that are not found and those the
  ///   record has.
  public func selectingLeads(_ names: [String]) throws -> ECGRecord {
    var indices: [Int] = []
    var missing: [String] = []
    for name in names {
      let wanted = name.trimmingCharacters(in: .whitespaces)
      if let i = leadNames.firstIndex(where: { $0.caseInsensitiveCompare(wanted) == .orderedSame })
        ?? index(ofStandardLead: wanted)
      {
        indices.append(i)
      } else {
        missing.append(wanted)
      }
    }
    guard missing.isEmpty, !indices.isEmpty else {
      throw SignalError.invalidSignal(
        "record \(name) has no lead \(missing.joined(separator: ", ")); its leads: "
          + leadNames.joined(separator: ", "))
    }
    return picking(indices)
  }

  /// The record without its leads in units other than mV (blood pressure, plethysmogram,
  /// respiration in `NU`, … of a bedside record), or itself when every lead is in mV.
  /// - Throws: `SignalError.invalidSignal` when no lead is in mV, naming the leads and units.
  public func voltageLeads() throws -> ECGRecord {
    let kept = units.indices.filter { units[$0] == "mV" }
    if kept.count == leadCount { return self }
    guard !kept.isEmpty else {
      let list = zip(leadNames, units).map { "\($0) (\($1))" }.joined(separator: ", ")
      throw SignalError.invalidSignal("record \(name) has no lead in mV: \(list)")
    }
    return picking(kept)
  }

  /// The record with the leads at `indices`, in that order.
  func picking(_ indices: [Int]) -> ECGRecord {
    var out = [Float]()
    out.reserveCapacity(indices.count * sampleCount)
    for i in indices { out.append(contentsOf: lead(i)) }
    return ECGRecord(
      name: name, leadNames: indices.map { leadNames[$0] }, samplingRateHz: samplingRateHz,
      samples: out, units: indices.map { units[$0] })
  }
}
