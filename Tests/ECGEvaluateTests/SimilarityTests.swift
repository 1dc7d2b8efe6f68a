@testable import ECGEvaluate
import Foundation
import Testing

/// The similarities equal Quantus's on the same attribution pairs
/// (tools/reference/sanity_fixtures.py): Spearman signed and absolute, SSIM (raw and on the
/// max-normalised |maps|, also as Quantus's RandomLogit scores it), top-k intersection.
@Suite struct SimilarityTests {
  struct Fixture: Decodable {
    var k: Int
    var a: [[Float]]
    var b: [[Float]]
    var spearman: [Double]
    var spearman_abs: [Double]
    var ssim_raw: [Double]
    var ssim: [Double]
    var top_k: [Double]
    var random_logit_ssim: [Double]
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/ECGEvaluate/similarity.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  @Test func equalsQuantus() {
    let f = Self.fixture
    for r in f.a.indices {
      let s = Similarity.scores(f.a[r][...], f.b[r][...], k: f.k)
      let raw = Similarity.ssim(f.a[r].map(Double.init), f.b[r].map(Double.init))
      let pairs: [(String, Double, Double)] = [
        ("spearman", s.spearman, f.spearman[r]), ("spearman_abs", s.spearmanAbsolute, f.spearman_abs[r]),
        ("ssim_raw", raw, f.ssim_raw[r]), ("ssim", s.ssim, f.ssim[r]), ("top_k", s.topKIntersection, f.top_k[r]),
        ("random_logit_ssim", s.ssim, f.random_logit_ssim[r]),
      ]
      for (name, ours, theirs) in pairs {
        #expect(abs(ours - theirs) <= 1e-6, "\(name) pair \(r): ecgxai \(ours), Quantus \(theirs)")
      }
    }
  }

  @Test func properties() {
    let x: [Double] = [0.1, 0.5, 0.2, 0.9, 0.3, 0.4, 0.8, 0.7, 0.6]
    #expect(abs(Similarity.ssim(x, x) - 1) < 1e-12)  // identical signals
    #expect(Similarity.ssim([Double](repeating: 1, count: 9), [Double](repeating: 1, count: 9)).isNaN)  // data range 0
    #expect(Similarity.ssim(x, x.map { 1 - $0 }) < 0)  // anti-correlated structure
    #expect(Similarity.topKIntersection(x, x, k: 3) == 1)
    #expect(Similarity.topKIntersection(x, x.map { -$0 }, k: 3) == 0)
    #expect(abs(Similarity.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12)  // SciPy
    #expect(abs(Similarity.spearman([1, 1, 2, 3], [4, 3, 3, 1]) - (-0.8333333333333335)) < 1e-12)
    #expect(Similarity.pearson([1, 2, 3], [2, 2, 2]) == nil)
    let s = Similarity.scores([1, -2, 3, -4, 5, -6, 7][...], [1, -2, 3, -4, 5, -6, 7][...], k: 2)
    #expect(s.spearman == 1 && s.spearmanAbsolute == 1 && abs(s.ssim - 1) < 1e-12 && s.topKIntersection == 1)
  }

  /// The selection-based top-k and the pair-sorted ranks give what sorting every index through
  /// the comparator gives, with many ties (attributions have runs of exact zeros).
  @Test func topIndicesAndRanksMatchAFullSort() {
    var state: UInt64 = 42
    for trial in 0..<20 {
      let values = (0..<(50 + trial * 37)).map { _ -> Double in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let value = Double((state >> 33) % 9) - 4  // nine distinct values: ties everywhere
        return trial % 2 == 0 ? value : value * 1e-3 + Double((state >> 20) % 7) * 1e5  // other bytes
      }
      for k in [1, 5, values.count / 2, values.count] {
        let full = Array(values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(k))
        #expect(Similarity.topIndices(values, k: k) == full)
      }
      let order = values.indices.sorted { values[$0] < values[$1] }
      var expected = [Double](repeating: 0, count: values.count)
      var i = 0
      while i < order.count {
        var j = i
        while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
        for m in i...j { expected[order[m]] = Double(i + j) / 2 + 1 }
        i = j + 1
      }
      #expect(Similarity.ranks(values) == expected)
      #expect(Similarity.ascendingOrder(values) == values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) })
    }
  }
}
