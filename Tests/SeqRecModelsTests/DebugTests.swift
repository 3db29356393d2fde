import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import Testing

/// Scores with the model in training mode (dropout on), to compare with inference.
final class TrainModeScorer: ItemScorer {
    let model: SASRec, split: DatasetSplit
    init(_ m: SASRec, _ s: DatasetSplit) { model = m; split = s }
    func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let l = model.config.maxLength, d = model.config.dim
        let ids = cases.flatMap { Padding.leftPadded(split.input($0), length: l) }
        var ctx = ForwardContext(training: true, seed: 99)
        let h = model.encode(IDTensor(shape: [cases.count, l], ids: ids), &ctx).slice(axis: 1, (l - 1)..<l).reshaped([cases.count, d])
        let s = Tensor.matmul(h, model.outputTable.value.slice(axis: 0, Int(items.lowerBound)..<Int(items.upperBound)), transposeB: true)
        s.withUnsafeBufferPointer { for i in 0..<$0.count { buffer[i] = $0[i] } }
    }
}

@Suite struct DebugTests {
    @Test func trainVersusInferenceMode() throws {
        guard FileManager.default.fileExists(atPath: "/work/runs/ml1m-gsasrec/model.safetensors") else { return }
        let ck = try ModelCheckpoint.load(path: "/work/runs/ml1m-gsasrec/model.safetensors")
        let split = try GSASRecPortSplit(directory: "/work/shared/datasets/ml1m-gsasrec").load()
        let e = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10)])
        let inf = try e.evaluate(split.validation, in: split, scorer: SASRecScorer(model: ck.model, split: split)).means
        let tr = try e.evaluate(split.validation, in: split, scorer: TrainModeScorer(ck.model, split)).means
        let noFilter = try Evaluator(metrics: [NDCG(k: 10)], filterSeen: false).evaluate(split.validation, in: split, scorer: SASRecScorer(model: ck.model, split: split)).means
        print("inference \(inf); training-mode \(tr); inference without seen filter \(noFilter)")
        // Training-set fit: NDCG of predicting each validation user's last *training* item from the items before it.
        var cases: [EvaluationCase] = []
        for c in split.validation { let n = split.trainLengths[c.user]; if n >= 2 { cases.append(EvaluationCase(user: c.user, inputLength: n - 1, target: split.trainSequence(c.user).last!)) } }
        let fit = try Evaluator(metrics: [NDCG(k: 10)], filterSeen: false).evaluate(cases, in: split, scorer: SASRecScorer(model: ck.model, split: split)).means
        print("train-set last-item NDCG@10 (no filter): \(fit)")
    }
}
