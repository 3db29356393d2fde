import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import Testing

/// A loss that turns NaN from its `failAt`-th call on (to exercise the guard).
final class PoisonedLoss: Loss {
    let inner: any Loss
    let failAt: Int
    var calls = 0
    init(_ inner: any Loss, failAt: Int) {
        self.inner = inner
        self.failAt = failAt
    }
    var requirement: LossRequirement { inner.requirement }
    func callAsFunction(_ input: LossInput) -> Tensor {
        calls += 1
        let v = inner(input)
        return calls >= failAt ? v * Float.nan : v
    }
}

@Suite(.serialized) struct TrainerTests {
    func setup() throws -> (DatasetSplit, SASRec) {
        let split = try LeaveOneOut(validationUsers: 200).split(try SyntheticDataset(users: 1_000, items: 150, seed: 8).generate())
        let model = try SASRec(vocabularySize: split.dataset.vocabulary.size,
                               config: .init(maxLength: 16, dim: 32, blocks: 2, heads: 1, dropout: 0.2, seed: 4))
        return (split, model)
    }

    @Test func earlyStoppingRestoresTheBestWeightsAndLogsJSONL() throws {
        let (split, model) = try setup()
        var config = TrainingConfig()
        config.batchSize = 64
        config.batchesPerEpoch = 20
        config.maxEpochs = 60
        config.patience = 3
        config.learningRate = 3e-3
        let dir = RunDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-train-\(UUID().uuidString)").path,
                               metadata: ["seqrec.dataset_fingerprint": split.dataset.fingerprint.description])
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        let report = try Trainer(config: config).train(model, split: split,
                                                       objective: shiftedObjective(try GBCELoss(negatives: 8, t: 0.75, catalogueSize: 150), items: 150),
                                                       output: dir)
        #expect(report.stopReason == .patience || report.stopReason == .maxEpochs)
        #expect(report.history.count == report.epochs && report.bestEpoch >= 1)
        // The restored model scores exactly the best validation NDCG again.
        let again = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.validation, in: split, scorer: ModelScorer(model: model, split: split))
        #expect(again.means["ndcg@10"]! == report.bestValidationNDCG)
        #expect(report.history.map(\.validationNDCG).max() == report.bestValidationNDCG)
        #expect(report.history[report.bestEpoch - 1].validationNDCG == report.bestValidationNDCG)
        let lines = try String(contentsOfFile: dir.logPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == report.epochs && lines[0].contains("\"validationNDCG\""))
        let first = try JSONDecoder().decode(TrainingReport.EpochRecord.self, from: Data(lines[0].utf8))
        #expect(first == report.history[0] && first.gradientNorm > 0)
    }

    @Test func nonFiniteLossStopsWithTheLastGoodWeights() throws {
        let (split, model) = try setup()
        var config = TrainingConfig()
        config.batchSize = 32
        config.batchesPerEpoch = 10
        config.maxEpochs = 10
        let loss = PoisonedLoss(try BCELoss(negatives: 1), failAt: 25)   // NaN in epoch 3
        let report = try Trainer(config: config).train(model, split: split, objective: shiftedObjective(loss, items: 150))
        #expect(report.stopReason == .nonFinite && report.epochs == 2)
        #expect(model.parameters.allSatisfy { $0.value.isFinite })
        let again = try Evaluator(metrics: [NDCG(k: 10)]).evaluate(split.validation, in: split, scorer: ModelScorer(model: model, split: split))
        #expect(again.means["ndcg@10"]! == report.bestValidationNDCG)
    }

    @Test func invalidSettingsNameTheKey() {
        var c = TrainingConfig()
        c.patience = 0
        #expect(throws: HyperparameterError(key: "patience", value: "0", allowed: "[1, 1000000000]")) { try Trainer(config: c) }
    }
}
