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
    func train(_ split: DatasetSplit, loss: any Loss, steps: Int) throws -> SASRec {
        let model = try SASRec(vocabularySize: split.dataset.vocabulary.size,
                               config: .init(maxLength: 20, dim: 32, blocks: 2, heads: 1, dropout: 0.2, seed: 3))
        #expect(try trainSteps(model, split, shiftedObjective(loss, items: split.dataset.vocabulary.itemCount), steps: steps))
        return model
    }

    @Test func sasrecLearnsThePlantedTransitionsAndBeatsPopularity() throws {
        let split = try LeaveOneOut().split(try SyntheticDataset(users: 1_500, items: 200, seed: 5).generate())
        let e = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10)])
        let pop = try e.evaluate(split.test, in: split, scorer: PopularityRecommender(split: split)).means["ndcg@10"]!
        let model = try train(split, loss: try GBCELoss(negatives: 16, t: 0.75, catalogueSize: 200), steps: 1000)
        let sas = try e.evaluate(split.test, in: split, scorer: ModelScorer(model: model, split: split)).means["ndcg@10"]!
        print("synthetic NDCG@10: popularity \(pop), gSASRec (1000 steps) \(sas)")
        #expect(sas > 2 * pop)
    }

    @Test func fullSoftmaxObjectiveTrainsToo() throws {
        let split = try LeaveOneOut().split(try SyntheticDataset(users: 800, items: 120, seed: 6).generate())
        let model = try train(split, loss: SoftmaxCrossEntropyLoss(), steps: 150)
        let pop = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.test, in: split, scorer: PopularityRecommender(split: split))
        let r = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.test, in: split, scorer: ModelScorer(model: model, split: split))
        #expect(r.means["ndcg@10"]! > pop.means["ndcg@10"]!)
    }

    /// The position before a short sequence's first item is a training position (its label is the
    /// first item): as in the padded form and the port, its hidden state is finalNorm(0) = β and
    /// β's gradient includes it.
    @Test func paddedPositionsOutputTheFinalNormBiasAndTrainIt() throws {
        let model = try SASRec(vocabularySize: 30, config: .init(maxLength: 6, dim: 8, blocks: 1, heads: 2, dropout: 0))
        var rng = SplitMix64(seed: 9)
        model.finalNorm.beta.value = Tensor.randomNormal([8], rng: &rng)
        let ids = IDTensor(shape: [1, 6], [0, 0, 3, 4, 5, 6])
        var ctx = ForwardContext.inference
        let out = model.encode(ids, &ctx)
        for row in 0..<2 {
            #expect(out.slice(axis: 1, row..<(row + 1)).reshaped([8]).scalars == model.finalNorm.beta.value.scalars)
        }
        valueAndGradient {
            var c = ForwardContext.inference
            return model.encode(ids, &c).slice(axis: 1, 0..<1).sum()
        }
        #expect(model.finalNorm.beta.grad?.scalars == [Float](repeating: 1, count: 8))
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

    @Test func sharedNegativesUseOneSetPerBatchAndTrain() throws {
        let split = try LeaveOneOut().split(try SyntheticDataset(users: 800, items: 120, seed: 6).generate())
        var rng = SplitMix64(seed: 1)
        let sharedObjective = shiftedObjective(try GBCELoss(negatives: 7, t: 0.5, catalogueSize: 120), items: 120, shared: true)
        let (_, negatives) = sharedObjective.batch(split, users: [0, 1, 2], length: 10, rng: &rng)
        #expect(negatives?.shape == [7])
        #expect(negatives!.ids.allSatisfy { $0 >= 1 && $0 <= 120 })
        let model = try SASRec(vocabularySize: split.dataset.vocabulary.size,
                               config: .init(maxLength: 20, dim: 32, blocks: 2, heads: 1, dropout: 0.2, seed: 3))
        let loss = try GBCELoss(negatives: 32, t: 0.75, catalogueSize: 120)
        let e = Evaluator(metrics: [NDCG(k: 10)])
        let untrained = try e.evaluate(split.test, in: split, scorer: ModelScorer(model: model, split: split)).means["ndcg@10"]!
        #expect(try trainSteps(model, split, shiftedObjective(loss, items: 120, shared: true), steps: 1000))
        let pop = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.test, in: split, scorer: PopularityRecommender(split: split))
        let r = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.test, in: split, scorer: ModelScorer(model: model, split: split))
        print("shared negatives, 1000 steps: NDCG@10 \(r.means["ndcg@10"]!) vs popularity \(pop.means["ndcg@10"]!), untrained \(untrained)")
        #expect(r.means["ndcg@10"]! > 2 * untrained)
    }

    /// Padded positions never reach the loss: the same real positions give the same loss
    /// whatever the window's padding.
    @Test func lossIgnoresPaddedPositions() throws {
        let model = try SASRec(vocabularySize: 30, config: .init(maxLength: 12, dim: 16, blocks: 1, heads: 1, dropout: 0))
        let objective = shiftedObjective(try BCELoss(negatives: 2), items: 28)
        func value(_ inputs: [Int32], _ labels: [Int32], _ negs: [Int32]) -> Float {
            var ctx = ForwardContext.inference
            let b = shiftedBatch(inputs: inputs, labels: labels, batch: 1)
            return objective.loss(model, b, negatives: IDTensor(shape: [b.targets.count, 2], ids: negs), &ctx).scalar
        }
        let short = value([3, 4, 5], [4, 5, 6], [1, 2, 8, 9, 10, 11])
        let padded = value([0, 0, 3, 4, 5], [0, 0, 4, 5, 6], [1, 2, 8, 9, 10, 11])
        #expect(Swift.abs(short - padded) < 1e-5)
    }

    @Test func recommendNeverReturnsSpecialOrSeenItemsAndMatchesTheScores() throws {
        let model = try SASRec(vocabularySize: 52, config: .init(maxLength: 8, dim: 16, blocks: 2, heads: 2, dropout: 0.1))
        let histories: [[Int32]] = [[1, 2, 3], [50, 49], Array(1...40).map { Int32($0) }]
        let recs = try model.recommend(histories, k: 60)
        for (h, list) in zip(histories, recs) {
            #expect(list.count == 50 - Set(h).count)
            #expect(list.allSatisfy { $0.item >= 1 && $0.item <= 50 && !h.contains($0.item) })
            #expect(zip(list, list.dropFirst()).allSatisfy { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) })
        }
        let unfiltered = try model.recommend([[1, 2, 3]], k: 50, filterSeen: false)[0]
        #expect(unfiltered.count == 50)
        let hidden = model.queryVectors([[Int32]([1, 2, 3])])
        let direct = Tensor.matmul(hidden, model.outputMatrix(), transposeB: true).scalars
        #expect(unfiltered.allSatisfy { Swift.abs($0.score - direct[Int($0.item)]) < 1e-4 })
        #expect(throws: HyperparameterError.self) { _ = try model.recommend([[1]], k: 0) }
    }

    /// Length-grouped inference equals encoding every history in the full window.
    @Test func queryVectorsEqualFullWindowEncoding() throws {
        let model = try SASRec(vocabularySize: 40, config: .init(maxLength: 16, dim: 16, blocks: 2, heads: 2, dropout: 0.3))
        var rng = SplitMix64(seed: 5)
        let histories: [[Int32]] = (0..<150).map { _ in (0..<(1 + rng.nextInt(below: 30))).map { _ in Int32(1 + rng.nextInt(below: 38)) } }
        let grouped = model.queryVectors(histories, group: 7).scalars
        var ctx = ForwardContext.inference
        let ids = histories.flatMap { Padding.leftPadded($0, length: 16) }
        let full = model.encode(IDTensor(shape: [150, 16], ids: ids), &ctx).slice(axis: 1, 15..<16).scalars
        #expect(zip(grouped, full).map { Swift.abs($0 - $1) }.max()! < 1e-4)
    }
}
