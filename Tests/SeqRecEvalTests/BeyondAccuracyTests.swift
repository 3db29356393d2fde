import SeqRecCore
import SeqRecData
import SeqRecEval
import Testing

@Suite struct BeyondAccuracyTests {
    func ranked(_ items: [Int32], target: Int32 = 99, scores: [Float]? = nil) -> RankedCase {
        let s = scores ?? items.map { _ in 0 }
        return RankedCase(target: target, greater: 0, ties: 0, targetFiltered: false, candidates: 10,
                          top: zip(items, s).map { ScoredItem(item: $0, score: $1) }, targetScore: 0)
    }

    @Test func ildByHand() {
        // Genres: 1 → {0}, 2 → {0, 1}, 3 → {2}. cos(1,2) = 1/√2; others 0.
        let genres: [[Int]] = [[], [0], [0, 1], [2]]
        let ild = ILD(k: 3, itemGenres: genres).value(ranked([1, 2, 3]))
        let d12: Double = 1 - 1 / Double(2).squareRoot()
        let expected: Double = (d12 + 2) / 6
        #expect(Swift.abs(ild - expected) < 1e-12)
    }

    @Test func pcountByHand() {
        let p = PCOUNT(k: 2, popularity: [0, 0.5, 0.3, 0.2]).value(ranked([1, 3]))
        #expect(Swift.abs(p - 0.35) < 1e-12)
    }

    @Test func eceByHand() {
        // Two users, top-2 each; σ-free probabilities given directly as scores.
        let a = ranked([1, 2], target: 1, scores: [0.95, 0.15])   // bins 9 (hit) and 1 (miss)
        let b = ranked([3, 4], target: 7, scores: [0.91, 0.12])   // bins 9 (miss) and 1 (miss)
        let c = Calibration(ranked: [a, b], probability: { Double($0) }, bins: 10, eceDepth: 10)
        // Bin 9: 2 predictions, 1 positive, mean p 0.93 → |0.5 − 0.93|; bin 1: 0 positives, mean 0.135.
        let expected = 0.5 * Swift.abs(0.5 - 0.93) + 0.5 * 0.135
        #expect(Swift.abs(c.expectedCalibrationError - expected) < 1e-6)
        #expect(c.precisionAtK[0] == 0.5 && Swift.abs(c.meanProbabilityAtK[0] - 0.93) < 1e-6)
    }

    @Test func pairedAndUnpairedTTestsMatchReferenceValues() {
        // scipy.stats.ttest_rel([1,2,3,4,5], [2,2,4,4,6]) → t = −2.4495, p = 0.07048
        let p = SignificanceTest.pairedT([1, 2, 3, 4, 5], [2, 2, 4, 4, 6])
        #expect(Swift.abs(p.statistic - -2.449489742783178) < 1e-9)
        #expect(Swift.abs(p.pValue - 0.07048399691021993) < 1e-6 && !p.significant)
        // With Bonferroni over 2 metrics the p-value doubles.
        #expect(Swift.abs(SignificanceTest.pairedT([1, 2, 3, 4, 5], [2, 2, 4, 4, 6], comparisons: 2).pValue - 0.14096799382) < 1e-6)
        // scipy.stats.ttest_ind([1,2,3,4,5], [3,4,5,6,7]) → t = −2.0, p = 0.08051623795726
        let u = SignificanceTest.unpairedStudentT([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])
        #expect(Swift.abs(u.statistic + 2) < 1e-12 && Swift.abs(u.pValue - 0.08051623795726) < 1e-6)
        // A large consistent difference is significant.
        #expect(SignificanceTest.pairedT((0..<50).map { Double($0) + 1 }, (0..<50).map { Double($0) + Double($0 % 3) * 0.1 }).significant)
    }

    @Test func popularitySamplingIsSeededDistinctAndPopularityWeighted() throws {
        let s = try SyntheticDataset(users: 500, items: 200, popularityExponent: 1.2, seed: 12).generate()
        let sp = try LeaveOneOut().split(s)
        let sampler = PopularitySampling(negatives: 100, seed: 3)
        let a = sampler.draw(sp.test, split: sp), b = sampler.draw(sp.test, split: sp)
        #expect(a == b)
        for (c, negs) in zip(sp.test, a) { #expect(negs.count == 100 && Set(negs).count == 100 && !negs.contains(c.target)) }
        // The most popular item is drawn far more often than the least popular.
        let counts = s.itemCounts()
        let top = Int32((1...200).max { counts[$0] < counts[$1] }!), bottom = Int32((1...200).min { counts[$0] < counts[$1] }!)
        let freq = { (id: Int32) in a.reduce(0) { $0 + ($1.contains(id) ? 1 : 0) } }
        #expect(freq(top) > freq(bottom))
        let e = Evaluator(metrics: [Recall(k: 10)], sampled: sampler)
        let r = try e.evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in Float(counts[Int(id)]) })
        #expect(r.perCase["sampled-pop100:recall@10"] != nil && r.protocolDescription.contains("popularity-sampled"))
        // Sampled metrics are optimistic next to full ranking.
        #expect(r.means["sampled-pop100:recall@10"]! >= r.means["recall@10"]!)
    }
}

@Suite struct PopularityBiasTests {
    @Test func nPCOUNTOfPopularityIsOne() throws {
        let s = try SyntheticDataset(users: 200, items: 60, seed: 3).generate()
        let sp = try LeaveOneOut().split(s)
        let counts = sp.trainItemCounts()
        let total = Double(counts.reduce(0, +))
        let e = Evaluator(metrics: [PCOUNT(k: 10, popularity: counts.map { Double($0) / total })])
        let pop = try e.evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in Float(counts[Int(id)]) })
        let other = try e.evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in -Float(counts[Int(id)]) })
        #expect(pop.normalizedPCOUNT(k: 10, popularity: pop) == 1)
        #expect(other.normalizedPCOUNT(k: 10, popularity: pop)! < 0.5)
    }
}
