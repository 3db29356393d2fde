import Foundation
import SeqRecBaselines
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import SeqRecTestSupport
import Testing

/// Every registered model, through the registry (a model is tested the moment it is
/// registered): its loss passes a finite-difference check for every loss form, it learns a
/// planted synthetic task and beats popularity, save → load gives identical scores, and its
/// scores do not depend on the amount of left padding (causal models: nor on later items).
@Suite(.serialized) struct ModelConformanceTests {
    static let ids = Models.registry.ids
    static let split = try! LeaveOneOut(validationUsers: 100).split(try! SyntheticDataset(users: 800, items: 100, seed: 21).generate())

    /// The entry's tiny configuration.
    static func config(_ id: String, seed: UInt64 = 5) throws -> RunConfig {
        let entry = try Models.registry.entry(id)
        var small = entry.small
        small["seed"] = .number(Double(seed))
        let json = JSONValue.object(["model": .object(small.merging(["id": .string(id)]) { a, _ in a })])
        return try RunConfig.decode(json.canonical, source: "conformance", over: RunConfig(model: try Models.registry.defaults(id)))
    }

    static func model(_ id: String, seed: UInt64 = 5) throws -> any SequentialModel {
        try Models.make(try config(id, seed: seed).model, vocabularySize: split.dataset.vocabulary.size)
    }

    @Test(arguments: ids)
    func lossGradientMatchesFiniteDifferencesForEveryLossForm(_ id: String) throws {
        let n = Self.split.dataset.vocabulary.itemCount
        for loss in [LossConfig.gbce(negatives: 3, t: 0.5), .softmax] {
            let model = try Self.model(id)
            for p in model.parameters { p.updateValue { b in for i in b.indices { b[i] *= 0.5 } } }
            let config = try Self.config(id)
            var rc = config
            rc.loss = loss
            let objective = try rc.makeObjective(catalogueSize: n)
            var rng = SplitMix64(seed: 4)
            let (batch, negatives) = objective.batch(Self.split, users: [0, 1, 2], length: model.maxLength, rng: &rng)
            #expect(!batch.targets.isEmpty)
            let report = GradientCheck.checkParameters(model.parameters, epsilon: 2e-3, atol: 3e-3, rtol: 3e-2, maxElements: 12) {
                var ctx = ForwardContext.inference
                return objective.loss(model, batch, negatives: negatives, &ctx)
            }
            #expect(report.passed, "\(id) with \(loss.id): \(report)")
            #expect(report.checked > 50)
        }
    }

    @Test(arguments: ids)
    func learnsThePlantedTaskAndBeatsPopularity(_ id: String) throws {
        var config = try Self.config(id, seed: 3)
        config.loss = .softmax
        let n = Self.split.dataset.vocabulary.itemCount
        let model = try Models.make(config.model, vocabularySize: Self.split.dataset.vocabulary.size)
        let e = Evaluator(metrics: [NDCG(k: 10)])
        let pop = try e.evaluate(Self.split.test, in: Self.split, scorer: PopularityRecommender(split: Self.split)).means["ndcg@10"]!
        #expect(try trainSteps(model, Self.split, config.makeObjective(catalogueSize: n), steps: 1000, learningRate: 5e-3))
        let ndcg = try e.evaluate(Self.split.test, in: Self.split, scorer: ModelScorer(model: model, split: Self.split)).means["ndcg@10"]!
        print("\(id): planted-task NDCG@10 \(ndcg) vs popularity \(pop)")
        #expect(ndcg > 1.5 * pop, "\(id): NDCG@10 \(ndcg) vs popularity \(pop)")
    }

    @Test(arguments: ids)
    func saveThenLoadGivesIdenticalScoresAndTheRecordedModel(_ id: String) throws {
        let config = try Self.config(id)
        let model = try Models.make(config.model, vocabularySize: Self.split.dataset.vocabulary.size)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-conf-\(UUID().uuidString).safetensors").path
        let meta = ModelCheckpoint.metadata(config: config, fingerprint: Self.split.dataset.fingerprint.description,
                                            vocabulary: Self.split.dataset.vocabulary, environment: RunEnvironment.capture(blas: "test"))
        try ModelCheckpoint.save(model, metadata: meta, to: path)
        let loaded = try ModelCheckpoint.load(path: path)
        #expect(loaded.model.modelID == id && loaded.config == config && loaded.metadata["seqrec.model"] == id)
        let cases = Array(Self.split.test.prefix(50))
        let e = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10)])
        #expect(try e.evaluate(cases, in: Self.split, scorer: ModelScorer(model: model, split: Self.split)).perCase
                == e.evaluate(cases, in: Self.split, scorer: ModelScorer(model: loaded.model, split: Self.split)).perCase)
        let histories = cases.map { Array(Self.split.input($0)) }
        #expect(model.queryVectors(histories).scalars == loaded.model.queryVectors(histories).scalars)
        // Loaded as another model: a clear error naming the file.
        let other = Self.ids.first { $0 != id }!
        do { _ = try ModelCheckpoint.load(path: path, expectedModel: other); Issue.record("loaded \(id) as \(other)") } catch let e as CheckpointError {
            #expect(e.file == path && e.message.contains("is a \(id) checkpoint, not \(other)"))
        }
    }

    /// `encodeLast` (which may run the final block on the last rows only) equals the last column
    /// of `encode`, for a batch mixing lengths, full windows and windows that end in padding.
    @Test(arguments: ids)
    func encodeLastEqualsTheLastColumnOfEncode(_ id: String) throws {
        let model = try Self.model(id)
        var rng = SplitMix64(seed: 12)
        let n = Self.split.dataset.vocabulary.itemCount, l = model.maxLength, b = 7
        var ids = [Int32](repeating: 0, count: b * l)
        for r in 0..<b {
            let real = [1, 2, l / 2, l, l, 0, 3][r]
            for c in (l - real)..<l { ids[r * l + c] = 1 + Int32(rng.nextInt(below: n)) }
        }
        for c in (l - 4)..<l { ids[6 * l + c] = c == l - 1 ? 0 : 1 + Int32(rng.nextInt(below: n)) }  // ends in padding
        let batch = IDTensor(shape: [b, l], ids: ids)
        var ctx = ForwardContext.inference
        let full = model.encode(batch, &ctx).slice(axis: 1, (l - 1)..<l).reshaped([b, model.dim]).scalars
        let last = model.encodeLast(batch)
        #expect(last.shape == Shape([b, model.dim]))
        let diff = zip(full, last.scalars).map { Swift.abs($0 - $1) }.max()!
        #expect(diff < 1e-5, "\(id): encodeLast differs from encode's last column by \(diff)")
    }

    @Test(arguments: ids)
    func scoresDoNotDependOnLeftPadding(_ id: String) throws {
        let model = try Self.model(id)
        var rng = SplitMix64(seed: 8)
        let n = Int32(Self.split.dataset.vocabulary.itemCount)
        for length in [1, 3, model.maxLength - 1, model.maxLength + 5] {
            let history = (0..<length).map { _ in 1 + Int32(rng.nextInt(below: Int(n))) }
            let window = model.inferenceWindow(history)
            var ctx = ForwardContext.inference
            var outputs: [[Float]] = []
            for l in [window.count, model.maxLength] {
                let h = model.encode(IDTensor(shape: [1, l], ids: Padding.leftPadded(window, length: l)), &ctx)
                outputs.append(h.slice(axis: 1, (l - 1)..<l).scalars)
            }
            let diff = zip(outputs[0], outputs[1]).map { Swift.abs($0 - $1) }.max()!
            #expect(diff < 1e-5, "\(id), history of \(length): last hidden state moves by \(diff) with padding")
        }
        guard model.isCausal else { return }
        // Causal: a position's output does not depend on later items.
        var ctx = ForwardContext.inference
        let a: [Int32] = [3, 7, 2, 9, 4, 1], b: [Int32] = [3, 7, 2, 11, 5, 6]
        let ha = model.encode(IDTensor(shape: [1, 6], ids: a), &ctx).slice(axis: 1, 0..<3).scalars
        let hb = model.encode(IDTensor(shape: [1, 6], ids: b), &ctx).slice(axis: 1, 0..<3).scalars
        #expect(zip(ha, hb).map { Swift.abs($0 - $1) }.max()! < 1e-6)
    }
}
