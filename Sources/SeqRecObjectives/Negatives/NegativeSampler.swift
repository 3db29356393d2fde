import SeqRecCore
import SeqRecTensor

/// Draws the negatives of sampled losses for a training batch. One file per sampler plus one
/// line in `NegativeSamplers.registry`.
public protocol NegativeSampler {
    /// `[targets, k]` negatives, one row per target of `batch` (or `[k]` shared by all targets),
    /// from items 1…`itemCount`.
    func negatives(for batch: TrainingBatch, k: Int, itemCount: Int, rng: inout SplitMix64) -> IDTensor
}

/// A registered negative sampler (`training.negativeSampler`).
public struct NegativeSamplerEntry: Registered {
    public let id: String
    public let summary: String
    /// The sampler; `shared` asks for one set of k negatives for the whole batch.
    public let make: (_ shared: Bool) -> any NegativeSampler
}

public enum NegativeSamplers {
    public static let registry = Registry<NegativeSamplerEntry>(family: "negative sampler", [
        UniformNegativeSampler.entry,
    ])
}
