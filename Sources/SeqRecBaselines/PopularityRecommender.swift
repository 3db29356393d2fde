import SeqRecData
import SeqRecEval

/// Item popularity: every user gets the items with the most training interactions (with the
/// evaluator's seen filter, the most popular unseen ones). The reference point of nPCOUNT.
public struct PopularityRecommender: ItemScorer {
    /// Training interactions per internal id.
    public let counts: [Int]

    /// Counts the training part of `split`.
    public init(split: DatasetSplit) { counts = split.trainItemCounts() }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let w = items.count
        for r in 0..<cases.count {
            for (j, id) in items.enumerated() { buffer[r * w + j] = Float(counts[Int(id)]) }
        }
    }

    /// Item popularity as a share of training interactions (for PCOUNT).
    public var shares: [Double] {
        let total = Double(Swift.max(counts.reduce(0, +), 1))
        return counts.map { Double($0) / total }
    }
}
