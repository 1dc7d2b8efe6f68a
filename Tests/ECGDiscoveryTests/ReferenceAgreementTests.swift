import ECGDiscovery
import Foundation
import Testing

/// PCA, k-means and the cluster scores equal scikit-learn's
/// (tools/reference/discovery_fixtures.py → Tests/Fixtures/ECGDiscovery/sklearn.json).
@Suite struct ReferenceAgreementTests {
  struct Fixture: Decodable {
    struct PCAReference: Decodable {
      var data: String; var whiten: Bool; var components: [[Double]]; var explained_variance: [Double]
      var explained_variance_ratio: [Double]; var transform5: [[Double]]
    }
    struct KMeansReference: Decodable { var inertia: Double; var labels: [Int] }
    struct Metrics: Decodable { var silhouette: Double; var ari: Double; var nmi: Double }
    struct GMM: Decodable { var labels: [Int] }
    struct Ward: Decodable { var labels: [Int]; var labels40: [Int] }
    var truth: [Int]; var perturbed: [Int]; var pca: [PCAReference]; var x12: [[Double]]; var x40: [[Double]]
    var kmeans: KMeansReference; var metrics: Metrics; var gmm: GMM; var ward: Ward
  }

  static let fixture = try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/ECGDiscovery/sklearn.json")))

  @Test func pcaEqualsScikitLearnUpToSign() {
    for reference in Self.fixture.pca {
      let rows = reference.data == "x12" ? Self.fixture.x12 : Self.fixture.x40
      let d = rows[0].count
      let pca = PCA(rows.flatMap { $0 }, rows: rows.count, features: d, components: 4, whiten: reference.whiten)
      let scores = pca.transform(rows.prefix(5).flatMap { $0 }, rows: 5)
      var worst = 0.0
      for c in 0..<4 {
        let ours = Array(pca.components[(c * d)..<((c + 1) * d)])
        let sign = zip(ours, reference.components[c]).reduce(0) { $0 + $1.0 * $1.1 } < 0 ? -1.0 : 1.0
        for (a, b) in zip(ours, reference.components[c]) { worst = max(worst, abs(sign * a - b)) }
        #expect(abs(pca.explainedVariance[c] - reference.explained_variance[c]) <= 1e-9 * reference.explained_variance[c])
        #expect(abs(pca.explainedVarianceRatio[c] - reference.explained_variance_ratio[c]) <= 1e-9)
        for r in 0..<5 { #expect(abs(sign * scores[r * 4 + c] - reference.transform5[r][c]) <= 1e-7 * max(1, abs(reference.transform5[r][c]))) }
      }
      print("PCA \(reference.data) whiten \(reference.whiten): max component difference (up to sign) \(worst)")
      #expect(worst <= 1e-5)
    }
  }

  @Test func kMeansFromTheSameCentresHasScikitLearnsInertia() {
    let rows = Self.fixture.x12
    let km = KMeans(rows.flatMap { $0 }, rows: rows.count, features: 12, initialCentres: rows.prefix(3).flatMap { $0 })
    #expect(abs(km.inertia - Self.fixture.kmeans.inertia) <= 1e-9 * Self.fixture.kmeans.inertia, "inertia \(km.inertia) vs \(Self.fixture.kmeans.inertia)")
    #expect(km.labels == Self.fixture.kmeans.labels)
  }

  @Test func scoresEqualScikitLearn() {
    let f = Self.fixture
    let silhouette = ClusterMetrics.silhouette(f.x12.flatMap { $0 }, rows: 120, features: 12, labels: f.kmeans.labels)
    #expect(abs(silhouette - f.metrics.silhouette) <= 1e-9, "silhouette \(silhouette) vs \(f.metrics.silhouette)")
    #expect(abs(ClusterMetrics.adjustedRandIndex(f.truth, f.perturbed) - f.metrics.ari) <= 1e-9)
    #expect(abs(ClusterMetrics.normalizedMutualInformation(f.truth, f.perturbed) - f.metrics.nmi) <= 1e-9)
    #expect(ClusterMetrics.adjustedRandIndex(f.truth, f.truth.map { 2 - $0 }) == 1, "relabelling does not matter")
  }

  @Test func gaussianMixtureFindsTheSamePartition() {
    let rows = Self.fixture.x12
    let gmm = GaussianMixture(rows.flatMap { $0 }, rows: 120, features: 12, components: 3)
    #expect(gmm.converged)
    #expect(ClusterMetrics.adjustedRandIndex(gmm.labels, Self.fixture.gmm.labels) == 1, "same partition as scikit-learn's GaussianMixture")
  }

  @Test func wardEqualsScikitLearn() {
    let f = Self.fixture
    let ward = WardClustering(f.x12.flatMap { $0 }, rows: 120, features: 12, clusters: 3)
    #expect(ClusterMetrics.adjustedRandIndex(ward.labels, f.ward.labels) == 1, "the same partition as AgglomerativeClustering(ward)")
    let ward40 = WardClustering(f.x40.flatMap { $0 }, rows: 120, features: 40, clusters: 4)
    #expect(ClusterMetrics.adjustedRandIndex(ward40.labels, f.ward.labels40) == 1)
  }
}

/// t-SNE keeps well-separated groups apart (its result is not expected to equal scikit-learn's
/// number for number: both are stochastic optimisations).
@Suite struct TSNETests {
  @Test func separatedBlobsStaySeparated() {
    let f = ReferenceAgreementTests.fixture
    let y = TSNE.embed(f.x12.flatMap { $0 }, rows: 120, features: 12, iterations: 500)
    #expect(y.allSatisfy { $0.isFinite })
    // Each point's nearest neighbour in the embedding shares its k-means cluster (the blobs).
    var agree = 0
    for i in 0..<120 {
      let j = (0..<120).filter { $0 != i }.min { a, b in
        pow(y[a * 2] - y[i * 2], 2) + pow(y[a * 2 + 1] - y[i * 2 + 1], 2) < pow(y[b * 2] - y[i * 2], 2) + pow(y[b * 2 + 1] - y[i * 2 + 1], 2)
      }!
      if f.kmeans.labels[i] == f.kmeans.labels[j] { agree += 1 }
    }
    #expect(agree >= 110, "\(agree) of 120 nearest neighbours in the same cluster")
  }
}
