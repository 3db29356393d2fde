import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecNN
import SeqRecTensor

extension SASRec {
    /// The last position's hidden state `[n, d]` for each history (its last `maxLength` items),
    /// in inference mode. Histories are processed shortest-first in groups whose window is cut
    /// to the group's longest history: the leading all-padding columns change nothing (keys
    /// are masked, positions count from the right), so the result equals full-window encoding
    /// while attention and projections skip most of the padding.
    public func lastHidden<C: Collection>(_ histories: [C], group: Int = 64) -> Tensor where C.Element == Int32 {
        let n = histories.count, d = config.dim
        var out = [Float](repeating: 0, count: n * d)
        let lengths = histories.map { Swift.min($0.count, config.maxLength) }
        let order = (0..<n).sorted { lengths[$0] < lengths[$1] || (lengths[$0] == lengths[$1] && $0 < $1) }
        var start = 0
        while start < n {
            let rows = Array(order[start..<Swift.min(n, start + group)])
            let l = Swift.max(1, rows.map { lengths[$0] }.max()!)
            let ids = rows.flatMap { Padding.leftPadded(histories[$0], length: l) }
            var context = ForwardContext.inference
            let h = encode(IDTensor(shape: [rows.count, l], ids: ids), &context)
            h.slice(axis: 1, (l - 1)..<l).withUnsafeBufferPointer { last in
                for (j, r) in rows.enumerated() {
                    for c in 0..<d { out[r * d + c] = last[j * d + c] }
                }
            }
            start += rows.count
        }
        return Tensor(shape: [n, d], scalars: out)
    }

    /// The top `k` items for each history with their scores, best first (ties: lower id first,
    /// the evaluator's policy). Padding and [MASK] are never returned; with `filterSeen` neither
    /// is any item of the history. Works for any sequence of known item ids, seen in training or not.
    public func recommend(_ histories: [[Int32]], k: Int, filterSeen: Bool = true) throws -> [[ScoredItem]] {
        try HyperparameterError.checkAtLeast("k", k, 1)
        let items = vocabularySize - 2
        let hidden = lastHidden(histories)
        let table = outputMatrix().slice(axis: 0, 1..<(items + 1))                    // real items only
        let scores = Tensor.matmul(hidden, table, transposeB: true)                   // [n, N]
        return scores.withUnsafeBufferPointer { s in
            histories.enumerated().map { (r, history) in
                let seen = filterSeen ? Set(history) : []
                var selector = TopKSelector(k: k)
                for j in 0..<items where !seen.contains(Int32(j + 1)) { selector.offer(s[r * items + j], Int32(j + 1)) }
                return selector.sorted()
            }
        }
    }
}

/// Scores items for evaluation cases with a trained SASRec: the last position's hidden state
/// of the (truncated) input times the output table. Inference mode, no tape. The hidden states
/// of the current cases are kept while the evaluator asks for further item blocks of the same
/// pass (a request starting at item 1 always recomputes them, so a scorer reused after more
/// training never serves stale states).
public final class SASRecScorer: ItemScorer {
    public let model: SASRec
    public let split: DatasetSplit
    /// The current pass: its cases, their hidden states and the output matrix (for RecJPQ a
    /// gather of Ψ, so it is built once per pass, not once per item block).
    private var cached: (cases: [EvaluationCase], hidden: Tensor, table: Tensor)?

    public init(model: SASRec, split: DatasetSplit) {
        self.model = model
        self.split = split
    }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let pass: (cases: [EvaluationCase], hidden: Tensor, table: Tensor)
        if let c = cached, items.lowerBound > 1, c.cases == cases { pass = c } else {
            pass = (cases, model.lastHidden(cases.map { split.input($0) }), model.outputMatrix())
            cached = pass
        }
        let hidden = pass.hidden
        let block = pass.table.slice(axis: 0, Int(items.lowerBound)..<Int(items.upperBound))
        let scores = Tensor.matmul(hidden, block, transposeB: true)
        scores.withUnsafeBufferPointer { s in
            for i in 0..<s.count { buffer[i] = s[i] }
        }
    }
}
