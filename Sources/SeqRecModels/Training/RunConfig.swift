import Foundation
import SeqRecCore
import SeqRecObjectives

/// A training run's whole configuration: what `seqrec train --config` reads (strictly: unknown
/// keys and out-of-range values are errors naming the key) and what every checkpoint and result
/// records, fully resolved. Four sections: `model` and `objective` and `loss` — each
/// `{"id": …, …its own keys}`, decoded through its registry — and `training`. Defaults are the
/// gSASRec port's ML-1M configuration.
public struct RunConfig: Sendable, Codable, Equatable {
    public var model: ModelConfig
    /// The training objective's sequence sampler (`SequenceSamplers.registry`).
    public var objective: ObjectiveConfig
    public var loss: LossConfig
    public var training: TrainingConfig

    public init(model: ModelConfig = .sasrec(SASRec.Config()), objective: ObjectiveConfig? = nil,
                loss: LossConfig = Losses.defaultConfig, training: TrainingConfig = .init()) {
        self.model = model
        self.objective = objective ?? RunConfig.defaultObjective(for: model.id)
        self.loss = loss
        self.training = training
    }

    /// SASRec settings (the configs before the model zoo).
    public init(model: SASRec.Config, loss: LossConfig = Losses.defaultConfig, training: TrainingConfig = .init()) {
        self.init(model: .sasrec(model), loss: loss, training: training)
    }

    /// The sections a run config has.
    public static let sections = ["loss", "model", "objective", "training"]

    /// The default objective of a model (its entry's first), with default settings.
    public static func defaultObjective(for model: String) -> ObjectiveConfig {
        let id = (try? Models.registry.entry(model))?.objectives.first ?? ShiftedSequenceSampler.id
        return (try? SequenceSamplers.registry.defaults(id)) ?? ObjectiveConfig(id: id)
    }

    private enum CodingKeys: String, CodingKey { case model, objective, loss, training }

    /// A recorded config (checkpoint metadata, `result.json`): absent sections and keys take
    /// today's defaults, keys this version no longer has are dropped, a `model` without an id is
    /// SASRec — so files written by earlier versions keep loading.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let modelJSON = try c.decodeIfPresent(JSONValue.self, forKey: .model) ?? .object([:])
        model = try Models.registry.resolveRecorded(ComponentConfig(json: modelJSON, section: "model", defaultID: Models.legacyID), section: "model")
        if let o = try c.decodeIfPresent(JSONValue.self, forKey: .objective) {
            objective = try SequenceSamplers.registry.resolveRecorded(ComponentConfig(json: o, section: "objective", defaultID: nil), section: "objective")
        } else {
            objective = RunConfig.defaultObjective(for: model.id)
        }
        if let l = try c.decodeIfPresent(JSONValue.self, forKey: .loss) {
            loss = try Losses.registry.resolveRecorded(ComponentConfig(json: l, section: "loss", defaultID: GBCELoss.id), section: "loss")
        } else {
            loss = Losses.defaultConfig
        }
        training = try c.decodeIfPresent(TrainingConfig.self, forKey: .training) ?? TrainingConfig()
    }

    /// A config from JSON laid over `base`, strictly. A section naming another component than the
    /// base's starts from that component's defaults; switching to a model that cannot train with
    /// the base's objective switches to the model's default objective.
    /// - Throws: `ConfigFileError` for unknown sections, ids or keys, or wrongly typed values, naming the key path.
    public static func decode(_ json: Data, source: String = "config", over base: RunConfig = RunConfig()) throws -> RunConfig {
        do {
            let user: JSONValue
            do { user = try JSONDecoder().decode(JSONValue.self, from: json) } catch {
                throw ConfigError.invalidValue(key: "config", message: "not valid JSON (\(StrictConfig.describe(error, in: json)))")
            }
            guard case .object(let sections) = user else { throw ConfigError.invalidValue(key: "config", message: "expected an object") }
            if let bad = sections.keys.sorted().first(where: { !Self.sections.contains($0) }) {
                throw ConfigError.unknownKey(section: "config", key: bad, valid: Self.sections)
            }
            var out = base
            out.model = try Models.registry.resolve(sections["model"], over: base.model, section: "config.model")
            var objectiveBase = base.objective
            if out.model.id != base.model.id, let entry = try? Models.registry.entry(out.model.id), !entry.objectives.contains(objectiveBase.id) {
                objectiveBase = defaultObjective(for: out.model.id)
            }
            out.objective = try SequenceSamplers.registry.resolve(sections["objective"], over: objectiveBase, section: "config.objective")
            out.loss = try Losses.registry.resolve(sections["loss"], over: base.loss, section: "config.loss")
            if let t = sections["training"] {
                out.training = try StrictConfig.decode(TrainingConfig.self, from: t.canonical, defaults: base.training, section: "config.training")
            }
            return out
        } catch let e as ConfigError {
            throw ConfigFileError(file: source, error: e)
        }
    }

    /// A config file.
    public static func load(path: String, over base: RunConfig = RunConfig()) throws -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileError(file: path, error: .invalidValue(key: "config", message: "file cannot be read"))
        }
        return try decode(data, source: path, over: base)
    }

    /// The model's typed, validated settings.
    public var modelSettings: any SequentialModelSettings {
        get throws { try Models.settings(model) }
    }

    /// Edits the model's typed settings in place (`C` must be the model's settings type).
    public mutating func editModel<C: SequentialModelSettings>(_ type: C.Type, _ edit: (inout C) throws -> Void) throws {
        var c = try SettingsSchema.decodeSettings(C.self, try Models.registry.entry(model.id).settings.resolve(model.settings, section: "model"),
                                                  section: "model")
        try edit(&c)
        model = .model(model.id, c)
    }

    /// Every range check, with keys named by section (`model.dim`, `objective.maskingProbability`,
    /// `loss.negatives`, `training.patience`).
    public func validate(catalogueSize: Int) throws {
        let entry = try Models.registry.entry(model.id)
        let settings = try modelSettings
        guard entry.objectives.contains(objective.id) else {
            throw HyperparameterError(key: "objective.id", value: objective.id,
                                      allowed: entry.objectives.joined(separator: ", ") + " (the objectives \(model.id) trains with)")
        }
        _ = try SequenceSamplers.make(objective, catalogueSize: catalogueSize)
        try validating(section: "training") { try training.validate() }
        let loss = try makeLoss(catalogueSize: catalogueSize)
        try MemoryBudget.check(minimumTrainingBytes(settings, requirement: loss.requirement, catalogueSize: catalogueSize),
                               for: "this config (model.maxLength \(settings.maxLength), model.dim \(settings.dim), "
                                   + "model.blocks \(settings.encoderShape.blocks), training.batchSize \(training.batchSize), "
                                   + "\(catalogueSize) items)")
    }

    /// A lower bound of the memory a training step needs: the weights with their gradients and
    /// Adam moments, one block's attention weights and one target's logits per sequence. Real use
    /// is higher; the bound only rejects configs that cannot run, before anything is written.
    func minimumTrainingBytes(_ s: any SequentialModelSettings, requirement: LossRequirement, catalogueSize: Int) -> Double {
        let shape = s.encoderShape
        let (l, d, b) = (Double(s.maxLength), Double(s.dim), Double(training.batchSize))
        let parameters = s.parameterEstimate(vocabularySize: catalogueSize + 2)
        let candidates: Double
        switch requirement {
        case .fullCatalogue: candidates = Double(catalogueSize)
        case .sampledNegatives(let k): candidates = Double(k + 1)
        }
        let floats = 4 * parameters + b * Double(shape.heads) * l * l + b * l * d * Double(shape.blocks) + b * candidates
        return 4 * floats
    }

    /// The configured loss for a catalogue of `catalogueSize` items.
    public func makeLoss(catalogueSize: Int) throws -> any Loss { try Losses.make(loss, catalogueSize: catalogueSize) }

    /// The configured training objective for a catalogue of `catalogueSize` items.
    public func makeObjective(catalogueSize: Int) throws -> TrainingObjective {
        let negatives = try NegativeSamplers.registry.entry(training.negativeSampler).make(training.sharedNegatives)
        return TrainingObjective(sampler: try SequenceSamplers.make(objective, catalogueSize: catalogueSize),
                                 negativeSampler: negatives, loss: try makeLoss(catalogueSize: catalogueSize), itemCount: catalogueSize)
    }

    /// The settings that differ from `recorded` and must not change when resuming it: all but
    /// the budgets (`training.maxEpochs`, `training.patience`, `training.wallClockSeconds`).
    public func resumeConflicts(with recorded: RunConfig) -> [String] {
        var mine = self
        mine.training.maxEpochs = recorded.training.maxEpochs
        mine.training.patience = recorded.training.patience
        mine.training.wallClockSeconds = recorded.training.wallClockSeconds
        guard mine != recorded else { return [] }
        var out: [String] = []
        if mine.model != recorded.model { out.append("model") }
        if mine.objective != recorded.objective { out.append("objective") }
        if mine.loss != recorded.loss { out.append("loss") }
        if mine.training != recorded.training { out.append("training") }
        return out
    }

    /// Canonical JSON (sorted keys): what checkpoints and results record.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

extension ComponentConfig {
    /// The `model` section of typed settings of a registered model.
    public static func model<C: SequentialModelSettings>(_ id: String, _ settings: C) -> ComponentConfig {
        let data = (try? JSONEncoder().encode(settings)) ?? Data()
        guard case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return ComponentConfig(id: id) }
        return ComponentConfig(id: id, settings: o)
    }
    /// A SASRec `model` section.
    public static func sasrec(_ settings: SASRec.Config) -> ComponentConfig { .model(SASRec.id, settings) }
}

/// A config error with the file it came from.
public struct ConfigFileError: Error, CustomStringConvertible {
    public let file: String
    public let error: ConfigError
    public var description: String { "\(file): \(error)" }
}
