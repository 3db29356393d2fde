import SeqRecCore
import SeqRecScoring
import Testing

/// Sharded scoring: a shard of the simulated catalogue is exactly that slice of the whole one, and
/// the merged top-K of the shards equals the one-catalogue top-K, ties included.
@Suite struct ShardedTopKTests {
    @Test(arguments: [(2, 2), (8, 256)])
    func mergedShardsEqualTheWholeCatalogue(splits: Int, subIDs: Int) throws {
        // With m = 2, b = 2 there are only 4 distinct scores: almost every boundary is a tie.
        let items = 300_000, dim = 16
        let whole = try PQCatalogue.random(items: items, splits: splits, subIDs: subIDs, dim: dim, seed: 9)
        var rng = SplitMix64(seed: 4)
        for shards in [1, 2, 3, 7] {
            let ranges = try ShardedTopK.ranges(items: items, shards: shards)
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == items)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            let parts = try ranges.map { try PQCatalogue.random(items: items, splits: splits, subIDs: subIDs, dim: dim, seed: 9, shard: $0) }
            for (r, p) in zip(ranges, parts) {
                #expect(p.codes[...] == whole.codes[(r.lowerBound * splits)..<(r.upperBound * splits)] && p.subEmbeddings == whole.subEmbeddings)
            }
            for k in [1, 10, 100] {
                let q = (0..<dim).map { _ in rng.nextNormal() }
                let expected = ShardedTopK.globalize(try PQTopKScorer(catalogue: whole).topK(q, k: k, excluding: []), offset: 0)
                let lists = try zip(ranges, parts).map { r, p in
                    ShardedTopK.globalize(try PQTopKScorer(catalogue: p).topK(q, k: k, excluding: []), offset: r.lowerBound)
                }
                #expect(ShardedTopK.merge(lists, k: k) == expected, "m \(splits) b \(subIDs), \(shards) shards, k \(k)")
                if subIDs == 2 { #expect(Set(expected.map(\.score)).count < expected.count || k == 1, "ties present") }
            }
        }
        #expect(throws: HyperparameterError.self) { _ = try ShardedTopK.ranges(items: 3, shards: 4) }
        #expect(throws: HyperparameterError.self) {
            _ = try PQCatalogue.random(items: 10, splits: 2, dim: 4, seed: 1, shard: 5..<11)
        }
    }
}
