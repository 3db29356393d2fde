import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecNN
import Testing

/// The README's "Training a model from code" snippet, as written there.
@Suite struct ReadmeExampleTests {
    @Test func readmeTrainingSnippetRuns() throws {
        let split = try LeaveOneOut(validationUsers: 200).split(try SyntheticDataset().generate())
        var config = RunConfig.presets["bert4rec"]!            // or RunConfig.decode(json, over: …)
        config = try RunConfig.decode(Data(#"{"model": {"maxLength": 20, "dim": 32}}"#.utf8), over: config)
        let model = try Models.make(config.model, vocabularySize: split.dataset.vocabulary.size)
        let objective = try config.makeObjective(catalogueSize: split.dataset.vocabulary.itemCount)
        let step = TrainStep(model: model, objective: objective, optimizer: try Adam(learningRate: 3e-3))
        var rng = SplitMix64(seed: 1)
        for _ in 0..<300 {
            let users = (0..<64).map { _ in rng.nextInt(below: split.dataset.userCount) }
            let outcome = step(split, users: users, rng: &rng)   // batch, negatives, dropout seed from rng
            precondition(outcome.isFinite)
        }
        let top = try model.recommend([[1, 2, 3]], k: 10)       // through the evaluator's ranking path
        #expect(top.count == 1 && top[0].count == 10 && top[0].allSatisfy { ![1, 2, 3].contains($0.item) })
    }
}
