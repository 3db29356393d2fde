import SeqRecCore
import SeqRecData
import SeqRecEval

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The higher-order Markov chain used as GPTRec's teacher on ML-1M ("SmartMC",
/// reference-facts §9.3; thesis §8.5): with cᵈ[s][x] the number of times x follows s exactly
/// d + 1 steps later in the training sequences and c[s] the occurrences of s,
/// score(x | h) = Σ_{d < min(order, |h|)} discountᵈ · log((cᵈ[h₋d₋₁][x] + 0.1) / c[h₋d₋₁]).
/// Follows the authors' code (β⁰ for the last item and +0.1 smoothing), not the thesis text
/// (β^j from j = 1, no smoothing).
///
/// Counts are stored sparsely per (source, distance), so memory is O(training pairs), not the
/// code's O(N²·order).
public struct MarkovChainRecommender: ItemScorer {
    public let order: Int
    public let discount: Double
    let split: DatasetSplit
    /// Occurrences per item.
    let occurrences: [Int]
    /// For key (source, d) = source·order + d: entries `start[key]..<start[key+1]` of (dst, count).
    let start: [Int]
    let destinations: [Int32]
    let counts: [Int32]

    /// Counts transitions in the training part of `split`.
    public init(split: DatasetSplit, order: Int = 50, discount: Double = 0.6) throws {
        try HyperparameterError.check("order", Double(order), in: 1.0...255.0)
        try HyperparameterError.check("discount", discount, in: 0.0...1.0)
        self.order = order
        self.discount = discount
        self.split = split
        let size = split.dataset.vocabulary.size
        var occ = [Int](repeating: 0, count: size)
        var keys: [UInt64] = []
        for u in 0..<split.dataset.userCount {
            let s = Array(split.trainSequence(u))
            for (i, src) in s.enumerated() {
                occ[Int(src)] += 1
                for d in 0..<Swift.min(order, s.count - i - 1) {
                    keys.append(UInt64(src) << 40 | UInt64(d) << 32 | UInt64(UInt32(s[i + d + 1])))
                }
            }
        }
        keys.sort()
        var start = [Int](repeating: 0, count: size * order + 1)
        var dst: [Int32] = [], cnt: [Int32] = []
        var k = 0
        while k < keys.count {
            var e = k
            while e < keys.count && keys[e] == keys[k] { e += 1 }
            let key = Int(keys[k] >> 40) * order + Int((keys[k] >> 32) & 0xFF)
            start[key + 1] += 1
            dst.append(Int32(truncatingIfNeeded: keys[k] & 0xFFFF_FFFF))
            cnt.append(Int32(e - k))
            k = e
        }
        for i in 0..<(size * order) { start[i + 1] += start[i] }
        occurrences = occ
        self.start = start
        destinations = dst
        counts = cnt
    }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let w = items.count
        let size = split.dataset.vocabulary.size
        var row = [Double](repeating: 0, count: size)
        for (r, c) in cases.enumerated() {
            let h = split.input(c)
            var base = 0.0
            for i in 0..<size { row[i] = 0 }
            for d in 0..<Swift.min(order, h.count) {
                let src = Int(h[h.endIndex - d - 1])
                let total = Double(Swift.max(occurrences[src], 1))
                let weight = pow(discount, Double(d))
                base += weight * log(0.1 / total)
                let key = src * order + d
                for e in start[key]..<start[key + 1] {
                    row[Int(destinations[e])] += weight * log((Double(counts[e]) + 0.1) / 0.1)
                }
            }
            for (j, id) in items.enumerated() { buffer[r * w + j] = Float(base + row[Int(id)]) }
        }
    }
}
