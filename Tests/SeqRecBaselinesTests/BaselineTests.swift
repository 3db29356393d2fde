import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecBaselines
import Testing

func sharedDatasets() -> String? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    let path = url.appendingPathComponent("shared/datasets").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

@Suite struct BaselineTests {
    let metrics: [any Metric] = [NDCG(k: 10), Recall(k: 10)]

    @Test func sequentialStructureBeatsPopularityOnSyntheticData() throws {
        let d = try SyntheticDataset(users: 1_500, items: 300, seed: 21).generate()
        let split = try LeaveOneOut().split(d)
        let e = Evaluator(metrics: metrics)
        let pop = try e.evaluate(split.test, in: split, scorer: PopularityRecommender(split: split)).means
        let mc = try e.evaluate(split.test, in: split, scorer: MarkovChainRecommender(split: split)).means
        #expect(mc["ndcg@10"]! > 2 * pop["ndcg@10"]!)
    }

    @Test func bprLearnsUserPreferencesThatPopularityCannot() throws {
        // Two user groups with disjoint 20-item catalogues: popularity cannot tell them apart.
        var rng = SplitMix64(seed: 5)
        var log = InteractionLog(source: "groups", hasTimestamps: false)
        for u in 0..<300 {
            let user = log.users.intern("u\(u)")
            var items = Array((u % 2 == 0 ? 1 : 21)...(u % 2 == 0 ? 20 : 40))
            items.shuffle(using: &rng)
            for i in items.prefix(8) { log.append(user: user, item: log.items.intern(String(i)), timestamp: nil) }
        }
        let split = try LeaveOneOut().split(try Preprocessing().apply(to: log, name: "groups"))
        let e = Evaluator(metrics: metrics)
        let pop = try e.evaluate(split.test, in: split, scorer: PopularityRecommender(split: split)).means
        let bpr = try e.evaluate(split.test, in: split,
                                 scorer: MatrixFactorizationBPR(split: split, config: .init(factors: 16, epochs: 30))).means
        // Chance within the right group is 10/13 unseen candidates; popularity spreads over both groups.
        #expect(bpr["recall@10"]! > 0.7)
        #expect(pop["recall@10"]! < 0.5)
    }

    @Test func popularityScoresAreTrainingCounts() throws {
        let d = try SyntheticDataset(users: 50, items: 20, seed: 1).generate()
        let split = try LeaveOneOut().split(d)
        let pop = PopularityRecommender(split: split)
        #expect(pop.counts.reduce(0, +) == split.trainLengths.reduce(0, +))
        #expect(Swift.abs(pop.shares.reduce(0, +) - 1) < 1e-9)
    }

    @Test func markovChainByHand() throws {
        // Train sequences [1 2 3 | 9 9] and [1 3 | 9 9]: after 1, item 2 follows once at d=0 and 3 once at d=0 / once at d=1.
        var log = InteractionLog(source: "t", hasTimestamps: false)
        for (u, s) in [[1, 2, 3, 4, 5], [1, 3, 4, 5]].enumerated() {
            let user = log.users.intern("u\(u)")
            for i in s { log.append(user: user, item: log.items.intern(String(i)), timestamp: nil) }
        }
        let split = try LeaveOneOut().split(try Preprocessing().apply(to: log, name: "t"))
        let mc = try MarkovChainRecommender(split: split, order: 2, discount: 0.5)
        // Score items 2 and 3 for history [1]: c[1] = 2; c⁰[1][2] = 1, c⁰[1][3] = 1 → equal.
        let c = EvaluationCase(user: 0, inputLength: 1, target: 2)
        var buf = [Float](repeating: 0, count: 2)
        try buf.withUnsafeMutableBufferPointer { try mc.score([c], items: 2..<4, into: $0) }
        let expected = Float(Foundation.log((1 + 0.1) / 2.0))
        #expect(Swift.abs(buf[0] - expected) < 1e-6 && Swift.abs(buf[1] - expected) < 1e-6)
        #expect(throws: HyperparameterError.self) { try MarkovChainRecommender(split: split, order: 0) }
    }

    @Test(.enabled(if: sharedDatasets() != nil, "needs ../shared/datasets"))
    func popularityOnML1MMatchesTheThesis() throws {
        let split = try GSASRecPortSplit(directory: sharedDatasets()! + "/ml1m-gsasrec").load()
        let r = try Evaluator(metrics: metrics).evaluate(split.test, in: split, scorer: PopularityRecommender(split: split))
        print("ml1m-gsasrec popularity (\(split.test.count) users): \(r.means)")
        // Thesis Table 5.2: Recall@10 ≈ 0.036, NDCG@10 ≈ 0.017 over all users; 512 users give a noisier estimate.
        #expect(Swift.abs(r.means["recall@10"]! - 0.036) < 0.02)
        #expect(Swift.abs(r.means["ndcg@10"]! - 0.017) < 0.01)
    }
}
