import Foundation

/// What happened in a training run.
public struct TrainingReport: Sendable, Codable, Equatable {
    public enum StopReason: String, Sendable, Codable { case patience, maxEpochs, wallClock, nonFinite }
    public var epochs = 0
    public var steps = 0
    public var bestEpoch = 0
    /// −1 until the first validation (NDCG is never negative).
    public var bestValidationNDCG = -1.0
    /// Standard error of the best validation NDCG@10 over the validation users (sd / √n of the
    /// per-user values at the best epoch); nil in reports written before it was recorded.
    public var bestValidationStandardError: Double?
    public var stopReason = StopReason.maxEpochs
    /// Training wall clock so far, over all sessions of a resumed run.
    public var seconds = 0.0
    /// Per epoch: loss, gradient norm, validation metrics, time.
    public var history: [EpochRecord] = []

    public struct EpochRecord: Sendable, Codable, Equatable {
        public let epoch: Int
        public let steps: Int
        public let meanLoss: Double
        /// Mean global gradient L2 norm over the epoch's steps.
        public let gradientNorm: Double
        public let validationNDCG: Double
        public let validationRecall: Double
        /// Seconds of this epoch (training and validation).
        public let seconds: Double
        /// Training wall clock at the end of this epoch, over all sessions.
        public let totalSeconds: Double
    }
}
