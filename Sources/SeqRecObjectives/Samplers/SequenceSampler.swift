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

/// A registered sampler: the `objective` section's id and its own settings.
public struct SequenceSamplerEntry: ConfigurableEntry {
    public let id: String
    public let summary: String
    public let settings: SettingsSchema
    /// The sampler for resolved settings and a catalogue of N items.
    public let make: ([String: JSONValue], Int) throws -> any SequenceSampler

    public init<C: Codable>(id: String, summary: String, config: C.Type, defaults: C, make: @escaping (C, Int) throws -> any SequenceSampler) {
        self.id = id
        self.summary = summary
        settings = .of(C.self, defaults: defaults)
        self.make = { s, n in try make(SettingsSchema.decodeSettings(C.self, s, section: "objective"), n) }
    }
}

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
