import Foundation

/// Holm's step-down adjustment of p-values, equal to statsmodels'
/// `multipletests(p, method='holm')[1]`: sorted ascending, p₍ᵢ₎ × (m − i + 1), made monotone by
/// a running maximum, clipped to 1. NaN entries are left NaN and not counted in m.
public func holmAdjusted(_ p: [Double]) -> [Double] {
  let valid = p.indices.filter { !p[$0].isNaN }.sorted { p[$0] < p[$1] }
  var adjusted = [Double](repeating: .nan, count: p.count)
  var running = 0.0
  for (rank, i) in valid.enumerated() {
    running = max(running, Double(valid.count - rank) * p[i])
    adjusted[i] = min(1, running)
  }
  return adjusted
}

/// Bonferroni's adjustment, equal to statsmodels' `multipletests(p, method='bonferroni')[1]`:
/// each p × m, clipped to 1. NaN entries are left NaN and not counted in m.
public func bonferroniAdjusted(_ p: [Double]) -> [Double] {
  let m = Double(p.filter { !$0.isNaN }.count)
  return p.map { $0.isNaN ? .nan : min(1, $0 * m) }
}
