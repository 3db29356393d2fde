import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// Trains any `SequentialModel` on any training objective with early stopping on
/// validation NDCG@10 (full catalogue, seen filter on) and best-weight restore. With a run
/// directory it checkpoints after every epoch, and `resume` continues a stopped run exactly
/// as the uninterrupted run would have (same batches, negatives, dropout masks and updates).
/// A NaN/Inf loss or gradient stops the run: the best weights are restored and the last good
/// training state on disk is kept untouched.
public struct Trainer {
    public let config: TrainingConfig

    public init(config: TrainingConfig) throws {
        try config.validate()
        self.config = config
    }

    public func train(_ model: any SequentialModel, split: DatasetSplit, objective: TrainingObjective, output: RunDirectory? = nil,
                      resume: Bool = false, progress: ((TrainingEvent) -> Void)? = nil) throws -> TrainingReport {
        let minimum = objective.sampler.minimumTrainingLength
        let users = (0..<split.dataset.userCount).filter { split.trainLengths[$0] >= minimum }
        guard !users.isEmpty else { throw DataError(file: split.dataset.name, "no user has \(minimum) training items") }
        let adam = try Adam(learningRate: config.learningRate, beta2: config.beta2)
        let step = TrainStep(model: model, objective: objective, optimizer: adam)
        var state = TrainingState.Progress(rng: SplitMix64(seed: config.seed), sinceBest: 0, adamSteps: 0, report: TrainingReport())
        var best = model.parameters.map { $0.value.copied() }
        let fingerprint = output?.metadata["seqrec.dataset_fingerprint"] ?? split.dataset.fingerprint.description
        if resume, let output, FileManager.default.fileExists(atPath: output.statePath) {
            (best, state) = try TrainingState.load(path: output.statePath, into: model, adam: adam, expectedFingerprint: fingerprint,
                                                 metadata: output.metadata)
            progress?(.message("resuming after epoch \(state.report.epochs) (\(state.report.steps) steps, best validation NDCG@10 "
                      + "\(String(format: "%.4f", state.report.bestValidationNDCG)) at epoch \(state.report.bestEpoch))"))
            if state.report.stopReason == .patience || state.report.stopReason == .nonFinite { return finish(model, best, state.report) }
            state.report.stopReason = .maxEpochs
        }
        let log = try output.map { try EpochLog(path: $0.logPath, history: state.report.history) }
        let evaluator = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10)], batchSize: 256)
        let session = Stopwatch()
        let startSeconds = state.report.seconds, startSteps = state.report.steps
        var status = TrainingProgress(epoch: state.report.epochs + 1, step: state.report.steps, stepsPerSecond: 0, loss: 0,
                                      lastValidation: state.report.history.last?.validationNDCG,
                                      bestValidation: state.report.bestEpoch > 0 ? state.report.bestValidationNDCG : nil,
                                      bestEpoch: state.report.bestEpoch, elapsedSeconds: startSeconds, remainingSeconds: nil)
        while state.report.epochs < config.maxEpochs {
            if let limit = config.wallClockSeconds, state.report.seconds >= limit { state.report.stopReason = .wallClock; break }
            let epoch = state.report.epochs + 1
            let epochClock = Stopwatch()
            var order = users
            order.shuffle(using: &state.rng)
            var lossSum = 0.0, normSum = 0.0, steps = 0
            for b in 0..<config.batchesPerEpoch {
                let lo = b * config.batchSize % order.count
                let batchUsers = (0..<config.batchSize).map { order[(lo + $0) % order.count] }
                let outcome = step(split, users: batchUsers, rng: &state.rng)
                let (value, norm) = (outcome.loss, outcome.gradientNorm)
                if !outcome.isFinite {
                    progress?(.message("epoch \(epoch) step \(b + 1): non-finite loss \(value) / gradient norm \(norm); "
                              + "stopping with the best weights (epoch \(state.report.bestEpoch)); the last good checkpoint is kept"))
                    state.report.stopReason = .nonFinite
                    return finish(model, best, state.report)
                }
                lossSum += Double(value)
                normSum += Double(norm)
                steps += 1
                state.report.steps += 1
                if let progress {
                    status.epoch = epoch
                    status.step = state.report.steps
                    status.stepsPerSecond = Double(steps) / epochClock.elapsedSeconds
                    status.loss = lossSum / Double(steps)
                    status.elapsedSeconds = startSeconds + session.elapsedSeconds
                    status.remainingSeconds = remaining(elapsed: status.elapsedSeconds, sessionSeconds: session.elapsedSeconds,
                                                        sessionSteps: state.report.steps - startSteps, steps: state.report.steps,
                                                        stepsLeftInEpoch: config.batchesPerEpoch - b - 1)
                    progress(.status(status))
                }
            }
            let validationResult = try evaluator.evaluate(split.validation, in: split, scorer: ModelScorer(model: model, split: split))
            let validation = validationResult.means
            let ndcg = validation["ndcg@10"] ?? 0
            state.report.epochs = epoch
            state.report.seconds = startSeconds + session.elapsedSeconds
            let record = TrainingReport.EpochRecord(
                epoch: epoch, steps: state.report.steps, meanLoss: lossSum / Double(max(steps, 1)),
                gradientNorm: normSum / Double(max(steps, 1)), validationNDCG: ndcg, validationRecall: validation["recall@10"] ?? 0,
                seconds: epochClock.elapsedSeconds, totalSeconds: state.report.seconds)
            state.report.history.append(record)
            let improved = ndcg > state.report.bestValidationNDCG
            if improved {
                state.report.bestValidationNDCG = ndcg
                state.report.bestValidationStandardError = validationResult.perCase["ndcg@10"].map(StandardError.ofMean)
                state.report.bestEpoch = epoch
                best = model.parameters.map { $0.value.copied() }
                state.sinceBest = 0
            } else {
                state.sinceBest += 1
                if state.sinceBest >= config.patience { state.report.stopReason = .patience }
            }
            status.lastValidation = ndcg
            status.bestValidation = state.report.bestValidationNDCG
            status.bestEpoch = state.report.bestEpoch
            status.elapsedSeconds = state.report.seconds
            status.remainingSeconds = remaining(elapsed: state.report.seconds, sessionSeconds: session.elapsedSeconds,
                                                sessionSteps: state.report.steps - startSteps, steps: state.report.steps)
            progress?(.status(status))
            if let output {
                state.adamSteps = adam.stepCount
                if improved { try ModelCheckpoint.save(model, metadata: output.metadata, to: output.modelPath) }
                try TrainingState.save(model: model, best: best, adam: adam, progress: state, metadata: output.metadata, to: output.statePath)
                try log?.append(record)
            }
            if state.report.stopReason == .patience { break }
            if state.report.epochs == config.maxEpochs { state.report.stopReason = .maxEpochs }
        }
        if let limit = config.wallClockSeconds, state.report.seconds >= limit, state.report.stopReason != .patience {
            state.report.stopReason = .wallClock
        }
        return finish(model, best, state.report)
    }

    /// The upper bound of the time left (`TrainingProgress.remainingSeconds`) after `steps` steps
    /// and `elapsed` seconds in all, `sessionSteps` of them in `sessionSeconds` of this session,
    /// with `stepsLeftInEpoch` steps before the current epoch's validation. The wall-clock budget
    /// is checked between epochs, so the last epoch to start may end up to one epoch past it.
    public func remaining(elapsed: Double, sessionSeconds: Double, sessionSteps: Int, steps: Int, stepsLeftInEpoch: Int = 0) -> Double? {
        let pace = sessionSteps > 0 ? sessionSeconds / Double(sessionSteps) : nil   // seconds per step, validation included
        var bounds: [Double] = []
        if let pace { bounds.append(Double(max(config.maxEpochs * config.batchesPerEpoch - steps, 0)) * pace) }
        if let limit = config.wallClockSeconds {
            let thisEpoch = Double(stepsLeftInEpoch) * (pace ?? 0)
            if elapsed >= limit { bounds.append(thisEpoch) } else if let pace {
                bounds.append(max(thisEpoch, limit - elapsed + Double(config.batchesPerEpoch) * pace))
            } else {
                bounds.append(limit - elapsed)
            }
        }
        return bounds.min()
    }

    private func finish(_ model: any SequentialModel, _ best: [Tensor], _ report: TrainingReport) -> TrainingReport {
        for (p, v) in zip(model.parameters, best) { p.assign(v) }
        return report
    }
}
