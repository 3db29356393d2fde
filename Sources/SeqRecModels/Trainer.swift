import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// Settings of a training run (the gSASRec port's defaults where it has them).
public struct TrainingConfig: Sendable, Codable, Equatable {
    public var batchSize = 128
    /// An "epoch" is this many batches of freshly shuffled users (the port's 100).
    public var batchesPerEpoch = 100
    public var maxEpochs = 10_000
    /// Epochs without a strict improvement of validation NDCG@10 before stopping (port: 200).
    public var patience = 200
    public var learningRate: Float = 1e-3
    public var beta2: Float = 0.999
    /// Stop after this many seconds of wall clock (checked after each epoch).
    public var wallClockSeconds: Double? = nil
    /// Append one JSON object per epoch here.
    public var logPath: String? = nil
    public var seed: UInt64 = 42

    public init() {}

    /// Range checks naming the key.
    public func validate() throws {
        try HyperparameterError.checkAtLeast("batchSize", batchSize, 1)
        try HyperparameterError.checkAtLeast("batchesPerEpoch", batchesPerEpoch, 1)
        try HyperparameterError.checkAtLeast("maxEpochs", maxEpochs, 1)
        try HyperparameterError.checkAtLeast("patience", patience, 1)
        try HyperparameterError.checkPositive("learningRate", Double(learningRate))
        try HyperparameterError.check("beta2", Double(beta2), in: 0.0..<1.0)
        if let w = wallClockSeconds { try HyperparameterError.checkPositive("wallClockSeconds", w) }
    }
}

/// What happened in a training run.
public struct TrainingReport: Sendable, Codable {
    public enum StopReason: String, Sendable, Codable { case patience, maxEpochs, wallClock, nonFinite }
    public var epochs = 0
    public var steps = 0
    public var bestEpoch = 0
    public var bestValidationNDCG = -Double.infinity
    public var stopReason = StopReason.maxEpochs
    /// Per epoch: mean training loss and validation NDCG@10.
    public var history: [EpochRecord] = []

    public struct EpochRecord: Sendable, Codable {
        public let epoch: Int
        public let steps: Int
        public let meanLoss: Double
        public let gradientNorm: Double
        public let validationNDCG: Double
        public let seconds: Double
    }
}

/// Trains SASRec-family models on the shifted-sequence objective with early stopping on
/// validation NDCG@10 (full catalogue, seen filter on) and best-weight restore. A NaN/Inf loss
/// or gradient stops the run with the last good (best) weights restored.
public struct SASRecTrainer {
    public let config: TrainingConfig

    public init(config: TrainingConfig) throws {
        try config.validate()
        self.config = config
    }

    public func train(_ model: SASRec, split: DatasetSplit, loss: any Loss) throws -> TrainingReport {
        var report = TrainingReport()
        var rng = SplitMix64(seed: config.seed)
        let users = (0..<split.dataset.userCount).filter { split.trainLengths[$0] >= 2 }
        guard !users.isEmpty else { throw DataError(file: split.dataset.name, "no user has 2 training items") }
        let negatives: Int
        switch loss.requirement {
        case .sampledNegatives(let k): negatives = k
        case .fullCatalogue: negatives = 1
        }
        let adam = try Adam(learningRate: config.learningRate, beta2: config.beta2)
        let evaluator = Evaluator(metrics: [NDCG(k: 10)], batchSize: 256)
        let pool = BufferPool()
        let clock = Stopwatch()
        var best = model.parameters.map { $0.value.copied() }
        var sinceBest = 0
        var log: FileHandle? = nil
        if let path = config.logPath {
            FileManager.default.createFile(atPath: path, contents: nil)
            log = FileHandle(forWritingAtPath: path)
        }
        defer { log?.closeFile() }
        epochs: for epoch in 1...config.maxEpochs {
            let epochClock = Stopwatch()
            var order = users
            order.shuffle(using: &rng)
            var lossSum = 0.0, normSum = 0.0, steps = 0
            for b in 0..<config.batchesPerEpoch {
                let lo = b * config.batchSize % order.count
                let batchUsers = (0..<config.batchSize).map { order[(lo + $0) % order.count] }
                let batch = ShiftedSequenceBatch.make(split, users: batchUsers, length: model.config.maxLength,
                                                      negatives: negatives, rng: &rng)
                model.zeroGradients()
                var context = ForwardContext(training: true, seed: rng.next())
                let value = pool.withPool { valueAndGradient { model.loss(batch, loss, &context) } }
                let norm = GradientClipping.globalNorm(model.parameters)
                if !value.isFinite || !norm.isFinite {
                    for (p, v) in zip(model.parameters, best) { p.assign(v) }
                    report.stopReason = .nonFinite
                    break epochs
                }
                adam.step(model.parameters)
                lossSum += Double(value)
                normSum += Double(norm)
                steps += 1
                report.steps += 1
            }
            let ndcg = try evaluator.evaluate(split.validation, in: split, scorer: SASRecScorer(model: model, split: split))
                .means["ndcg@10"] ?? 0
            report.epochs = epoch
            let record = TrainingReport.EpochRecord(epoch: epoch, steps: report.steps, meanLoss: lossSum / Double(max(steps, 1)),
                                                    gradientNorm: normSum / Double(max(steps, 1)), validationNDCG: ndcg,
                                                    seconds: epochClock.elapsedSeconds)
            report.history.append(record)
            if let log, let line = try? JSONEncoder().encode(record) { log.write(line + Data("\n".utf8)) }
            if ndcg > report.bestValidationNDCG {
                report.bestValidationNDCG = ndcg
                report.bestEpoch = epoch
                best = model.parameters.map { $0.value.copied() }
                sinceBest = 0
            } else {
                sinceBest += 1
                if sinceBest >= config.patience { report.stopReason = .patience; break }
            }
            if let limit = config.wallClockSeconds, clock.elapsedSeconds >= limit { report.stopReason = .wallClock; break }
        }
        for (p, v) in zip(model.parameters, best) { p.assign(v) }
        return report
    }
}
