import SeqRecCore
import SeqRecData

/// Everything the metrics need about one evaluated case.
///
/// Tie policy: the target's rank is counted, not sorted. `greater` items (after filtering)
/// score strictly above the target and `ties` other items score exactly the same; metrics are
/// the **expected** value under uniformly random tie-breaking, i.e. the target is equally
/// likely at any position in `greater + 1 … greater + ties + 1`. A constant-score model thus
/// lands exactly at chance (Recall@K = K/N), never at 100 % (optimistic ties) or 0
/// (pessimistic ties), and the result does not depend on candidate order.
public struct RankedCase: Sendable, Equatable, Codable {
    public let target: Int32
    public let greater: Int
    public let ties: Int
    /// The target was among the filtered (seen) items: it cannot be recommended; metrics 0.
    public let targetFiltered: Bool
    /// Items that could be ranked (catalogue minus filtered).
    public let candidates: Int
    /// The top of the list (same order as `recommend`).
    public let top: [ScoredItem]
    /// Raw score of the target.
    public let targetScore: Float
    /// log Σ exp(score) over the whole catalogue (unfiltered), when the evaluator was asked for
    /// softmax probabilities: item probability = exp(score − logNormalizer).
    public var logNormalizer: Float? = nil

    public init(target: Int32, greater: Int, ties: Int, targetFiltered: Bool, candidates: Int, top: [ScoredItem],
                targetScore: Float, logNormalizer: Float? = nil) {
        self.logNormalizer = logNormalizer
        self.target = target
        self.greater = greater
        self.ties = ties
        self.targetFiltered = targetFiltered
        self.candidates = candidates
        self.top = top
        self.targetScore = targetScore
    }

    /// Probability that the target is at position ≤ k.
    public func hit(at k: Int) -> Double {
        if targetFiltered { return 0 }
        let covered = Swift.min(k, greater + ties + 1) - greater
        return covered <= 0 ? 0 : Double(covered) / Double(ties + 1)
    }

    /// Expected 1/log2(p + 1) over positions p ≤ k.
    public func discountedGain(at k: Int) -> Double {
        if targetFiltered { return 0 }
        let hi = Swift.min(k, greater + ties + 1)
        guard hi > greater else { return 0 }
        var s = 0.0
        for p in (greater + 1)...hi { s += 1 / log2(Double(p) + 1) }
        return s / Double(ties + 1)
    }

    /// Expected reciprocal rank over the full list.
    public var reciprocalRank: Double {
        if targetFiltered { return 0 }
        return (Harmonic.value(greater + ties + 1) - Harmonic.value(greater)) / Double(ties + 1)
    }
}

/// Harmonic numbers H(n) = Σ_{i ≤ n} 1/i (exact up to 4096, asymptotic beyond: error < 1e-15).
enum Harmonic {
    static let table: [Double] = {
        var t = [0.0]
        var s = 0.0
        for i in 1...4096 { s += 1 / Double(i); t.append(s) }
        return t
    }()

    static func value(_ n: Int) -> Double {
        if n < table.count { return table[n] }
        let x = Double(n)
        return log(x) + 0.5772156649015329 + 1 / (2 * x) - 1 / (12 * x * x) + 1 / (120 * x * x * x * x)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
