import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecNN
import SeqRecTensor

/// Scores items for evaluation cases with any trained `SequentialModel`: the query vector of the
/// case's input history (`queryVectors`) times the output matrix, plus the model's output bias.
/// Inference mode, no tape. The query vectors of the current cases are kept while the evaluator
/// asks for further item blocks of the same pass (a request starting at item 1 always recomputes
/// them, so a scorer reused after more training never serves stale states).
public final class ModelScorer: ItemScorer {
    public let model: any SequentialModel
    public let split: DatasetSplit
    /// The current pass: its cases, their query vectors, the output matrix (for RecJPQ a gather
    /// of Ψ, so built once per pass, not once per item block) and bias.
    private var cached: (cases: [EvaluationCase], queries: Tensor, table: Tensor, bias: Tensor?)?

    public init(model: any SequentialModel, split: DatasetSplit) {
        self.model = model
        self.split = split
    }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let pass: (cases: [EvaluationCase], queries: Tensor, table: Tensor, bias: Tensor?)
        if let c = cached, items.lowerBound > 1, c.cases == cases { pass = c } else {
            pass = (cases, model.queryVectors(cases.map { split.input($0) }), model.outputMatrix(), model.outputBias())
            cached = pass
        }
        let range = Int(items.lowerBound)..<Int(items.upperBound)
        let scores = Tensor.matmul(pass.queries, pass.table.slice(axis: 0, range), transposeB: true)
        let w = items.count
        scores.withUnsafeBufferPointer { s in
            if let bias = pass.bias {
                bias.withUnsafeBufferPointer { b in
                    for i in 0..<s.count { buffer[i] = s[i] + b[range.lowerBound + i % w] }
                }
            } else {
                for i in 0..<s.count { buffer[i] = s[i] }
            }
        }
    }
}

extension SequentialModel {
    /// The top `k` items for each history with their scores, best first, through the evaluator's
    /// ranking path (ties: lower id first). Padding and [MASK] are never returned; with
    /// `filterSeen` neither is any item of the history. Works for any sequence of known item ids,
    /// seen in training or not.
    /// - Throws: `HyperparameterError` for k < 1 or an id outside 1…N.
    public func recommend(_ histories: [[Int32]], k: Int, filterSeen: Bool = true) throws -> [[ScoredItem]] {
        try HyperparameterError.checkAtLeast("k", k, 1)
        guard !histories.isEmpty else { return [] }
        let n = itemCount
        for h in histories {
            guard !h.isEmpty else { throw HyperparameterError(key: "history", value: "empty", allowed: "at least one item") }
            if let bad = h.first(where: { $0 < 1 || Int($0) > n }) {
                throw HyperparameterError(key: "history", value: "item id \(bad)", allowed: "1…\(n)")
            }
        }
        // Each history becomes a user whose "target" is a placeholder (its own last item): the top
        // list does not depend on the target, only the metrics would.
        var offsets = [0], items: [Int32] = []
        for h in histories {
            items += h
            items.append(h.last!)
            offsets.append(items.count)
        }
        let vocabulary = try ItemVocabulary(externalIDs: (1...n).map(String.init))
        let dataset = SequenceDataset(name: "histories", userIDs: histories.indices.map(String.init), offsets: offsets, items: items,
                                      timestamps: nil, vocabulary: vocabulary, provenance: "recommend")
        let cases = histories.enumerated().map { EvaluationCase(user: $0.offset, inputLength: $0.element.count, target: $0.element.last!) }
        let split = DatasetSplit(dataset: dataset, trainLengths: histories.map(\.count), validation: [], test: cases,
                                 report: SplitReport(), protocolDescription: "recommend")
        let evaluator = Evaluator(metrics: [], filterSeen: filterSeen)
        return try evaluator.recommend(cases, in: split, scorer: ModelScorer(model: self, split: split), k: Swift.min(k, n))
    }
}
