import SeqRecCore

/// A deterministic synthetic dataset with planted sequential structure — the embedded default
/// for quick starts and tests, and a generator for large catalogues.
///
/// Each item has a few fixed successors (mostly of its own genre). A sequence starts at a
/// popularity-drawn item (Zipf); each next item follows a successor of the current item with
/// probability `followProbability`, otherwise it is a fresh popularity draw. So a model that
/// reads the last item can beat popularity by a wide margin, as on real data.
public struct SyntheticDataset: Sendable, Codable, Equatable {
    public var users: Int
    public var items: Int
    /// Mean sequence length (lengths are `minLength` + geometric).
    public var meanLength: Double
    public var minLength: Int
    /// Number of genres; each item has 1–3.
    public var genres: Int
    /// Zipf exponent of item popularity.
    public var popularityExponent: Double
    /// Probability that the next item is a successor of the current one.
    public var followProbability: Double
    /// Successors per item.
    public var successors: Int
    public var seed: UInt64

    public init(users: Int = 2_000, items: Int = 500, meanLength: Double = 30, minLength: Int = 5,
                genres: Int = 12, popularityExponent: Double = 1.0, followProbability: Double = 0.6,
                successors: Int = 3, seed: UInt64 = 1) {
        self.users = users
        self.items = items
        self.meanLength = meanLength
        self.minLength = minLength
        self.genres = genres
        self.popularityExponent = popularityExponent
        self.followProbability = followProbability
        self.successors = successors
        self.seed = seed
    }

    /// Checks ranges, naming the key.
    public func validate() throws {
        try HyperparameterError.checkAtLeast("users", users, 1)
        try HyperparameterError.checkAtLeast("items", items, 2)
        try HyperparameterError.checkAtLeast("minLength", minLength, 1)
        try HyperparameterError.check("meanLength", meanLength, in: Double(minLength)...1e6)
        try HyperparameterError.checkAtLeast("genres", genres, 1)
        try HyperparameterError.check("popularityExponent", popularityExponent, in: 0.0...5.0)
        try HyperparameterError.check("followProbability", followProbability, in: 0.0...1.0)
        try HyperparameterError.checkAtLeast("successors", successors, 1)
    }

    /// The sequences, as a dataset with external ids `u1…`, `1…` (items numbered as ids).
    public func generate() throws -> SequenceDataset {
        try validate()
        var rng = SplitMix64(seed: seed)
        // Popularity: Zipf weights over a random permutation of items, as a cumulative table.
        var perm = Array(0..<items)
        perm.shuffle(using: &rng)
        var weight = [Double](repeating: 0, count: items)
        for (rank, i) in perm.enumerated() { weight[i] = 1 / pow(Double(rank + 1), popularityExponent) }
        var cumulative = [Double](repeating: 0, count: items)
        var acc = 0.0
        for i in 0..<items { acc += weight[i]; cumulative[i] = acc }
        func popular(_ rng: inout SplitMix64) -> Int {
            let x = rng.nextUniformDouble() * acc
            var lo = 0, hi = items - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < x { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        let itemGenres = genreTable(&rng)
        // Successors: prefer items sharing the first genre.
        var byGenre = [[Int]](repeating: [], count: genres)
        for i in 0..<items { byGenre[itemGenres[i][0]].append(i) }
        var next = [[Int]](repeating: [], count: items)
        for i in 0..<items {
            for _ in 0..<successors {
                let sameGenre = byGenre[itemGenres[i][0]]
                var j = rng.nextUniform() < 0.8 && sameGenre.count > 1
                    ? sameGenre[rng.nextInt(below: sameGenre.count)] : rng.nextInt(below: items)
                if j == i { j = (i + 1) % items }
                next[i].append(j)
            }
        }
        var offsets = [0]
        var seqItems: [Int32] = []
        let extra = Swift.max(meanLength - Double(minLength), 0)
        for _ in 0..<users {
            // Geometric extra length with the requested mean.
            var len = minLength
            if extra > 0 {
                let u = Swift.max(rng.nextUniformDouble(), 1e-12)
                len += Int((log(u) / log(extra / (extra + 1))).rounded(.down))
            }
            var cur = popular(&rng)
            seqItems.append(Int32(cur + 1))
            for _ in 1..<len {
                cur = rng.nextUniformDouble() < followProbability ? next[cur][rng.nextInt(below: successors)] : popular(&rng)
                seqItems.append(Int32(cur + 1))
            }
            offsets.append(seqItems.count)
        }
        let vocabulary = try ItemVocabulary(externalIDs: (1...items).map(String.init))
        return SequenceDataset(name: "synthetic", userIDs: (1...users).map { "u\($0)" }, offsets: offsets,
                               items: seqItems, timestamps: nil, vocabulary: vocabulary,
                               provenance: "source=synthetic; \(self)")
    }

    /// Item genres (1–3 distinct genres per item), deterministic from the seed.
    public func itemGenres() -> [[Int]] {
        var rng = SplitMix64(seed: seed)
        var perm = Array(0..<items)
        perm.shuffle(using: &rng)
        return genreTable(&rng)
    }

    private func genreTable(_ rng: inout SplitMix64) -> [[Int]] {
        (0..<items).map { _ in
            var g = [rng.nextInt(below: genres)]
            let extra = rng.nextInt(below: 3)
            for _ in 0..<extra { let x = rng.nextInt(below: genres); if !g.contains(x) { g.append(x) } }
            return g
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
