import Foundation
import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecObjectives
import SeqRecTensor

/// One complete training run — validate the config, build the model, train with checkpoints
/// (or resume), evaluate the best weights on the test cases, write `result.json` — shared by
/// `seqrec train`, the quick start and the experiment harness.
public struct TrainingRun {
    public let config: RunConfig
    public let split: DatasetSplit
    /// Name of the dataset in tables and results.
    public let dataset: String
    /// The run directory (checkpoints, log, result), or nil to keep everything in memory.
    public let directory: String?
    /// Opt-in popularity-sampled test metrics beside the full-catalogue ones (thesis §3.4.4;
    /// prefixed `sampled-pop100:`), for reproducing the sampled columns of old papers.
    public var sampledEvaluation: PopularitySampling?

    public init(config: RunConfig, split: DatasetSplit, dataset: String, directory: String?, sampledEvaluation: PopularitySampling? = nil) {
        self.config = config
        self.split = split
        self.dataset = dataset
        self.directory = directory
        self.sampledEvaluation = sampledEvaluation
    }

    /// Test metrics reported for every run.
    public static let testMetrics: [any Metric] = [NDCG(k: 10), Recall(k: 1), Recall(k: 10), MRR()]

    /// Trains and evaluates. Without `resume`, a directory that already holds a run is an error
    /// (nothing is overwritten).
    public func run(resume: Bool = false, progress: ((TrainingEvent) -> Void)? = nil) throws -> (RunResult, any SequentialModel) {
        let n = split.dataset.vocabulary.itemCount
        try config.validate(catalogueSize: n)
        let objective = try config.makeObjective(catalogueSize: n)
        let settings = try config.modelSettings
        let fingerprint = split.dataset.fingerprint.description
        let environment = RunEnvironment.capture(blas: BLAS.buildDescription)
        let output = directory.map {
            RunDirectory(path: $0, metadata: ModelCheckpoint.metadata(config: config, fingerprint: fingerprint,
                                                                      vocabulary: split.dataset.vocabulary, environment: environment))
        }
        if let output, !resume, FileManager.default.fileExists(atPath: output.statePath) {
            throw CheckpointError(file: output.path, "already holds a run: pass --resume to continue it, or choose another directory")
        }
        let vocabularySize = split.dataset.vocabulary.size
        var codebook: RecJPQCodebook?
        if let output, resume {
            codebook = try TrainingState.codebook(path: output.statePath, config: settings, vocabularySize: vocabularySize)
        }
        if codebook == nil, settings.itemEmbedding.isRecJPQ {
            codebook = try validating(section: "model.itemEmbedding") { try settings.itemEmbedding.codebook(for: split, seed: settings.seed) }
            for w in codebook?.warnings(items: n) ?? [] { progress?(.message("[recjpq] warning: \(w)")) }
        }
        let model = try Models.make(config.model, vocabularySize: vocabularySize, codebook: codebook)
        let trainer = try validating(section: "training") { try Trainer(config: config.training) }
        // Everything is validated and built: only now does the directory appear (and is locked).
        let created = output.map { !FileManager.default.fileExists(atPath: $0.path) } ?? false
        let lock = try output.map { try RunLock(directory: $0.path) }
        defer { lock?.release() }
        let report: TrainingReport
        do {
            report = try trainer.train(model, split: split, objective: objective, output: output, resume: resume, progress: progress)
            if report.stopReason == .nonFinite && report.bestEpoch == 0 { throw TrainingDiverged(report: report, directory: directory) }
        } catch {
            // A run that failed before writing anything leaves no directory behind.
            lock?.release()
            if created, let path = output?.path, (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: path)
            }
            throw error
        }
        let evaluator = Evaluator(metrics: TrainingRun.testMetrics, sampled: sampledEvaluation)
        let test = try evaluator.evaluate(split.test, in: split, scorer: ModelScorer(model: model, split: split))
        let result = RunResult(config: config, dataset: dataset, fingerprint: fingerprint, environment: environment,
                               splitProtocol: split.protocolDescription, evaluationProtocol: test.protocolDescription,
                               training: report, test: test.means, testPerUser: test.perCase, testUsers: test.cases.map(\.user),
                               modelSize: size(of: model, output: output))
        if let output { try result.write(to: output.path + "/result.json") }
        return (result, model)
    }
}

/// A run whose loss or gradient became NaN/Inf before any epoch finished: there are no trained
/// weights to evaluate, so no result is written.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public let report: TrainingReport
    public let directory: String?
    public var description: String {
        "training diverged (non-finite loss or gradient) in epoch \(report.epochs + 1), step \(report.steps + 1), before any epoch "
            + "finished: no model was trained and no result was written. Lower training.learningRate or check the data."
    }
}

extension TrainingRun {
    func size(of model: any SequentialModel, output: RunDirectory?) -> ModelSize {
        var size = model.size
        if let output, let attributes = try? FileManager.default.attributesOfItem(atPath: output.modelPath) {
            size.checkpointFileBytes = (attributes[.size] as? NSNumber)?.intValue
        }
        return size
    }
}
