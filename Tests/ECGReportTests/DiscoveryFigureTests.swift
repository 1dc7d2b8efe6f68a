import ECGReport
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The discovery figure is well-formed SVG with one column per cluster, a trace per lead and a
/// bar per score.
@Suite struct DiscoveryFigureTests {
  @Test func oneColumnPerClusterAndABarPerScore() {
    let width = 8, leads = ["I", "II", "III"]
    func cluster(_ name: String, peak: Int) -> DiscoveryFigure.Cluster {
      .init(name: name, size: 10, femaleShare: 0.4, composition: "AMI 7 · IMI 3",
            beat: (0..<(leads.count * width)).map { $0 % width == 3 ? 1.0 : 0 },
            attribution: (0..<(leads.count * width)).map { $0 / width == peak ? 1.0 : 0.1 })
    }
    let figure = DiscoveryFigure(
      title: "test", subtitle: "two clusters", leadNames: leads, samplesBefore: 3, rateHz: 100,
      clusters: [cluster("cluster 1", peak: 0), cluster("cluster 2", peak: 2)], scores: [("attribution · gmm", 0.72), ("beat · gmm", -0.01)])
    let svg = figure.svg()
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.contains("cluster 1 (n = 10)") && svg.contains("cluster 2 (n = 10)"))
    #expect(svg.components(separatedBy: "stroke=\"#000\" stroke-width=\"0.9\"").count - 1 == 2 * leads.count, "a beat trace per lead and cluster")
    #expect(svg.contains(">0.72<") && svg.contains(">-0.01<"))
    #expect(svg.contains("women 40 %"))
    var withEmbedding = figure
    withEmbedding.embedding = ([0, 0, 1, 1, 2, 0, 3, 1], [0, 0, 1, 1], [0, 1, 0, 1], ["AMI", "IMI"])
    let scatter = withEmbedding.svg()
    #expect(XMLParser(data: Data(scatter.utf8)).parse())
    #expect(scatter.contains("t-SNE") && scatter.contains("● AMI  □ IMI"))
  }
}
