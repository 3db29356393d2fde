import SeqRecCore
import SeqRecData

/// Popularity-sampled evaluation as in thesis §3.4.4 and the authors' code (reference-facts
/// §6.2): per case, the target plus `negatives` distinct items drawn without replacement with
/// probability ∝ their count over **all** interactions of the dataset; the user's seen items
/// are not excluded by the sampler but, with the seen filter on, score −∞ (rank last).
/// Opt-in only, seeded, and labelled in every output: sampled metrics can reorder models
/// (Krichene & Rendle, 2022) and are kept solely to reproduce old papers.
public struct PopularitySampling: Sendable, Codable, Equatable, CustomStringConvertible {
    public var negatives: Int
    public var seed: UInt64

    public init(negatives: Int = 100, seed: UInt64 = 31_337) {
        self.negatives = negatives
        self.seed = seed
    }

    public var description: String { "popularity-sampled \(negatives) negatives, seed \(seed)" }

    /// The negative candidates per case (deterministic from the seed and the case order).
    public func draw(_ cases: [EvaluationCase], split: DatasetSplit) -> [[Int32]] {
        let counts = split.dataset.itemCounts()
        let n = split.dataset.vocabulary.itemCount
        var cumulative = [Double](repeating: 0, count: n)
        var acc = 0.0
        for i in 1...n { acc += Double(counts[i]); cumulative[i - 1] = acc }
        var rng = SplitMix64(seed: seed)
        let want = Swift.min(negatives, n - 1)
        return cases.map { c in
            var chosen = Set<Int32>([c.target])
            var list: [Int32] = []
            while list.count < want {
                let x = rng.nextUniformDouble() * acc
                var lo = 0, hi = n - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] <= x { lo = mid + 1 } else { hi = mid } }
                let id = Int32(lo + 1)
                if chosen.insert(id).inserted { list.append(id) }
            }
            return list
        }
    }
}
