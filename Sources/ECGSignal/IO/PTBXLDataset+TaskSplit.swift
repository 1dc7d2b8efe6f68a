import ECGTensor
import Foundation

extension PTBXLDataset {
  /// The paper's split of one label task (Strodthoff et al. 2021): the labelled records of
  /// `strat_fold` 1–8 train, 9 validates and 10 tests. Rows index `labels` (not `entries`).
  public struct TaskSplit: Sendable {
    /// The task's labels (classes sorted, one row per labelled record).
    public var labels: Labels
    /// Rows of `labels` in folds 1–8, 9 and 10.
    public var train: [Int], validation: [Int], test: [Int]

    /// The split of `task`'s labels of `dataset`.
    public init(_ dataset: PTBXLDataset, task: Task) {
      let labels = dataset.labels(task: task)
      let rows = { (folds: ClosedRange<Int>) in
        labels.entryIndices.indices.filter { folds.contains(dataset.entries[labels.entryIndices[$0]].fold) }
      }
      self.labels = labels
      (train, validation, test) = (rows(1...8), rows(9...9), rows(10...10))
    }

    /// Records [rows, 12, T] at `rate` Hz (mV) and multi-hot targets [rows, classes] of label
    /// rows `rows`.
    /// - Throws: `PTBXLError` when a record cannot be read or does not fit the batch.
    public func tensors(_ dataset: PTBXLDataset, rows: [Int], rate: Int = 100) throws -> (x: Tensor, y: Tensor) {
      let x = try dataset.batch(rows.map { labels.entryIndices[$0] }, rate: rate)
      let k = labels.classes.count
      var y = [Float](repeating: 0, count: rows.count * k)
      for (i, row) in rows.enumerated() { for c in 0..<k { y[i * k + c] = labels.matrix[row, c] } }
      return (x, Tensor(shape: [rows.count, k], scalars: y))
    }

    /// How many of the label rows `rows` carry each class.
    public func classCounts(_ rows: [Int]) -> [String: Int] {
      Dictionary(uniqueKeysWithValues: labels.classes.enumerated().map { c, name in
        (name, rows.filter { labels.matrix[$0, c] > 0.5 }.count)
      })
    }
  }
}
