import SeqRecCore
import SeqRecData
import SeqRecEval
import Testing

/// A split over literal sequences (users u1…, items numbered by value).
func split(_ sequences: [[Int]], items: Int? = nil) throws -> DatasetSplit {
    var log = InteractionLog(source: "literal", hasTimestamps: false)
    for (u, s) in sequences.enumerated() {
        let user = log.users.intern("u\(u + 1)")
        for i in s { log.append(user: user, item: log.items.intern(String(i)), timestamp: nil) }
    }
    return try LeaveOneOut().split(try Preprocessing().apply(to: log, name: "literal"))
}

/// Scores from a closure f(case, item).
struct FunctionScorer: ItemScorer {
    let f: (EvaluationCase, Int32) -> Float
    func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        for (r, c) in cases.enumerated() { for (j, id) in items.enumerated() { buffer[r * items.count + j] = f(c, id) } }
    }
}

func standardMetrics() -> [any Metric] { [NDCG(k: 1), NDCG(k: 10), Recall(k: 1), Recall(k: 5), Recall(k: 10), MRR(), Precision(k: 10)] }

@Suite struct EvaluatorTests {
    @Test func handComputedMetricsWithAndWithoutTies() {
        // Rank 3, no ties.
        let a = RankedCase(target: 1, greater: 2, ties: 0, targetFiltered: false, candidates: 10, top: [], targetScore: 0)
        #expect(NDCG(k: 10).value(a) == 0.5)          // 1/log2(4)
        #expect(Recall(k: 2).value(a) == 0 && Recall(k: 3).value(a) == 1)
        #expect(Swift.abs(MRR().value(a) - 1.0 / 3) < 1e-12)
        #expect(Swift.abs(Precision(k: 10).value(a) - 0.1) < 1e-12)
        // One item above, two tied: positions 2, 3, 4 equally likely.
        let b = RankedCase(target: 1, greater: 1, ties: 2, targetFiltered: false, candidates: 10, top: [], targetScore: 0)
        #expect(Swift.abs(Recall(k: 3).value(b) - 2.0 / 3) < 1e-12)
        #expect(Swift.abs(NDCG(k: 3).value(b) - (1 / log2(3.0) + 0.5) / 3) < 1e-12)
        #expect(Swift.abs(MRR().value(b) - (1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 3) < 1e-12)
        let f = RankedCase(target: 1, greater: 0, ties: 0, targetFiltered: true, candidates: 10, top: [], targetScore: 0)
        #expect(NDCG(k: 10).value(f) == 0 && MRR().value(f) == 0)
    }

    @Test func constantScoreModelLandsAtChance() throws {
        let s = try SyntheticDataset(users: 200, items: 50, seed: 2).generate()
        let sp = try LeaveOneOut().split(s)
        let e = Evaluator(metrics: standardMetrics(), filterSeen: false)
        let r = try e.evaluate(sp.test, in: sp, scorer: FunctionScorer { _, _ in 0.5 })
        #expect(Swift.abs(r.means["recall@10"]! - 10.0 / 50) < 1e-12)
        #expect(Swift.abs(r.means["recall@1"]! - 1.0 / 50) < 1e-12)
        #expect(Swift.abs(r.means["mrr"]! - (1.0 / 50) * (1...50).reduce(0.0) { $0 + 1 / Double($1) }) < 1e-9)
        // With the seen filter, chance is K over the unseen candidates, user by user.
        let f = try Evaluator(metrics: [Recall(k: 10)]).evaluate(sp.test, in: sp, scorer: FunctionScorer { _, _ in 0.5 })
        for (i, c) in sp.test.enumerated() {
            let unseen = 50 - Set(sp.input(c)).count
            let expected = Set(sp.input(c)).contains(c.target) ? 0 : Swift.min(1, 10.0 / Double(unseen))
            #expect(Swift.abs(f.perCase["recall@10"]![i] - expected) < 1e-12)
        }
    }

    @Test func metricPropertiesOnRandomScores() throws {
        let s = try SyntheticDataset(users: 300, items: 120, seed: 4).generate()
        let sp = try LeaveOneOut().split(s)
        let scorer = FunctionScorer { c, id in Float(SplitMix64.mix(UInt64(c.user * 1000) + UInt64(id)) % 1000) / 1000 }
        let r = try Evaluator(metrics: standardMetrics()).evaluate(sp.test, in: sp, scorer: scorer)
        for i in 0..<sp.test.count {
            let v = { (m: String) in r.perCase[m]![i] }
            #expect(v("ndcg@10") >= 0 && v("ndcg@10") <= 1)
            #expect(v("recall@1") <= v("recall@5") && v("recall@5") <= v("recall@10"))
            #expect(v("ndcg@1") <= v("ndcg@10") && v("ndcg@10") <= v("recall@10") + 1e-12)
        }
    }

    @Test func resultsDoNotDependOnBatchBlockOrThreads() throws {
        let s = try SyntheticDataset(users: 150, items: 90, seed: 6).generate()
        let sp = try LeaveOneOut().split(s)
        // Coarse scores → many ties, the hardest case for order independence.
        let scorer = FunctionScorer { c, id in Float(SplitMix64.mix(UInt64(c.user * 7919) &+ UInt64(id)) % 7) }
        let base = try Evaluator(metrics: standardMetrics(), listLength: 20).evaluate(sp.test, in: sp, scorer: scorer)
        for (batch, buffer) in [(1, 1 << 25), (7, 7 * 13), (64, 64 * 90), (500, 37)] {
            let e = Evaluator(metrics: standardMetrics(), batchSize: batch, maxBufferFloats: buffer, listLength: 20)
            let r = try e.evaluate(sp.test, in: sp, scorer: scorer)
            #expect(r.perCase == base.perCase, "batch \(batch), buffer \(buffer)")
            #expect(try e.rank(sp.test, in: sp, scorer: scorer).map(\.top)
                    == Evaluator(metrics: standardMetrics(), listLength: 20).rank(sp.test, in: sp, scorer: scorer).map(\.top))
        }
        let saved = ThreadBudget.threads
        ThreadBudget.set(1)
        defer { ThreadBudget.set(saved) }
        #expect(try Evaluator(metrics: standardMetrics(), listLength: 20).evaluate(sp.test, in: sp, scorer: scorer).perCase == base.perCase)
    }

    @Test func rankDoesNotDependOnCandidateOrder() throws {
        // Relabel items with a permutation: every case's metrics must be unchanged.
        let seqs = [[1, 2, 3, 4, 5], [2, 3, 4, 6, 7], [5, 6, 7, 8, 1]]
        let sp = try split(seqs)
        let perm: [Int32] = [0, 5, 3, 8, 1, 7, 2, 6, 4]   // internal id → new id (0 fixed)
        var inverse = [Int32](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inverse[Int(p)] = Int32(i) }
        let permuted = try split(seqs.map { $0.map { Int(perm[$0]) } })
        let score: (Int32) -> Float = { Float([0, 3, 1, 4, 1, 5, 9, 2, 6][Int($0)]) }
        let a = try Evaluator(metrics: standardMetrics()).evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in score(id) })
        let b = try Evaluator(metrics: standardMetrics()).evaluate(permuted.test, in: permuted,
                                                                  scorer: FunctionScorer { _, id in score(inverse[Int(id)]) })
        #expect(a.perCase == b.perCase)
    }

    @Test func seenFilterAndSpecialIdsNeverReachTheTopK() throws {
        let s = try SyntheticDataset(users: 80, items: 40, seed: 8).generate()
        let sp = try LeaveOneOut().split(s)
        // A scorer that loves seen items: without the filter they fill the list.
        let scorer = FunctionScorer { c, id in sp.input(c).contains(id) ? 100 : Float(id) / 100 }
        let lists = try Evaluator(metrics: [Recall(k: 10)]).recommend(sp.test, in: sp, scorer: scorer, k: 50)
        for (c, list) in zip(sp.test, lists) {
            #expect(list.allSatisfy { !sp.input(c).contains($0.item) && s.vocabulary.isItem($0.item) })
            #expect(list.count == Swift.min(50, 40 - Set(sp.input(c)).count))
        }
        let off = try Evaluator(metrics: [Recall(k: 10)], filterSeen: false).evaluate(sp.test, in: sp, scorer: scorer)
        let on = try Evaluator(metrics: [Recall(k: 10)], filterSeen: true).evaluate(sp.test, in: sp, scorer: scorer)
        #expect(off.means["recall@10"] != on.means["recall@10"])
        #expect(off.filteredTargets == 0 && on.filteredTargets == sp.test.filter { sp.input($0).contains($0.target) }.count)
        #expect(on.protocolDescription.contains("seen filter=on"))
    }

    @Test func metricsRecomputedFromRecommendationsMatch() throws {
        let s = try SyntheticDataset(users: 200, items: 60, seed: 10).generate()
        let sp = try LeaveOneOut().split(s)
        let scorer = FunctionScorer { c, id in Float(SplitMix64.mix(UInt64(c.user) << 20 | UInt64(id)) >> 40) }
        let e = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10)])
        let r = try e.evaluate(sp.test, in: sp, scorer: scorer)
        let lists = try e.recommend(sp.test, in: sp, scorer: scorer, k: 10)
        var ndcg = 0.0, recall = 0.0
        for (c, list) in zip(sp.test, lists) {
            if let p = list.firstIndex(where: { $0.item == c.target }) {
                ndcg += 1 / log2(Double(p) + 2)
                recall += 1
            }
        }
        #expect(Swift.abs(ndcg / Double(sp.test.count) - r.means["ndcg@10"]!) < 1e-12)
        #expect(Swift.abs(recall / Double(sp.test.count) - r.means["recall@10"]!) < 1e-12)
    }

    @Test func nanScoresAreAnErrorNamingTheUser() throws {
        let sp = try split([[1, 2, 3], [2, 3, 1]])
        #expect(throws: DataError.self) {
            try Evaluator(metrics: [Recall(k: 1)]).evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in id == 2 ? .nan : 1 })
        }
    }

    @Test func metricRegistryRejectsUnknownIds() throws {
        #expect(throws: ConfigError.unknownComponent(family: "metric", id: "hr", valid: Metrics.ids)) {
            try Metrics.make(MetricSpec(id: "hr", k: 10))
        }
        #expect(try Metrics.make(MetricSpec(id: "ndcg", k: 5)).name == "ndcg@5")
        #expect(throws: HyperparameterError.self) { try Metrics.make(MetricSpec(id: "recall", k: 0)) }
    }
}

import Foundation

/// Every registered metric, through the registry: built at k = 10 with the side information
/// metrics may need, it is named, looks at least as deep as its k, and gives finite values in
/// [0, 1] — 0 for a filtered target where it measures accuracy.
@Suite struct MetricRegistryTests {
    @Test func everyRegisteredMetricBuildsAndStaysInRange() throws {
        let context = MetricContext(itemGenres: (0...20).map { [$0 % 3] }, popularity: (0...20).map { Double($0) / 210 })
        let top = (1...10).map { ScoredItem(item: Int32($0), score: Float(20 - $0)) }
        let cases = [RankedCase(target: 3, greater: 2, ties: 0, targetFiltered: false, candidates: 20, top: top, targetScore: 17),
                     RankedCase(target: 15, greater: 14, ties: 2, targetFiltered: false, candidates: 20, top: top, targetScore: 1),
                     RankedCase(target: 2, greater: 0, ties: 0, targetFiltered: true, candidates: 20, top: top, targetScore: 18)]
        for entry in Metrics.registry.entries {
            let m = try Metrics.make(MetricSpec(id: entry.id, k: 10), context: context)
            #expect(m.name.hasPrefix(entry.id) && m.depth >= 1)
            for c in cases {
                let v = m.value(c)
                #expect(v.isFinite && v >= 0 && v <= 1, "\(entry.id): \(v)")
            }
        }
    }
}
