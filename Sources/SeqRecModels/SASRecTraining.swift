import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// The shifted-sequence objective with sampled negatives (thesis §2.3; the gSASRec port):
/// every position of a user's last L + 1 training items predicts the next one; k negatives per
/// position are drawn uniformly with replacement from 1…N, independently per position (the port's
/// sampler; positives and seen items are not excluded). With `shared`, one set of k negatives
/// serves every position of the batch (logits by one GEMM instead of per-position gathers).
public struct ShiftedSequenceBatch {
    public let inputs: IDTensor      // [B, L]
    public let labels: IDTensor      // [B·L] (0 = padding)
    public let negatives: IDTensor   // [B·L, k], or [k] when shared
    /// One set of negatives for the whole batch.
    public var sharedNegatives: Bool { negatives.shape.rank == 1 }

    public init(inputs: IDTensor, labels: IDTensor, negatives: IDTensor) {
        require(labels.count == inputs.count && (negatives.shape.rank == 1 || negatives.shape[0] == labels.count),
                "ShiftedSequenceBatch: inputs \(inputs.shape), labels \(labels.shape), negatives \(negatives.shape)")
        self.inputs = inputs
        self.labels = labels
        self.negatives = negatives
    }

    /// A batch for `users`, cut on demand from `split`'s training sequences.
    public static func make(_ split: DatasetSplit, users: [Int], length: Int, negatives k: Int, shared: Bool = false,
                            rng: inout SplitMix64) -> ShiftedSequenceBatch {
        let n = split.dataset.vocabulary.itemCount
        var inputs: [Int32] = [], labels: [Int32] = [], negs: [Int32] = []
        for u in users {
            let window = Padding.leftPadded(split.trainSequence(u), length: length + 1)
            inputs += window.prefix(length)
            labels += window.dropFirst()
        }
        let draws = shared ? k : labels.count * k
        negs.reserveCapacity(draws)
        for _ in 0..<draws { negs.append(Int32(1 + rng.nextInt(below: n))) }
        return ShiftedSequenceBatch(inputs: IDTensor(shape: [users.count, length], ids: inputs),
                                    labels: IDTensor(shape: [labels.count], ids: labels),
                                    negatives: IDTensor(shape: shared ? [k] : [labels.count, k], ids: negs))
    }
}

extension SASRec {
    /// The loss of one batch (recorded when called inside `valueAndGradient`). Only positions
    /// with a label are scored: padded positions never reach the output layer, so the output
    /// GEMM / sampled logits cost what the real positions need (the mean is over them anyway).
    public func loss(_ batch: ShiftedSequenceBatch, _ loss: any Loss, _ context: inout ForwardContext) -> Tensor {
        let h = encode(batch.inputs, &context)
        let rows = batch.labels.count, d = config.dim
        var real: [Int32] = [], labels: [Int32] = []
        real.reserveCapacity(rows)
        for (r, label) in batch.labels.ids.enumerated() where label != 0 {
            real.append(Int32(r))
            labels.append(label)
        }
        let flat = h.reshaped([rows, d]).gatherRows(IDTensor(shape: [real.count], ids: real))   // [R, d]
        let table = outputMatrix()
        let mask = Tensor(repeating: 1, shape: [real.count])
        switch loss.requirement {
        case .sampledNegatives:
            let labelIDs = IDTensor(shape: [real.count], ids: labels)
            let positive = (flat * table.gatherRows(labelIDs)).sum(axis: 1)
            let negative: Tensor
            if batch.sharedNegatives {
                negative = Tensor.matmul(flat, table.gatherRows(batch.negatives), transposeB: true)  // [R, k], one GEMM
            } else {
                let k = batch.negatives.shape[1]
                var negs: [Int32] = []
                negs.reserveCapacity(real.count * k)
                batch.negatives.ids.withUnsafeBufferPointer { all in
                    for r in real { negs += all[(Int(r) * k)..<(Int(r) * k + k)] }
                }
                // Fused: never materialises R × k × d gathered negatives.
                negative = Tensor.sampledDot(flat, table, IDTensor(shape: [real.count, k], ids: negs))
            }
            return loss(.sampled(positive: positive, negatives: negative, mask: mask))
        case .fullCatalogue:
            // Exactly the N real items compete (padding and [MASK] rows are not candidates).
            let n = table.shape[0] - 2
            let logits = Tensor.matmul(flat, table.slice(axis: 0, 1..<(n + 1)), transposeB: true)   // [R, N]
            let targets = IDTensor(shape: [real.count], ids: labels.map { $0 - 1 })
            return loss(.full(logits: logits, targets: targets, ignoreIndex: -1))
        }
    }
}
