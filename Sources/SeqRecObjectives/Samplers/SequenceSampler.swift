import SeqRecCore
import SeqRecData

/// A training objective's sampler (thesis §2.3.3–2.3.4): cuts training batches from users'
/// training sequences. One file per sampler (with its `Config` and registry `entry`) plus one
/// line in `SequenceSamplers.registry`.
public protocol SequenceSampler {
    /// Users need at least this many training items to give a training sequence.
    var minimumTrainingLength: Int { get }
    /// A batch for `users` with windows of `length`, drawing from `rng` (every random choice).
    func batch(_ split: DatasetSplit, users: [Int], length: Int, rng: inout SplitMix64) -> TrainingBatch
}

/// A registered sampler: the `objective` section's id, its own settings and its factory.
public typealias SequenceSamplerEntry = ComponentEntry<any SequenceSampler>

/// The `objective` section of a run config: `{"id": "shifted"}` or
/// `{"id": "item-masking", "maskingProbability": 0.2, …}`.
public typealias ObjectiveConfig = ComponentConfig

public enum SequenceSamplers {
    /// Every training objective's sampler: one line each.
    public static let registry = Registry<SequenceSamplerEntry>(family: "objective", [
        ShiftedSequenceSampler.entry,
        ItemMaskingSampler.entry,
    ])

    /// The sampler a config names.
    /// - Throws: `ConfigError` for an unknown id or key; `HyperparameterError` naming `objective.<key>`.
    public static func make(_ config: ObjectiveConfig, catalogueSize: Int) throws -> any SequenceSampler {
        let entry = try registry.entry(config.id)
        let settings = try entry.settings.resolve(config.settings, section: "objective")
        return try validating(section: "objective") { try entry.make(settings, catalogueSize) }
    }
}
