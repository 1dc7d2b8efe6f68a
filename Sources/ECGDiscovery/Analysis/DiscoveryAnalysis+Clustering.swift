import Foundation

extension DiscoveryAnalysis {
  /// PCA scores of one representation, clustered.
  struct Embedded {
    /// PCA scores [records, components], row-major.
    var scores: [Double]
    /// Records and components.
    var rows: Int, components: Int
  }

  /// PCA → Gaussian mixture, k-means and Ward per representation, each scored against the
  /// groupings, with stability and prototypes; the score table goes to `progress`. Returns the
  /// clusterings and the PCA scores of the figure's representation.
  func cluster(
    _ layers: [(name: String, values: [Double], features: Int)], heats: [Double], beats: [Double],
    groupings: [DiscoveryGrouping], female: [Int?], progress: (DiscoveryProgress) throws -> Void
  ) throws -> (results: [DiscoveryClustering], figureScores: (scores: [Double], components: Int)?) {
    let n = female.count
    var results: [DiscoveryClustering] = []
    var figureScores: (scores: [Double], components: Int)?
    let headings = groupings.map { "ARI/NMI/acc vs \($0.name)" }
    let widths = headings.map { max(34, $0.count + 1) }
    try progress(.line(
      Self.pad("representation", 15) + Self.pad("method", 9) + zip(headings, widths).map { Self.pad($0, $1) }.joined()
        + "silhouette  stability (Jaccard per cluster)"))
    for (r, (name, values, d)) in layers.enumerated() {
      let k = min(settings.components[min(r < 4 ? 0 : r - 3, 2)], d, n - 1)
      let values = settings.standardise ? Self.standardised(values, rows: n, features: d) : values
      let pca = PCA(values, rows: n, features: d, components: k, whiten: settings.whiten)
      let embedded = Embedded(scores: pca.transform(values, rows: n), rows: n, components: k)
      if name == settings.figureRepresentation { figureScores = (embedded.scores, k) }
      let algorithms = ["gmm", "k-means"] + (n <= DiscoverySettings.wardLimit ? ["ward"] : [])
      for algorithm in algorithms {
        let (clusters, labels) = fit(embedded, algorithm: algorithm)
        let (scores, cells) = Self.scores(of: labels, against: groupings)
        let members = (0..<clusters).map { c in labels.indices.filter { labels[$0] == c } }
        // NaN (no resample, or a cluster never matched) is written as JSON null.
        let stability = ClusterStability.jaccard(
          embedded.scores, rows: n, features: k, labels: labels, resamples: settings.stabilityResamples, seed: settings.seed
        ) { sample, rows in
          Self.labels(sample, rows: rows, features: k, clusters: clusters, algorithm: algorithm, restarts: 2, seed: settings.seed)
        }
        let width = heats.count / n
        let entry = DiscoveryClustering(
          representation: name, algorithm: algorithm, features: d, pcaComponents: k, clusters: clusters,
          explainedVarianceRatio: pca.explainedVarianceRatio.reduce(0, +), clusterSizes: members.map(\.count),
          silhouette: Self.silhouette(embedded, labels), femaleShare: members.map { Self.femaleShare($0.compactMap { female[$0] }) },
          scores: scores, labels: labels, stabilityJaccard: stability,
          // Prototypes: the mean beat-aligned attribution and beat per cluster [clusters, leads × width].
          prototypeAttribution: members.map { Self.mean(heats, width: width, rows: $0) },
          prototypeBeat: members.map { Self.mean(beats, width: width, rows: $0) })
        results.append(entry)
        try progress(.line(
          Self.pad(name, 15) + Self.pad(algorithm, 9) + zip(cells, widths).map { Self.pad($0, $1) }.joined()
            + Self.pad(entry.silhouette.map { String(format: "%.2f", $0) } ?? "n/a", 12)
            + stability.map { $0.isFinite ? String(format: "%.2f", $0) : "n/a" }.joined(separator: " ")))
      }
    }
    return (results, figureScores)
  }

  /// The clusters of the PCA scores: `settings.clusters`, or chosen in 2…6 — by BIC for the
  /// mixture, by silhouette otherwise; each candidate is fitted once and the chosen fit kept.
  func fit(_ embedded: Embedded, algorithm: String) -> (clusters: Int, labels: [Int]) {
    let (n, k) = (embedded.rows, embedded.components)
    let candidates = settings.clusters == 0 ? Array(2...min(6, n - 1)) : [settings.clusters]
    var chosen: (clusters: Int, labels: [Int], criterion: Double)?
    for c in candidates {
      let fit: (clusters: Int, labels: [Int], criterion: Double)
      if algorithm == "gmm" {
        let gmm = GaussianMixture(embedded.scores, rows: n, features: k, components: c, inits: settings.inits, seed: settings.seed)
        fit = (c, gmm.labels, -gmm.bic)
      } else {
        let labels = Self.labels(
          embedded.scores, rows: n, features: k, clusters: c, algorithm: algorithm, restarts: settings.inits, seed: settings.seed)
        fit = (c, labels, candidates.count > 1 ? Self.silhouette(embedded, labels) ?? -1 : 0)
      }
      if chosen == nil || fit.criterion > chosen!.criterion { chosen = fit }
    }
    return (chosen!.clusters, chosen!.labels)
  }

  /// The labels of one clustering of `x` [rows, features] by `algorithm` (`gmm`, `k-means`,
  /// `ward`).
  static func labels(
    _ x: [Double], rows: Int, features k: Int, clusters count: Int, algorithm: String, restarts: Int, seed: UInt64
  ) -> [Int] {
    switch algorithm {
    case "gmm": GaussianMixture(x, rows: rows, features: k, components: count, inits: restarts, seed: seed).labels
    case "k-means": KMeans(x, rows: rows, features: k, clusters: count, inits: restarts, seed: seed).labels
    default: WardClustering(x, rows: rows, features: k, clusters: count).labels
    }
  }

  /// The mean silhouette of a clustering of the PCA scores; nil with fewer than two clusters.
  static func silhouette(_ embedded: Embedded, _ labels: [Int]) -> Double? {
    Set(labels).count >= 2 ? ClusterMetrics.silhouette(embedded.scores, rows: embedded.rows, features: embedded.components, labels: labels) : nil
  }

  /// The share of women (PTB-XL sex 1) among a cluster's members of known sex; nil when none.
  static func femaleShare(_ sexes: [Int]) -> Double? {
    sexes.isEmpty ? nil : Double(sexes.filter { $0 == 1 }.count) / Double(sexes.count)
  }

  /// `text` padded with spaces to `width` characters (at least one space after it).
  static func pad(_ text: String, _ width: Int) -> String {
    text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
  }
}
