import SeqRecCore
import SeqRecData

/// Anything that scores items for evaluation cases: a trained model, a baseline, or a fixed
/// score matrix. Higher is better.
public protocol ItemScorer {
    /// Writes the scores of the contiguous internal item ids `items` for every case, row-major:
    /// `buffer[row * items.count + (id − items.lowerBound)]`. Called from one thread at a time.
    func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws
}

