import SeqRecCompression
import SeqRecCore
import SeqRecObjectives

/// A registered model: its id, its settings, the training objectives it can learn from (the
/// first is its default) and how to build it.
public struct ModelEntry: ConfigurableEntry {
    public let id: String
    /// One line for `seqrec models`.
    public let summary: String
    public let settings: SettingsSchema
    /// Objective (sequence sampler) ids this model trains with; the first is the default.
    public let objectives: [String]
    /// A tiny configuration (keys over the defaults, dropout off) for registry-driven
    /// conformance tests and smoke runs: small enough to gradient-check, large enough to learn.
    public let small: [String: JSONValue]
    /// Typed settings (validated) from resolved settings.
    public let decode: ([String: JSONValue]) throws -> any SequentialModelSettings
    /// The model for typed settings, a vocabulary of N + 2 ids and (for RecJPQ) a codebook.
    public let make: (any SequentialModelSettings, Int, RecJPQCodebook?) throws -> any SequentialModel

    /// An entry for settings `C` with `defaults`, built by `make`.
    public init<C: SequentialModelSettings>(id: String, summary: String, config: C.Type, defaults: C, objectives: [String],
                                            small: [String: JSONValue],
                                            make: @escaping (C, Int, RecJPQCodebook?) throws -> any SequentialModel) {
        self.id = id
        self.small = small
        self.summary = summary
        settings = .of(C.self, defaults: defaults)
        self.objectives = objectives
        decode = { s in
            let c = try SettingsSchema.decodeSettings(C.self, s, section: "model")
            try validating(section: "model") { try c.validate() }
            return c
        }
        self.make = { c, v, codebook in
            guard let typed = c as? C else { throw ConfigError.invalidValue(key: "model", message: "settings of another model than \(id)") }
            return try validating(section: "model") { try make(typed, v, codebook) }
        }
    }
}

/// The `model` section of a run config: `{"id": "bert4rec", …the model's own keys}` (configs
/// recorded before models had ids are SASRec).
public typealias ModelConfig = ComponentConfig

public enum Models {
    /// Every model: one line each.
    public static let registry = Registry<ModelEntry>(family: "model", [
        SASRec.entry,
        BERT4Rec.entry,
        BERT4Rec.albertEntry,
        BERT4Rec.debertaEntry,
    ])

    /// The id of configs that name no model (everything recorded before the model zoo).
    public static let legacyID = SASRec.id

    /// The typed, validated settings of a `model` section.
    public static func settings(_ config: ModelConfig) throws -> any SequentialModelSettings {
        let entry = try registry.entry(config.id)
        return try entry.decode(try entry.settings.resolve(config.settings, section: "model"))
    }

    /// Builds the model a config names for a vocabulary of N + 2 ids.
    public static func make(_ config: ModelConfig, vocabularySize: Int, codebook: RecJPQCodebook? = nil) throws -> any SequentialModel {
        let entry = try registry.entry(config.id)
        let s = try settings(config)
        try MemoryBudget.check(4 * s.parameterEstimate(vocabularySize: vocabularySize),
                               for: "a \(config.id) model with \(vocabularySize) item ids (model.dim \(s.dim), model.maxLength \(s.maxLength))")
        return try entry.make(s, vocabularySize, codebook)
    }
}

extension SequentialModelSettings {
    /// About how many parameters a model with these settings has (dense item tables): for
    /// memory checks before anything is allocated.
    public func parameterEstimate(vocabularySize: Int) -> Double {
        let shape = encoderShape
        let d = Double(dim)
        return Double(vocabularySize) * d * (shape.separateOutput ? 2 : 1) + Double(maxLength) * d
            + Double(shape.blocks) * (4 * d * d + 2 * d * Double(shape.feedForward))
    }
}
