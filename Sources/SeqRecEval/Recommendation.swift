import SeqRecCore
import SeqRecData

extension Evaluator {
    /// Top-`k` recommendations for each case, through exactly the ranking path that
    /// `evaluate` uses (same filter, same tie order: score, then lower id).
    public func recommend(_ cases: [EvaluationCase], in split: DatasetSplit, scorer: any ItemScorer,
                          k: Int) throws -> [[ScoredItem]] {
        var e = self
        e.listLength = Swift.max(k, 1)
        return try e.rank(cases, in: split, scorer: scorer).map { Array($0.top.prefix(k)) }
    }
}

/// A fixed score matrix as a scorer (tests, benchmarks, precomputed models):
/// `scores[caseIndex][itemID]`, looked up by the case's position in `cases`.
public struct MatrixScorer: ItemScorer {
    let rowOf: [EvaluationCase: Int]
    let scores: [[Float]]

    /// - Parameter scores: one row per case, indexed by internal id (index 0 = padding, ignored).
    public init(cases: [EvaluationCase], scores: [[Float]]) {
        var rowOf: [EvaluationCase: Int] = [:]
        for (i, c) in cases.enumerated() { rowOf[c] = i }
        self.rowOf = rowOf
        self.scores = scores
    }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let w = items.count
        for (r, c) in cases.enumerated() {
            let row = scores[rowOf[c]!]
            for (j, id) in items.enumerated() { buffer[r * w + j] = row[Int(id)] }
        }
    }
}

