import SeqRecCore
import SeqRecObjectives

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
    /// Stop after this many seconds of training wall clock, summed over resumed sessions
    /// (checked after each epoch).
    public var wallClockSeconds: Double? = nil
    /// One set of k negatives for the whole batch (one GEMM) instead of k per position (the port).
    public var sharedNegatives = false
    /// The negative sampler of sampled losses (`NegativeSamplers.registry`).
    public var negativeSampler = UniformNegativeSampler.id
    public var seed: UInt64 = 42

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case batchSize, batchesPerEpoch, maxEpochs, patience, learningRate, beta2, wallClockSeconds, sharedNegatives, negativeSampler, seed
    }

    /// Absent keys keep their defaults (configs recorded before a setting existed still load).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = TrainingConfig()
        batchSize = try c.value(.batchSize, or: d.batchSize)
        batchesPerEpoch = try c.value(.batchesPerEpoch, or: d.batchesPerEpoch)
        maxEpochs = try c.value(.maxEpochs, or: d.maxEpochs)
        patience = try c.value(.patience, or: d.patience)
        learningRate = try c.value(.learningRate, or: d.learningRate)
        beta2 = try c.value(.beta2, or: d.beta2)
        wallClockSeconds = try c.decodeIfPresent(Double.self, forKey: .wallClockSeconds)
        sharedNegatives = try c.value(.sharedNegatives, or: d.sharedNegatives)
        negativeSampler = try c.value(.negativeSampler, or: d.negativeSampler)
        seed = try c.value(.seed, or: d.seed)
    }

    /// Range checks naming the key.
    public func validate() throws {
        try HyperparameterError.check("batchSize", batchSize, in: 1...1_048_576)
        try HyperparameterError.check("batchesPerEpoch", batchesPerEpoch, in: 1...1_000_000_000)
        try HyperparameterError.check("maxEpochs", maxEpochs, in: 1...1_000_000_000)
        try HyperparameterError.check("patience", patience, in: 1...1_000_000_000)
        try HyperparameterError.checkPositive("learningRate", Double(learningRate))
        try HyperparameterError.check("beta2", Double(beta2), in: 0.0..<1.0)
        if let w = wallClockSeconds { try HyperparameterError.checkPositive("wallClockSeconds", w) }
        if !NegativeSamplers.registry.contains(negativeSampler) {
            throw HyperparameterError(key: "negativeSampler", value: negativeSampler, allowed: NegativeSamplers.registry.ids.joined(separator: ", "))
        }
    }
}

