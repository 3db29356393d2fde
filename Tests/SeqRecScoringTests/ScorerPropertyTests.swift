import SeqRecCore
import SeqRecScoring
import Testing

/// A random small catalogue; `duplicates` makes many items share codes (identical scores) and
/// `coarse` rounds sub-item embeddings so different items tie too.
func catalogue(_ rng: inout SplitMix64, items: Int, splits: Int, subIDs: Int, duplicates: Bool, coarse: Bool) throws -> PQCatalogue {
    let w = 2
    var codes = [UInt8](repeating: 0, count: items * splits)
    for i in 0..<items {
        for k in 0..<splits {
            codes[i * splits + k] = duplicates && i % 3 != 0 && i > 0
                ? codes[(i - 1) * splits + k] : UInt8(rng.nextInt(below: subIDs))
        }
    }
    let psi = (0..<(splits * subIDs * w)).map { _ in coarse ? Float(rng.nextInt(below: 3)) : rng.nextNormal() }
    return try PQCatalogue(items: items, splits: splits, subIDs: subIDs, dim: splits * w, codes: codes, subEmbeddings: psi)
}

@Suite struct ScorerPropertyTests {
    @Test(arguments: [1, 2, 8, 64])
    func everyPQScorerEqualsExhaustiveScoring(_ splits: Int) throws {
        var rng = SplitMix64(seed: UInt64(splits))
        var cases = 0
        for trial in 0..<300 {
            let items = 1 + rng.nextInt(below: 400)
            let subIDs = [2, 16, 256][trial % 3]
            let c = try catalogue(&rng, items: items, splits: splits, subIDs: subIDs, duplicates: trial % 4 == 1, coarse: trial % 4 == 2)
            let query = (0..<c.dim).map { _ in trial % 4 == 2 ? Float(rng.nextInt(below: 3) - 1) : rng.nextNormal() }
            let k = [1, 5, 10, items + 3][trial % 4]
            let excluded = (0..<(trial % 5 == 0 ? 0 : rng.nextInt(below: 20))).map { _ in Int32(rng.nextInt(below: items)) }
            let expected = try ExhaustivePQScorer(catalogue: c).topK(query, k: k, excluding: excluded)
            #expect(expected.count == Swift.min(k, items - Set(excluded).count))
            // Every registered PQ scorer (the dense one sums in another order, so its scores may
            // differ in the last bits: it has its own test), plus RecJPQPrune at several batch sizes.
            let scorers: [any TopKScorer] = try Scorers.registry.entries.filter { $0.id != DenseScorer.id }.map { try $0.make(c) }
                + [try RecJPQPruneScorer(catalogue: c, batchSize: [1, 2, 8, 32][trial % 4])]
            for s in scorers {
                let got = try s.topK(query, k: k, excluding: excluded)
                #expect(got == expected, "\(type(of: s)) m=\(splits) b=\(subIDs) n=\(items) k=\(k) trial \(trial)")
            }
            cases += 1
        }
        #expect(cases == 300)
    }

    @Test func largeCatalogueGoesThroughTheParallelAndM8Paths() throws {
        var rng = SplitMix64(seed: 77)
        let c = try PQCatalogue.random(items: 300_000, splits: 8, dim: 64, seed: 5)
        for _ in 0..<3 {
            let q = (0..<64).map { _ in rng.nextNormal() }
            let excluded = (0..<50).map { _ in Int32(rng.nextInt(below: 300_000)) }
            let expected = try ExhaustivePQScorer(catalogue: c).topK(q, k: 100, excluding: excluded)
            #expect(try PQTopKScorer(catalogue: c).topK(q, k: 100, excluding: excluded) == expected)
            #expect(try RecJPQScorer(catalogue: c).topK(q, k: 100, excluding: excluded) == expected)
            let prune = try RecJPQPruneScorer(catalogue: c).topKCountingScored(q, k: 100, excluding: excluded)
            #expect(prune.items == expected && prune.itemsScored > 0)
            // BS 64 gives ~75k postings per step: the multi-threaded scoring path.
            #expect(try RecJPQPruneScorer(catalogue: c, batchSize: 64).topK(q, k: 100, excluding: excluded) == expected)
        }
    }

    /// The shuffle kernel (where the CPU has it) against the scalar scan and exhaustive scoring:
    /// m 8, 16 and 64, ranges that do not fill whole 64-item groups, many ties, large K and exclusions.
    @Test(arguments: [8, 16, 64])
    func shuffleScanGivesTheScalarTopK(_ splits: Int) throws {
        var rng = SplitMix64(seed: UInt64(100 + splits))
        for trial in 0..<12 {
            let items = 64 + rng.nextInt(below: 150_000)
            let c = try catalogue(&rng, items: items, splits: splits, subIDs: 256, duplicates: trial % 3 == 1, coarse: trial % 3 == 2)
            let q = (0..<c.dim).map { _ in trial % 3 == 2 ? Float(rng.nextInt(below: 3) - 1) : rng.nextNormal() * 3 }
            let k = [1, 10, 100, 1_000][trial % 4]
            let excluded = (0..<rng.nextInt(below: 30)).map { _ in Int32(rng.nextInt(below: items)) }
            let expected = try ExhaustivePQScorer(catalogue: c).topK(q, k: k, excluding: excluded)
            let fast = PQTopKScorer(catalogue: c), scalar = PQTopKScorer(catalogue: c, scan: .scalar)
            #expect(!scalar.usesShuffleKernel)
            #expect(try fast.topK(q, k: k, excluding: excluded) == expected, "m=\(splits) n=\(items) k=\(k) trial \(trial)")
            #expect(try scalar.topK(q, k: k, excluding: excluded) == expected)
            // RecJPQPrune scores its posting lists with the same kernel (and, above 131,072 items, on both threads).
            let prune = try RecJPQPruneScorer(catalogue: c, batchSize: [1, 2, 8][trial % 3])
            #expect(prune.usesShuffleKernel == fast.usesShuffleKernel)
            #expect(try prune.topK(q, k: k, excluding: excluded) == expected, "prune m=\(splits) n=\(items) k=\(k) trial \(trial)")
        }
    }

    /// On a catalogue with score structure pruning stops early; with the threads sharing the steps
    /// and θ its top-K is still exhaustive scoring's, on the calling thread alone and with the thread budget.
    @Test func pruningOnStructuredCataloguesIsExactOnOneAndTwoThreads() throws {
        let s = try StructuredCatalogue(items: 200_000, codes: .svdQuantile, seed: 11)
        var rng = SplitMix64(seed: 12)
        for (i, q) in s.queries(6).enumerated() {
            let k = [1, 10, 100][i % 3]
            let excluded = (0..<(i % 2 == 0 ? 0 : 40)).map { _ in Int32(rng.nextInt(below: 200_000)) }
            let expected = try ExhaustivePQScorer(catalogue: s.catalogue).topK(q, k: k, excluding: excluded)
            // Inside a parallel region scorers run on the calling thread only: the one-thread path.
            for serial in [true, false] {
                for bs in [1, 2, 8] {
                    var r: (items: [ScoredItem], itemsScored: Int) = ([], 0)
                    let scorer = try RecJPQPruneScorer(catalogue: s.catalogue, batchSize: bs)
                    if serial { Parallel.inRegion { r = try! scorer.topKCountingScored(q, k: k, excluding: excluded) } }
                    else { r = try scorer.topKCountingScored(q, k: k, excluding: excluded) }
                    #expect(r.items == expected, "serial \(serial) BS \(bs) k \(k)")
                    #expect(r.itemsScored > 0 && r.itemsScored < 200_000 * 8 / 2, "pruning stopped early: \(r.itemsScored)")
                }
            }
        }
    }

    @Test func denseScorerEqualsSortingItsOwnScores() throws {
        var rng = SplitMix64(seed: 3)
        let c = try PQCatalogue.random(items: 40_000, splits: 8, dim: 32, seed: 9)
        let dense = try DenseScorer(reconstructing: c)
        let q = (0..<32).map { _ in rng.nextNormal() }
        let s = try dense.scores(q)
        let expected = (0..<40_000).map { ScoredItem(item: Int32($0), score: s[$0]) }
            .filter { $0.item != 7 }
            .sorted { TopKSelector.before($0.score, $0.item, $1.score, $1.item) }
        #expect(try dense.topK(q, k: 25, excluding: [7]) == Array(expected.prefix(25)))
        // The batched form (one sgemm per item block) gives the same lists as the scores sorted.
        let queries = (0..<5).map { _ in (0..<32).map { _ in rng.nextNormal() } }
        let batched = try dense.topK(batch: queries, k: 10, excluding: (0..<5).map { [Int32($0)] })
        for (r, q) in queries.enumerated() {
            let sq = try dense.scores(q)
            let top = (0..<40_000).filter { $0 != r }.map { ScoredItem(item: Int32($0), score: sq[$0]) }
                .sorted { TopKSelector.before($0.score, $0.item, $1.score, $1.item) }.prefix(10)
            #expect(batched[r].map(\.item) == top.map(\.item))
            for (a, b) in zip(batched[r], top) { #expect(Swift.abs(a.score - b.score) <= 1e-4 * Swift.max(1, Swift.abs(b.score))) }
        }
        // And it agrees with the PQ scores up to float rounding.
        let pq = try ExhaustivePQScorer(catalogue: c).topK(q, k: 25, excluding: [7])
        for (a, b) in zip(pq, try dense.topK(q, k: 25, excluding: [7])) { #expect(Swift.abs(a.score - b.score) < 1e-3) }
    }

    @Test func badInputNamesTheArgument() throws {
        let c = try PQCatalogue.random(items: 10, splits: 2, dim: 4, seed: 1)
        let s = PQTopKScorer(catalogue: c)
        #expect(throws: HyperparameterError.self) { try s.topK([1, 2, 3, 4], k: 0, excluding: []) }
        #expect(throws: HyperparameterError(key: "query", value: "3 values", allowed: "dim = 4")) {
            try s.topK([1, 2, 3], k: 1, excluding: [])
        }
        #expect(throws: HyperparameterError(key: "query", value: "non-finite value", allowed: "finite floats")) {
            try s.topK([1, .nan, 3, 4], k: 1, excluding: [])
        }
        #expect(throws: HyperparameterError(key: "codes", value: "sub-id 9", allowed: "[0, 4)")) {
            try PQCatalogue(items: 1, splits: 2, subIDs: 4, dim: 4, codes: [1, 9], subEmbeddings: [Float](repeating: 0, count: 16))
        }
        #expect(throws: HyperparameterError.self) {
            try PQCatalogue(items: 2, splits: 2, subIDs: 4, dim: 4, codes: [1, 2, 3], subEmbeddings: [Float](repeating: 0, count: 16))
        }
        #expect(throws: HyperparameterError.self) {
            try PQCatalogue(items: 0, splits: 2, subIDs: 4, dim: 4, codes: [], subEmbeddings: [Float](repeating: 0, count: 16))
        }
    }
}
