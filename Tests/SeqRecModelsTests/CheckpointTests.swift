import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecScoring
import SeqRecObjectives
import SeqRecTensor
import Testing

@Suite(.serialized) struct CheckpointTests {
    static let split = try! LeaveOneOut(validationUsers: 100).split(try! SyntheticDataset(users: 400, items: 80, seed: 11).generate())

    func tinyConfig(epochs: Int) -> RunConfig {
        var c = RunConfig(model: .init(maxLength: 12, dim: 16, blocks: 1, heads: 1, dropout: 0.2, seed: 3),
                          loss: .gbce(negatives: 4, t: 0.5))
        c.training.batchSize = 32
        c.training.batchesPerEpoch = 5
        c.training.maxEpochs = epochs
        return c
    }

    func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-ckpt-\(UUID().uuidString)").path
    }

    @Test func savedModelLoadsWithConfigVocabularyAndIdenticalScores() throws {
        let dir = tempDir()
        let (result, model) = try TrainingRun(config: tinyConfig(epochs: 2), split: Self.split, dataset: "toy", directory: dir).run()
        let ckpt = try ModelCheckpoint.load(path: dir + "/model.safetensors")
        #expect(ckpt.config == tinyConfig(epochs: 2))
        #expect(ckpt.fingerprint == Self.split.dataset.fingerprint.description)
        #expect(ckpt.vocabulary == Self.split.dataset.vocabulary)
        let histories: [[Int32]] = [[1, 2, 3], [5], Array(repeating: 7, count: 30)]
        let a = model.queryVectors(histories).scalars, b = ckpt.model.queryVectors(histories).scalars
        #expect(a == b)
        let again = try Evaluator(metrics: TrainingRun.testMetrics)
            .evaluate(Self.split.test, in: Self.split, scorer: ModelScorer(model: ckpt.model, split: Self.split))
        #expect(again.means == result.test)
        let stored = try RunResult.read(path: dir + "/result.json")
        #expect(stored.test == result.test && stored.fingerprint == ckpt.fingerprint && stored.environment.threads == ThreadBudget.threads)
        #expect(stored.testPerUser["ndcg@10"]!.count == Self.split.test.count)
    }

    func recJPQConfig(epochs: Int) -> RunConfig {
        var c = tinyConfig(epochs: epochs)
        try! c.editModel(SASRec.Config.self) {
            $0.reuseItemEmbeddings = true
            $0.itemEmbedding = .init(kind: "recjpq", splits: 4, subIDs: 16, assignment: "svd")
        }
        return c
    }

    /// A RecJPQ SASRec: the checkpoint holds Ψ and the codebook as U8 bytes (no item table),
    /// loads back to identical scores, is smaller than the dense model's, and resumes exactly.
    @Test func recJPQModelCheckpointsItsCodebookAsBytesAndResumesExactly() throws {
        let dir = tempDir(), denseDir = tempDir()
        let (result, model) = try TrainingRun(config: recJPQConfig(epochs: 2), split: Self.split, dataset: "toy", directory: dir).run()
        _ = try TrainingRun(config: tinyConfig(epochs: 1), split: Self.split, dataset: "toy", directory: denseDir).run()
        let path = dir + "/model.safetensors"
        let contents = try SafeTensors.readContents(path: path)
        let vocabulary = Self.split.dataset.vocabulary.size
        #expect(contents.bytes.map(\.name) == ["items.codes"] && contents.bytes[0].tensor.shape == [vocabulary, 4])
        #expect(contents.tensors.contains { $0.name == "items.subItemEmbeddings" && $0.tensor.shape == [4 * 16, 4] })
        #expect(!contents.tensors.contains { $0.name == "items.table" || $0.name.hasPrefix("output") })
        #expect(contents.bytes[0].tensor.bytes.map(Int32.init) == model.recJPQ!.codebook.codes)
        let ckpt = try ModelCheckpoint.load(path: path)
        #expect(ckpt.model.recJPQ!.codebook.codes == model.recJPQ!.codebook.codes)
        let histories: [[Int32]] = [[1, 2, 3], [5], Array(repeating: 7, count: 30)]
        #expect(model.queryVectors(histories).scalars == ckpt.model.queryVectors(histories).scalars)
        let again = try Evaluator(metrics: TrainingRun.testMetrics)
            .evaluate(Self.split.test, in: Self.split, scorer: ModelScorer(model: ckpt.model, split: Self.split))
        #expect(again.means == result.test)
        let size = { (p: String) in (try FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0 }
        #expect(try size(path) < size(denseDir + "/model.safetensors"))
        // The reported size: Ψ (64 × 4 floats) + codes (1 byte each) and the file on disk.
        let reported = try #require(result.modelSize)
        #expect(reported.itemParameterBytes == 64 * 4 * 4 && reported.codebookBytes == vocabulary * 4)
        #expect(reported.checkpointFileBytes == (try size(path)))
        #expect(reported.parameterBytes == model.parameters.reduce(0) { $0 + $1.value.count * 4 })
        // The trained model's catalogue gives the exact top-K scorers the model's own ranking:
        // PQTopK and RecJPQPrune over (Ψ, codes) agree with the dense output scores.
        let catalogue = try model.recJPQ!.catalogue()
        let dense = try model.recommend(histories, k: 5, filterSeen: false)
        let phi = model.queryVectors(histories).scalars
        for (r, expected) in dense.enumerated() {
            let q = Array(phi[(r * 16)..<((r + 1) * 16)])
            for scorer in [PQTopKScorer(catalogue: catalogue) as any TopKScorer, try RecJPQPruneScorer(catalogue: catalogue)] {
                let got = try scorer.topK(q, k: 5, excluding: [])
                #expect(got.map { $0.item + 1 } == expected.map(\.item), "history \(r), \(type(of: scorer))")
                #expect(zip(got, expected).allSatisfy { abs($0.score - $1.score) < 1e-4 })
            }
        }
        // Resume: 2 + 1 epochs equal 3 uninterrupted ones (the codebook comes from the state).
        let whole = tempDir()
        let (full, _) = try TrainingRun(config: recJPQConfig(epochs: 3), split: Self.split, dataset: "toy", directory: whole).run()
        let (resumed, _) = try TrainingRun(config: recJPQConfig(epochs: 3), split: Self.split, dataset: "toy", directory: dir).run(resume: true)
        #expect(resumed.training.history.map(\.meanLoss) == full.training.history.map(\.meanLoss))
        #expect(resumed.test == full.test)
    }

    @Test func recJPQSettingsAreValidatedNamingTheKey() throws {
        func message(_ edit: (inout SASRec.Config) -> Void) -> String {
            var c = recJPQConfig(epochs: 1)
            try! c.editModel(SASRec.Config.self, edit)
            do { try c.validate(catalogueSize: 80); return "valid" } catch { return "\(error)" }
        }
        #expect(message { _ in } == "valid")
        #expect(message { $0.reuseItemEmbeddings = false }.contains("model.reuseItemEmbeddings"))
        #expect(message { $0.itemEmbedding.splits = 3 }.contains("model.itemEmbedding.splits"))
        #expect(message { $0.itemEmbedding.subIDs = 300 }.contains("model.itemEmbedding.subIDs"))
        #expect(message { $0.itemEmbedding.assignment = "pq" }.contains("model.itemEmbedding.assignment"))
        #expect(message { $0.itemEmbedding.kind = "hash" }.contains("model.itemEmbedding.kind"))
        #expect(throws: (any Error).self) { _ = try RunConfig.decode(Data(#"{"model": {"itemEmbedding": {"splitz": 4}}}"#.utf8)) }
        #expect(message { $0.embeddingInit = "xavier" }.contains("model.embeddingInit"))
        // Configs recorded before these settings existed decode to what they ran with.
        let old = #"{"blocks": 2, "dim": 128, "dropout": 0.5, "heads": 1, "maxLength": 200, "reuseItemEmbeddings": false, "seed": 42}"#
        let decoded = try JSONDecoder().decode(SASRec.Config.self, from: Data(old.utf8))
        #expect(decoded == SASRec.Config() && decoded.embeddingInit == "normal" && !decoded.itemEmbedding.isRecJPQ)
    }

    /// Training 2 epochs, stopping, and resuming for 2 more gives exactly the 4-epoch run.
    @Test func resumedRunContinuesExactlyAsTheUninterruptedRun() throws {
        let whole = tempDir(), parts = tempDir()
        let (full, fullModel) = try TrainingRun(config: tinyConfig(epochs: 4), split: Self.split, dataset: "toy", directory: whole).run()
        _ = try TrainingRun(config: tinyConfig(epochs: 2), split: Self.split, dataset: "toy", directory: parts).run()
        let (resumed, resumedModel) = try TrainingRun(config: tinyConfig(epochs: 4), split: Self.split, dataset: "toy", directory: parts)
            .run(resume: true)
        #expect(resumed.training.epochs == 4 && resumed.training.steps == full.training.steps)
        #expect(resumed.training.history.map(\.meanLoss) == full.training.history.map(\.meanLoss))
        #expect(resumed.training.history.map(\.validationNDCG) == full.training.history.map(\.validationNDCG))
        for (p, q) in zip(fullModel.parameters, resumedModel.parameters) { #expect(p.value.scalars == q.value.scalars, "\(p.name)") }
        #expect(resumed.test == full.test)
        let log = try String(contentsOfFile: parts + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(log.count == 4)
    }

    @Test func aFinishedDirectoryIsNeverOverwrittenWithoutResume() throws {
        let dir = tempDir()
        _ = try TrainingRun(config: tinyConfig(epochs: 1), split: Self.split, dataset: "toy", directory: dir).run()
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors"))
        #expect(throws: CheckpointError.self) {
            _ = try TrainingRun(config: self.tinyConfig(epochs: 1), split: Self.split, dataset: "toy", directory: dir).run()
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")) == before)
    }

    @Test func resumingOnOtherDataOrWithOtherSettingsIsAnError() throws {
        let dir = tempDir()
        _ = try TrainingRun(config: tinyConfig(epochs: 1), split: Self.split, dataset: "toy", directory: dir).run()
        let other = try LeaveOneOut(validationUsers: 100).split(try SyntheticDataset(users: 400, items: 80, seed: 12).generate())
        do {
            _ = try TrainingRun(config: tinyConfig(epochs: 2), split: other, dataset: "toy", directory: dir).run(resume: true)
            Issue.record("resumed on other data")
        } catch let e as CheckpointError { #expect(e.message.contains("dataset fingerprint")) }
        var changed = tinyConfig(epochs: 2)
        changed.loss["t"] = 0.9
        do {
            _ = try TrainingRun(config: changed, split: Self.split, dataset: "toy", directory: dir).run(resume: true)
            Issue.record("resumed with another loss")
        } catch let e as CheckpointError { #expect(e.message.contains("other loss settings")) }
    }

    /// Found by the fuzz target: a state whose weights were damaged (NaN, or finite but absurd)
    /// loaded, trained and then failed in the scorer without naming the file. It is refused on
    /// resume, naming it: by its content hash, and (states written before the hash) by NaN/Inf.
    @Test func aDamagedTrainingStateIsRefusedOnResume() throws {
        let dir = tempDir()
        _ = try TrainingRun(config: tinyConfig(epochs: 1), split: Self.split, dataset: "toy", directory: dir).run()
        let path = dir + "/training-state.safetensors"
        let contents = try SafeTensors.readContents(path: path)
        #expect(contents.metadata["seqrec.content_hash"]?.count == 32)
        var damaged = contents.tensors
        let i = try #require(damaged.firstIndex { $0.name.hasPrefix("best/") })
        var scalars = damaged[i].tensor.scalars
        scalars[scalars.count / 2] = .nan
        damaged[i].tensor = Tensor(shape: damaged[i].tensor.shape, scalars: scalars)
        func resume() throws {
            _ = try TrainingRun(config: tinyConfig(epochs: 2), split: Self.split, dataset: "toy", directory: dir).run(resume: true)
        }
        try SafeTensors.write(damaged, bytes: contents.bytes, metadata: contents.metadata, to: path)
        do { try resume(); Issue.record("resumed from a damaged state") } catch let e as CheckpointError {
            #expect(e.file == path && e.message.contains("do not match the content hash"), "\(e)")
        }
        var older = contents.metadata
        older["seqrec.content_hash"] = nil
        try SafeTensors.write(damaged, bytes: contents.bytes, metadata: older, to: path)
        do { try resume(); Issue.record("resumed from a state holding NaN") } catch let e as CheckpointError {
            #expect(e.file == path && e.message.contains("tensor \(damaged[i].name) holds NaN or infinite values"), "\(e)")
        }
        // The undamaged state without a hash (as earlier versions wrote it) still resumes.
        try SafeTensors.write(contents.tensors, bytes: contents.bytes, metadata: older, to: path)
        try resume()
    }

    @Test func mismatchedOrForeignCheckpointsAreClearErrors() throws {
        let dir = tempDir()
        _ = try TrainingRun(config: tinyConfig(epochs: 1), split: Self.split, dataset: "toy", directory: dir).run()
        let path = dir + "/model.safetensors"
        var (tensors, meta) = try SafeTensors.read(path: path)
        // The recorded config says d = 32 while the weights are d = 16.
        meta["seqrec.config"] = meta["seqrec.config"]!.replacingOccurrences(of: "\"dim\":16", with: "\"dim\":32")
        try SafeTensors.write(tensors, metadata: meta, to: dir + "/wrong-shape.safetensors")
        do { _ = try ModelCheckpoint.load(path: dir + "/wrong-shape.safetensors"); Issue.record("loaded") } catch let e as CheckpointError {
            #expect(e.message.contains("has shape") && e.message.contains("expects"))
        }
        tensors.removeLast()
        (_, meta) = try SafeTensors.read(path: path)
        try SafeTensors.write(tensors, metadata: meta, to: dir + "/missing.safetensors")
        do { _ = try ModelCheckpoint.load(path: dir + "/missing.safetensors"); Issue.record("loaded") } catch let e as CheckpointError {
            #expect(e.message.contains("is missing"))
        }
        try SafeTensors.write(tensors, metadata: [:], to: dir + "/foreign.safetensors")
        do { _ = try ModelCheckpoint.load(path: dir + "/foreign.safetensors"); Issue.record("loaded") } catch let e as CheckpointError {
            #expect(e.message.contains("not a SeqRec model checkpoint"))
        }
    }

    /// NaN/Inf stops the run; the state on disk stays the last good epoch's.
    @Test func nonFiniteLossKeepsTheLastGoodCheckpoint() throws {
        let dir = RunDirectory(path: tempDir(), metadata: ["seqrec.dataset_fingerprint": Self.split.dataset.fingerprint.description])
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        let model = try Models.make(tinyConfig(epochs: 1).model, vocabularySize: Self.split.dataset.vocabulary.size)
        var config = tinyConfig(epochs: 5).training
        config.batchesPerEpoch = 5
        let loss = PoisonedLoss(try BCELoss(negatives: 1), failAt: 13)
        let report = try Trainer(config: config).train(model, split: Self.split, objective: shiftedObjective(loss, items: 80), output: dir)
        #expect(report.stopReason == .nonFinite && report.epochs == 2)
        let state = try SafeTensors.read(path: dir.statePath)
        #expect(state.metadata["seqrec.progress"]!.contains("\"epochs\":2"))
        #expect(state.tensors.allSatisfy { $0.tensor.isFinite })
        #expect(FileManager.default.fileExists(atPath: dir.modelPath))
    }
}

@Suite struct RunConfigTests {
    func message(_ json: String) -> String {
        do { _ = try RunConfig.decode(Data(json.utf8), source: "cfg.json"); return "no error" } catch { return "\(error)" }
    }

    @Test func partialConfigsKeepTheDefaults() throws {
        let c = try RunConfig.decode(Data(#"{"loss": {"negatives": 64}, "training": {"wallClockSeconds": 60}}"#.utf8))
        var expected = RunConfig()
        expected.loss["negatives"] = 64
        expected.training.wallClockSeconds = 60
        #expect(c == expected)
    }

    @Test func unknownKeysAndWrongTypesNameTheKey() {
        #expect(message(#"{"training": {"batchSise": 3}}"#).contains("cfg.json: unknown key `batchSise` in config.training; valid keys: batchSize"))
        #expect(message(#"{"modle": {}}"#).contains("unknown key `modle` in config; valid keys: loss, model, objective, training"))
        #expect(message(#"{"model": {"dim": "big"}}"#).contains("invalid value for `config.model.dim`"))
        #expect(message("{not json").contains("not valid JSON"))
    }

    @Test func outOfRangeValuesNameTheKeyAndRange() {
        func validation(_ edit: (inout RunConfig) -> Void, catalogue: Int = 100) -> String {
            var c = RunConfig()
            edit(&c)
            do { try c.validate(catalogueSize: catalogue); return "valid" } catch { return "\(error)" }
        }
        #expect(validation { $0.loss["t"] = 1.5 } == "loss.t = 1.5 is outside the allowed range [0.0, 1.0]")
        #expect(validation { $0.loss["negatives"] = 100 } == "loss.negatives = 100 is outside the allowed range [1, 99] (|I| − 1)")
        #expect(validation { $0.loss = .bce(negatives: 0) } == "loss.negatives = 0 is outside the allowed range [1, ∞)")
        #expect(validation { $0.loss.id = "hinge" }.contains("unknown loss `hinge`; valid: bce, gbce, sampled-softmax, softmax"))
        #expect(validation { try! $0.editModel(SASRec.Config.self) { $0.heads = 3 } } == "model.heads = 3 is outside the allowed range divisors of dim = 128")
        #expect(validation { try! $0.editModel(SASRec.Config.self) { $0.dropout = 1 } } == "model.dropout = 1.0 is outside the allowed range [0.0, 1.0)")
        #expect(validation { $0.training.batchSize = 0 } == "training.batchSize = 0 is outside the allowed range [1, 1048576]")
        #expect(validation { $0.loss["negatives"] = 16 } == "valid")
        // A loss's own keys: `t` belongs to gBCE, not to BCE.
        #expect(validation { $0.loss = .bce(negatives: 1); $0.loss["t"] = 0.5 }.contains("unknown key `t` in loss"))
    }
}

/// Files written before the model zoo keep loading: SASRec-format checkpoints (no model id, the
/// `{id, negatives, t}` loss union) and committed result files.
@Suite struct LegacyFormatTests {
    @Test func aSASRecFormatCheckpointWithTheOldConfigShapeLoadsAsSASRec() throws {
        let split = try LeaveOneOut(validationUsers: 50).split(try SyntheticDataset(users: 200, items: 40, seed: 2).generate())
        var config = RunConfig(model: SASRec.Config(maxLength: 8, dim: 8, blocks: 1, heads: 1, dropout: 0), loss: .bce(negatives: 1))
        config.training.maxEpochs = 1
        let model = try Models.make(config.model, vocabularySize: split.dataset.vocabulary.size)
        var meta = ModelCheckpoint.metadata(config: config, fingerprint: split.dataset.fingerprint.description,
                                            vocabulary: split.dataset.vocabulary, environment: RunEnvironment.capture(blas: "test"))
        // Rewrite to what the SASRec-only version wrote.
        meta["format"] = ModelCheckpoint.legacyFormat
        meta.removeValue(forKey: "seqrec.model")
        meta["seqrec.config"] = #"{"loss":{"id":"bce","negatives":1,"t":0},"model":{"blocks":1,"dim":8,"dropout":0,"heads":1,"maxLength":8,"reuseItemEmbeddings":false,"seed":42},"training":{"batchSize":128,"batchesPerEpoch":100,"beta2":0.999,"learningRate":0.001,"maxEpochs":1,"patience":200,"seed":42,"sharedNegatives":false}}"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-legacy-\(UUID().uuidString).safetensors").path
        try SafeTensors.write(model.parameters.map { ($0.name, $0.value) }, metadata: meta, to: path)
        let loaded = try ModelCheckpoint.load(path: path, expectedModel: "sasrec")
        #expect(loaded.model is SASRec && loaded.config.model.id == "sasrec" && loaded.config.objective.id == "shifted")
        #expect(loaded.config.loss == .bce(negatives: 1))
        #expect(loaded.model.queryVectors([[Int32]([1, 2, 3])]).scalars == model.queryVectors([[Int32]([1, 2, 3])]).scalars)
    }

    @Test func committedResultFilesOfEarlierVersionsStillLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("experiments/runs/ml1m-gsasrec-port/sasrec-uniform-init/result.json").path
        let r = try RunResult.read(path: path)
        #expect(r.config.model.id == "sasrec" && r.config.loss == .bce(negatives: 1) && r.config.objective.id == "shifted")
        #expect(try (r.config.modelSettings as! SASRec.Config).embeddingInit == "uniform")
        #expect(r.testPerUser["ndcg@10"]?.count == r.testUsers.count)
    }
}
