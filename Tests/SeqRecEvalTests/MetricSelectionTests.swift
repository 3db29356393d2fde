import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import Testing

@Suite struct MetricSelectionTests {
    /// Softmax probabilities through the streamed log Σ exp: equal to the hand-computed softmax
    /// over the whole catalogue (seen items included), in one block or many.
    @Test func softmaxNormaliserMatchesTheHandComputedOne() throws {
        let sp = try split([[1, 2, 3, 4, 5, 6], [3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3]])
        let n = sp.dataset.vocabulary.itemCount
        let scorer = FunctionScorer { c, id in Float(id % 5) * 1.7 - Float(c.user) + 40 }   // large scores: max-shift needed
        for buffer in [1 << 20, 4] {
            let e = Evaluator(metrics: [NDCG(k: 10)], maxBufferFloats: buffer, probability: .softmax)
            let r = try e.evaluate(sp.test, in: sp, scorer: scorer)
            let c = try #require(r.calibration)
            // Hand: for each case, p(item) = exp(s) / Σ exp over items 1…n.
            var meanTop1 = 0.0
            for tc in sp.test {
                let s = (1...n).map { Double(scorer.f(tc, Int32($0))) }
                let z = s.map { exp($0 - 40) }.reduce(0, +)
                let seen = Set(sp.input(tc))
                let best = (1...n).filter { !seen.contains(Int32($0)) }.map { s[$0 - 1] }.max()!
                meanTop1 += exp(best - 40) / z
            }
            #expect(Swift.abs(c.meanProbabilityAtK[0] - meanTop1 / Double(sp.test.count)) < 1e-5, "buffer \(buffer)")
        }
        // σ for (g)BCE models.
        let sig = try Evaluator(metrics: [NDCG(k: 10)], probability: .sigmoid).evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in id == 1 ? 0 : -50 })
        #expect(sig.calibration!.meanProbabilityAtK[0] < 0.51)
    }

    @Test func selectionParsesNamesKAndSampling() throws {
        let context = MetricContext(itemGenres: (0...20).map { [$0 % 3] }, popularity: (0...20).map { Double($0) / 210 })
        let s = try MetricSelection.parse("ndcg@5, recall@1,mrr,ild@10,npcount@10,pcount@10,ece,sampled-pop50:ndcg@10", key: "--metrics", context: context)
        #expect(s.names == ["ndcg@5", "recall@1", "mrr", "ild@10", "npcount@10", "pcount@10", "ece", "sampled-pop50:ndcg@10"])
        #expect(s.metrics.map(\.name) == ["ndcg@5", "recall@1", "mrr", "ild@10", "pcount@10", "ndcg@10"])
        #expect(s.normalizedPCOUNT == [10] && s.calibration && s.sampling == PopularitySampling(negatives: 50, seed: 31_337))
        func message(_ text: String, _ ctx: MetricContext = context) -> String {
            do { _ = try MetricSelection.parse(text, key: "--metrics", context: ctx); return "parsed" } catch { return "\(error)" }
        }
        #expect(message("ndcg@10,hitrate@10").contains("unknown metric (--metrics) `hitrate@10`; valid: ndcg@K"))
        #expect(message("ndcg@0").contains("K must be a whole number ≥ 1"))
        #expect(message("sampled-pop50:ndcg@10,sampled-pop100:recall@10").contains("one number of sampled negatives"))
        #expect(message("sampled-pop100:ild@10").contains("full-catalogue list"))
        #expect(message("ild@10", MetricContext()).contains("--metrics") && message("ild@10", MetricContext()).contains("item genres"))
        #expect(message(" , ").contains("name at least one metric"))
        // Sampled metrics are named by their own N.
        let sp = try split([[1, 2, 3, 4, 5, 6], [3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3], [2, 4, 6, 8, 1, 3]])
        let r = try Evaluator(metrics: [NDCG(k: 10)], sampled: PopularitySampling(negatives: 3, seed: 1))
            .evaluate(sp.test, in: sp, scorer: FunctionScorer { _, id in Float(id) })
        #expect(r.perCase["sampled-pop3:ndcg@10"] != nil && r.perCase["sampled-pop100:ndcg@10"] == nil)
    }
}
