import SeqRecCore

/// Exact top-K over a catalogue split into contiguous shards scored separately (processes or
/// cluster tasks, each holding only its shard's codes): every shard keeps its own top-K under the
/// order all SeqRec top-K lists use (higher score first, equal scores by lower id), and the union
/// of those lists holds the global top-K — merged here, it equals the single-process result
/// exactly, ties included.
public enum ShardedTopK {
    /// One candidate with its global item id (64-bit: shards may cover more than 2³¹ items).
    public struct Candidate: Codable, Equatable, Sendable {
        public let item: Int64
        public let score: Float
        public init(item: Int64, score: Float) {
            self.item = item
            self.score = score
        }
    }

    /// `shards` contiguous ranges covering `0..<items`, sizes differing by at most one.
    public static func ranges(items: Int, shards: Int) throws -> [Range<Int>] {
        try HyperparameterError.checkAtLeast("shards", shards, 1)
        guard shards <= items else { throw HyperparameterError(key: "shards", value: "\(shards)", allowed: "at most the \(items) items") }
        return (0..<shards).map { s in (items * s / shards)..<(items * (s + 1) / shards) }
    }

    /// A shard's top-K (ids local to the shard) with global ids.
    public static func globalize(_ items: [ScoredItem], offset: Int) -> [Candidate] {
        items.map { Candidate(item: Int64(offset) + Int64($0.item), score: $0.score) }
    }

    /// The global top-`k` from every shard's top-`k`.
    public static func merge(_ lists: [[Candidate]], k: Int) -> [Candidate] {
        Array(lists.joined().sorted { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }.prefix(k))
    }
}
