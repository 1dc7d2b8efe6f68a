import Foundation

/// The discovery figure (SVG): one column per cluster with its prototypes — per lead the mean
/// beat (black line, −300…+500 ms around the R peak) over the mean |attribution| (shaded white →
/// red from the smallest to the largest value over all clusters, so columns compare) — headed by the cluster's size,
/// composition and share of women; below, the ARI of every representation × algorithm against
/// the known subtypes.
public struct DiscoveryFigure: Sendable {
  /// One cluster's prototypes.
  public struct Cluster: Sendable {
    /// Heading, e.g. "cluster 1".
    public var name: String
    /// Records in the cluster.
    public var size: Int
    /// Share of women (nil if unknown).
    public var femaleShare: Double?
    /// What the cluster holds, e.g. "AMI 250 · IMI 20".
    public var composition: String
    /// Mean beat, [leads × width] lead-major (mV).
    public var beat: [Double]
    /// Mean attribution, same layout.
    public var attribution: [Double]
    /// Creates a cluster description.
    public init(name: String, size: Int, femaleShare: Double?, composition: String, beat: [Double], attribution: [Double]) {
      self.name = name
      self.size = size
      self.femaleShare = femaleShare
      self.composition = composition
      self.beat = beat
      self.attribution = attribution
    }
  }

  /// Title line.
  public var title: String
  /// Subtitle (protocol, representation, algorithm).
  public var subtitle: String
  /// Lead names (rows).
  public var leadNames: [String]
  /// Samples before the R peak in each window, and the sampling rate (Hz), for the time axis.
  public var samplesBefore: Int, rateHz: Double
  /// The clusters (columns).
  public var clusters: [Cluster]
  /// ARI per "representation algorithm" label, drawn as bars (may be empty).
  public var scores: [(label: String, ari: Double)]
  /// A 2-D embedding of the records [records, 2] (t-SNE), with each record's cluster (colour)
  /// and known subtype (marker: circle, square, triangle, …; nil = all circles).
  public var embedding: (points: [Double], clusters: [Int], subtypes: [Int]?, subtypeNames: [String])?

  /// Creates the figure.
  public init(title: String, subtitle: String, leadNames: [String], samplesBefore: Int, rateHz: Double, clusters: [Cluster], scores: [(label: String, ari: Double)]) {
    self.title = title
    self.subtitle = subtitle
    self.leadNames = leadNames
    self.samplesBefore = samplesBefore
    self.rateHz = rateHz
    self.clusters = clusters
    self.scores = scores
    self.embedding = nil
  }

  /// The SVG text.
  public func svg() -> String {
    let leads = leadNames.count
    let width = clusters.first.map { $0.beat.count / max(leads, 1) } ?? 0
    let cellW = 190.0, cellH = 34.0, left = 44.0, top = 78.0, gap = 16.0
    let barTop = top + Double(leads) * cellH + 40
    let barH = 13.0
    let totalW = max(left + Double(clusters.count) * (cellW + gap) + 20, 16 + 6.6 * Double(max(title.count, subtitle.count * 8 / 10)), embedding == nil ? 0 : 750)
    let totalH = max(barTop + Double(scores.count) * barH + 30, embedding == nil ? 0 : barTop + 300)
    let n = SVG.number
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(totalW))\" height=\"\(n(totalH))\" viewBox=\"0 0 \(n(totalW)) \(n(totalH))\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
    out += "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(SVG.escape(title))</text>\n"
    out += "<text x=\"8\" y=\"31\" font-size=\"10\" fill=\"#444\">\(SVG.escape(subtitle))</text>\n"
    // Common scales: attribution max over all clusters; beat range per lead over all clusters.
    let magnitudes = clusters.flatMap(\.attribution).map(abs)
    let (attributionMin, attributionMax) = (magnitudes.min() ?? 0, magnitudes.max() ?? 1)
    for (c, cluster) in clusters.enumerated() {
      let x0 = left + Double(c) * (cellW + gap)
      let women = cluster.femaleShare.map { String(format: " · women %.0f %%", 100 * $0) } ?? ""
      out += "<text x=\"\(n(x0))\" y=\"\(n(top - 26))\" font-size=\"11\" font-weight=\"bold\">\(SVG.escape(cluster.name)) (n = \(cluster.size))</text>\n"
      out += "<text x=\"\(n(x0))\" y=\"\(n(top - 12))\" font-size=\"9\" fill=\"#444\">\(SVG.escape(cluster.composition + women))</text>\n"
      for lead in 0..<leads {
        let y0 = top + Double(lead) * cellH
        let beat = Array(cluster.beat[(lead * width)..<((lead + 1) * width)])
        let heat = Array(cluster.attribution[(lead * width)..<((lead + 1) * width)])
        let step = cellW / Double(max(width, 1))
        for (i, v) in heat.enumerated() {
          let a = max(0, min(1, (abs(v) - attributionMin) / max(attributionMax - attributionMin, 1e-300)))
          if a < 0.02 { continue }
          out += "<rect x=\"\(n(x0 + Double(i) * step))\" y=\"\(n(y0))\" width=\"\(n(step + 0.3))\" height=\"\(n(cellH - 2))\" fill=\"\(SVG.diverging(a))\"/>\n"
        }
        let range = clusters.flatMap { Array($0.beat[(lead * width)..<((lead + 1) * width)]) }
        let (lo, hi) = (range.min() ?? -1, range.max() ?? 1)
        let span = max(hi - lo, 0.2)
        let points = beat.enumerated().map { i, v in "\(n(x0 + (Double(i) + 0.5) * step)) \(n(y0 + cellH - 4 - (v - lo) / span * (cellH - 8)))" }
        out += "<path d=\"M\(points.joined(separator: " L"))\" fill=\"none\" stroke=\"#000\" stroke-width=\"0.9\"/>\n"
        out += "<rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(cellW))\" height=\"\(n(cellH - 2))\" fill=\"none\" stroke=\"#ccc\" stroke-width=\"0.5\"/>\n"
        if c == 0 { out += "<text x=\"\(n(left - 6))\" y=\"\(n(y0 + cellH / 2 + 3))\" font-size=\"9\" text-anchor=\"end\">\(SVG.escape(leadNames[lead]))</text>\n" }
        // R-peak marker.
        let rx = x0 + (Double(samplesBefore) + 0.5) * step
        out += "<path d=\"M\(n(rx)) \(n(y0))v\(n(cellH - 2))\" stroke=\"#888\" stroke-width=\"0.4\" stroke-dasharray=\"2 2\"/>\n"
      }
      let axisY = top + Double(leads) * cellH + 10
      let ms = Double(samplesBefore) / rateHz * 1000
      out += "<text x=\"\(n(x0))\" y=\"\(n(axisY))\" font-size=\"8\" fill=\"#555\">−\(Int(ms)) ms</text><text x=\"\(n(x0 + (Double(samplesBefore) + 0.5) * cellW / Double(max(width, 1))))\" y=\"\(n(axisY))\" font-size=\"8\" fill=\"#555\" text-anchor=\"middle\">R</text><text x=\"\(n(x0 + cellW))\" y=\"\(n(axisY))\" font-size=\"8\" fill=\"#555\" text-anchor=\"end\">+\(Int(Double(width - samplesBefore) / rateHz * 1000)) ms</text>\n"
    }
    if !scores.isEmpty {
      out += "<text x=\"8\" y=\"\(n(barTop - 8))\" font-size=\"11\" font-weight=\"bold\">ARI against the known subtypes (1 = identical partitions, 0 = chance)</text>\n"
      for (i, score) in scores.enumerated() {
        let y = barTop + Double(i) * barH
        let w = max(0, min(1, score.ari)) * 260
        out += "<text x=\"150\" y=\"\(n(y + 9))\" font-size=\"9\" text-anchor=\"end\">\(SVG.escape(score.label))</text>"
        out += "<rect x=\"156\" y=\"\(n(y + 1))\" width=\"\(n(w))\" height=\"\(n(barH - 3))\" fill=\"#b2182b\"/>"
        out += "<text x=\"\(n(160 + w))\" y=\"\(n(y + 9))\" font-size=\"9\">\(String(format: "%.2f", score.ari))</text>\n"
      }
    }
    if let embedding {
      // Scatter: colour = cluster, marker = known subtype.
      let x0 = 470.0, y0 = barTop - 4, size = 260.0
      let xs = stride(from: 0, to: embedding.points.count, by: 2).map { embedding.points[$0] }
      let ys = stride(from: 1, to: embedding.points.count, by: 2).map { embedding.points[$0] }
      let (xLo, xHi, yLo, yHi) = (xs.min() ?? 0, xs.max() ?? 1, ys.min() ?? 0, ys.max() ?? 1)
      let colours = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
      out += "<text x=\"\(n(x0))\" y=\"\(n(y0 - 4))\" font-size=\"11\" font-weight=\"bold\">t-SNE of the attribution</text>\n"
      out += "<rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(size))\" height=\"\(n(size))\" fill=\"none\" stroke=\"#ccc\" stroke-width=\"0.5\"/>\n"
      for i in xs.indices {
        let px = x0 + 6 + (xs[i] - xLo) / max(xHi - xLo, 1e-300) * (size - 12)
        let py = y0 + 6 + (ys[i] - yLo) / max(yHi - yLo, 1e-300) * (size - 12)
        let colour = colours[embedding.clusters[i] % colours.count]
        switch (embedding.subtypes?[i] ?? 0) % 3 {
        case 0: out += "<circle cx=\"\(n(px))\" cy=\"\(n(py))\" r=\"2\" fill=\"\(colour)\" fill-opacity=\"0.75\"/>"
        case 1: out += "<rect x=\"\(n(px - 2))\" y=\"\(n(py - 2))\" width=\"4\" height=\"4\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"0.8\"/>"
        default: out += "<path d=\"M\(n(px)) \(n(py - 2.5))l2.2 4.2h-4.4z\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"0.8\"/>"
        }
      }
      out += "\n"
      let legend = "colour: cluster · marker: " + embedding.subtypeNames.enumerated().map { "\(["●", "□", "△"][$0.offset % 3]) \($0.element)" }.joined(separator: "  ")
      out += "<text x=\"\(n(x0))\" y=\"\(n(y0 + size + 14))\" font-size=\"9\">\(SVG.escape(legend))</text>\n"
    }
    return out + "</svg>\n"
  }
}
