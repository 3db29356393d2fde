import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// The shifted-sequence objective with sampled negatives (thesis §2.3; the gSASRec port):
/// every position of a user's last L + 1 training items predicts the next one; k negatives per
/// position are drawn uniformly with replacement from 1…N, independently per position (the port's
/// sampler; positives and seen items are not excluded).
public struct ShiftedSequenceBatch {
    public let inputs: IDTensor      // [B, L]
    public let labels: IDTensor      // [B·L] (0 = padding)
    public let negatives: IDTensor   // [B·L, k]

    /// A batch for `users`, cut on demand from `split`'s training sequences.
    public static func make(_ split: DatasetSplit, users: [Int], length: Int, negatives k: Int,
                            rng: inout SplitMix64) -> ShiftedSequenceBatch {
        let n = split.dataset.vocabulary.itemCount
        var inputs: [Int32] = [], labels: [Int32] = [], negs: [Int32] = []
        for u in users {
            let window = Padding.leftPadded(split.trainSequence(u), length: length + 1)
            inputs += window.prefix(length)
            labels += window.dropFirst()
        }
        negs.reserveCapacity(labels.count * k)
        for _ in 0..<(labels.count * k) { negs.append(Int32(1 + rng.nextInt(below: n))) }
        return ShiftedSequenceBatch(inputs: IDTensor(shape: [users.count, length], ids: inputs),
                                    labels: IDTensor(shape: [labels.count], ids: labels),
                                    negatives: IDTensor(shape: [labels.count, k], ids: negs))
    }
}

extension SASRec {
    /// The loss of one batch (recorded when called inside `valueAndGradient`).
    public func loss(_ batch: ShiftedSequenceBatch, _ loss: any Loss, _ context: inout ForwardContext) -> Tensor {
        let h = encode(batch.inputs, &context)
        let rows = batch.labels.count, d = config.dim
        let flat = h.reshaped([rows, d])
        let table = outputTable.tracked
        let mask = Tensor(shape: [rows], scalars: batch.labels.ids.map { $0 == 0 ? 0 : 1 })
        switch loss.requirement {
        case .sampledNegatives:
            let positive = (flat * table.gatherRows(batch.labels)).sum(axis: 1)
            // Fused: never materialises the rows × k × d gathered negatives.
            let negative = Tensor.sampledDot(flat, table, batch.negatives)                   // [rows, k]
            return loss(.sampled(positive: positive, negatives: negative, mask: mask))
        case .fullCatalogue:
            let logits = Tensor.matmul(flat, table, transposeB: true)                        // [rows, N + 2]
            let targets = IDTensor(shape: [rows], ids: batch.labels.ids.map { $0 == 0 ? -1 : $0 })
            return loss(.full(logits: logits, targets: targets, ignoreIndex: -1))
        }
    }
}

/// Scores items for evaluation cases with a trained SASRec: the last position's hidden state
/// of the (left-padded, truncated) input times the output table. Inference mode, no tape.
public struct SASRecScorer: ItemScorer {
    public let model: SASRec
    public let split: DatasetSplit

    public init(model: SASRec, split: DatasetSplit) {
        self.model = model
        self.split = split
    }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let l = model.config.maxLength, d = model.config.dim
        let ids = cases.flatMap { Padding.leftPadded(split.input($0), length: l) }
        var context = ForwardContext.inference
        let h = model.encode(IDTensor(shape: [cases.count, l], ids: ids), &context)
        let last = h.slice(axis: 1, (l - 1)..<l).reshaped([cases.count, d])
        let block = model.outputTable.value.slice(axis: 0, Int(items.lowerBound)..<Int(items.upperBound))
        let scores = Tensor.matmul(last, block, transposeB: true)
        scores.withUnsafeBufferPointer { s in
            for i in 0..<s.count { buffer[i] = s[i] }
        }
    }
}
