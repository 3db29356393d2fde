import SeqRecCore
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// The one output head of every model: the model's output transform of a hidden state, dotted
/// with item vectors (plus the model's per-item bias, if any) — for a target and its sampled
/// negatives, or for the whole catalogue. What a loss needs it declares (`LossRequirement`);
/// the head computes that form for any model and any objective.
public enum OutputHead {
    /// The loss input of `batch`: only target positions reach the output layer, so its cost is
    /// what the targets need. `negatives` are `[targets, k]` or `[k]` shared, for sampled losses.
    public static func lossInput(_ model: any SequentialModel, hidden: Tensor, batch: TrainingBatch, negatives: IDTensor?,
                                 requirement: LossRequirement, _ context: inout ForwardContext) -> LossInput {
        let rows = batch.inputs.count, d = model.dim, r = batch.targets.count
        let gathered = hidden.reshaped([rows, d]).gatherRows(IDTensor(shape: [r], ids: batch.positions))   // [R, d]
        let query = model.outputTransform(gathered, &context)
        let table = model.outputMatrix()
        let bias = model.outputBias()
        switch requirement {
        case .sampledNegatives(let k):
            guard let negatives else { requireFailed("OutputHead: the loss needs \(k) sampled negatives per target, none were drawn") }
            let targetIDs = IDTensor(shape: [r], ids: batch.targets)
            var positive = (query * table.gatherRows(targetIDs)).sum(axis: 1)
            var negative: Tensor
            if negatives.shape.rank == 1 {
                negative = Tensor.matmul(query, table.gatherRows(negatives), transposeB: true)   // [R, k], one GEMM
                if let bias { negative = negative + bias.reshaped([bias.count, 1]).gatherRows(negatives).reshaped([k]) }
            } else {
                // Fused: never materialises R × k × d gathered negatives.
                negative = Tensor.sampledDot(query, table, negatives)
                if let bias { negative = negative + bias.reshaped([bias.count, 1]).gatherRows(negatives).reshaped([r, k]) }
            }
            if let bias { positive = positive + bias.reshaped([bias.count, 1]).gatherRows(targetIDs).reshaped([r]) }
            return .sampled(positive: positive, negatives: negative, mask: Tensor(shape: [r], scalars: batch.weights))
        case .fullCatalogue:
            require(batch.weights.allSatisfy { $0 == 1 }, "OutputHead: full-catalogue losses take unit target weights")
            // Exactly the N real items compete (padding and [MASK] are not candidates).
            let logits = catalogueLogits(model, queries: query, table: table, bias: bias)
            return .full(logits: logits, targets: IDTensor(shape: [r], ids: batch.targets.map { $0 - 1 }), ignoreIndex: -1)
        }
    }

    /// `[R, N]` logits of the real items 1…N for query vectors `[R, d]` (already transformed).
    public static func catalogueLogits(_ model: any SequentialModel, queries: Tensor, table: Tensor? = nil, bias: Tensor?? = nil) -> Tensor {
        let n = model.itemCount
        let t = table ?? model.outputMatrix()
        let logits = Tensor.matmul(queries, t.slice(axis: 0, 1..<(n + 1)), transposeB: true)
        guard let b = bias ?? model.outputBias() else { return logits }
        return logits + b.slice(axis: 0, 1..<(n + 1))
    }
}
