import Foundation
import SeqRecCore
import SeqRecObjectives

/// A training run's whole configuration: what `seqrec train --config` reads (strictly: unknown
/// keys and out-of-range values are errors naming the key) and what every checkpoint and
/// result records, fully resolved. Defaults are the gSASRec port's ML-1M configuration.
public struct RunConfig: Sendable, Codable, Equatable {
    public var model = SASRec.Config()
    public var loss = LossConfig()
    public var training = TrainingConfig()

    public init(model: SASRec.Config = .init(), loss: LossConfig = .init(), training: TrainingConfig = .init()) {
        self.model = model
        self.loss = loss
        self.training = training
    }

    /// A config from JSON laid over the defaults.
    /// - Throws: `ConfigError` for unknown keys or wrongly typed values, naming the key path.
    public static func decode(_ json: Data, source: String = "config", over base: RunConfig = RunConfig()) throws -> RunConfig {
        do { return try StrictConfig.decode(RunConfig.self, from: json, defaults: base, section: "config") } catch let e as ConfigError {
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

    /// Every range check, with keys named by section (`model.dim`, `loss.negatives`, `training.patience`).
    public func validate(catalogueSize: Int) throws {
        try validating(section: "model") { try model.validate() }
        try validating(section: "training") { try training.validate() }
        _ = try makeLoss(catalogueSize: catalogueSize)
    }

    /// The configured loss for a catalogue of `catalogueSize` items.
    public func makeLoss(catalogueSize: Int) throws -> any Loss { try Losses.make(loss, catalogueSize: catalogueSize) }

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

/// A config error with the file it came from.
public struct ConfigFileError: Error, CustomStringConvertible {
    public let file: String
    public let error: ConfigError
    public var description: String { "\(file): \(error)" }
}
