import SeqRecBaselines
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import Testing

@Suite(.serialized) struct SASRecTests {
    func train(_ split: DatasetSplit, loss: any Loss, negatives: Int, steps: Int) throws -> SASRec {
        let model = try SASRec(vocabularySize: split.dataset.vocabulary.size,
                               config: .init(maxLength: 20, dim: 32, blocks: 2, heads: 1, dropout: 0.2, seed: 3))
        let adam = try Adam(learningRate: 3e-3, beta2: 0.98)
        var rng = SplitMix64(seed: 9)
        let pool = BufferPool()
        for step in 0..<steps {
            let users = (0..<64).map { _ in rng.nextInt(below: split.dataset.userCount) }
            let batch = ShiftedSequenceBatch.make(split, users: users, length: 20, negatives: negatives, rng: &rng)
            model.zeroGradients()
            var ctx = ForwardContext(training: true, seed: UInt64(step))
            let value = pool.withPool { valueAndGradient { model.loss(batch, loss, &ctx) } }
            #expect(value.isFinite)
            adam.step(model.parameters)
        }
        return model
    }

    @Test func sasrecLearnsThePlantedTransitionsAndBeatsPopularity() throws {
        let split = try LeaveOneOut().split(try SyntheticDataset(users: 1_500, items: 200, seed: 5).generate())
        let e = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10)])
        let pop = try e.evaluate(split.test, in: split, scorer: PopularityRecommender(split: split)).means["ndcg@10"]!
        let model = try train(split, loss: try GBCELoss(negatives: 16, t: 0.75, catalogueSize: 200), negatives: 16, steps: 1000)
        let sas = try e.evaluate(split.test, in: split, scorer: SASRecScorer(model: model, split: split)).means["ndcg@10"]!
        print("synthetic NDCG@10: popularity \(pop), gSASRec (1000 steps) \(sas)")
        #expect(sas > 2 * pop)
    }

    @Test func fullSoftmaxObjectiveTrainsToo() throws {
        let split = try LeaveOneOut().split(try SyntheticDataset(users: 800, items: 120, seed: 6).generate())
        let model = try train(split, loss: SoftmaxCrossEntropyLoss(), negatives: 1, steps: 150)
        let pop = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.test, in: split, scorer: PopularityRecommender(split: split))
        let r = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.test, in: split, scorer: SASRecScorer(model: model, split: split))
        #expect(r.means["ndcg@10"]! > pop.means["ndcg@10"]!)
    }

    @Test func lastPositionOutputIgnoresTheAmountOfLeftPadding() throws {
        let model = try SASRec(vocabularySize: 30, config: .init(maxLength: 12, dim: 16, blocks: 2, heads: 2, dropout: 0.3))
        var ctx = ForwardContext.inference
        let seq: [Int32] = [5, 9, 2, 17]
        let a = model.encode(IDTensor(shape: [1, 12], ids: Padding.leftPadded(seq, length: 12)), &ctx).slice(axis: 1, 11..<12)
        // Same window length, extra history beyond the window is cut: compare two paddings of a
        // shorter window by feeding windows of 8 and 12 (positions are counted from the right).
        let b = model.encode(IDTensor(shape: [1, 8], ids: Padding.leftPadded(seq, length: 8)), &ctx).slice(axis: 1, 7..<8)
        let diff = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max()!
        #expect(diff < 1e-5)
    }
}
