import ECGNet
import ECGTensor
import Foundation
import Testing

/// `ClassifierEvaluation` scores per class, keeps an undefined AUC as JSON `null`, and writes
/// the keys `evaluation-TASK.json` has always had under `test`.
@Suite struct ClassifierEvaluationTests {
  @Test func perClassAUCAndNullForAnUndefinedClass() throws {
    // Class A is separated perfectly; class B has no negative record (AUC undefined).
    let logits = Tensor(shape: [4, 2], scalars: [0.9, 0.1, 0.8, 0.2, 0.2, 0.3, 0.1, 0.4])
    let targets = Tensor(shape: [4, 2], scalars: [1, 1, 1, 1, 0, 1, 0, 1])
    let evaluation = ClassifierEvaluation(logits: logits, targets: targets, macroAUC: 1, classNames: ["A", "B"])
    #expect(evaluation.orderedAUC == [1, nil])
    #expect(evaluation.roc.keys.sorted() == ["A"])
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = String(decoding: try encoder.encode(evaluation), as: UTF8.self)
    #expect(json.hasPrefix(#"{"macro_auc":1,"per_class_auc":{"A":1,"B":null},"roc":{"A":["#))
    let undefined = ClassifierEvaluation(logits: logits, targets: targets, macroAUC: nil, classNames: ["A", "B"])
    #expect(String(decoding: try encoder.encode(undefined), as: UTF8.self).contains(#""macro_auc":null"#))
  }
}
