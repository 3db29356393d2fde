import ArgumentParser
import SeqRecCore
import SeqRecModels
import SeqRecObjectives

/// `seqrec models`: every registered model with its objectives and presets, the training
/// objectives and the losses with their own keys — what a config may name.
public struct ModelsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the registered models (with their presets), training objectives and losses.")

    public init() {}

    public func run() throws { print(Self.render(), terminator: "") }

    static func keys(_ schema: SettingsSchema) -> String {
        let shown = schema.keys.compactMap { k -> String? in
            guard let v = schema.defaults[k] else { return nil }
            if case .object = v { return k }
            return "\(k) \(v.text)"
        }
        return shown.isEmpty ? "(no keys)" : shown.joined(separator: ", ")
    }

    static func render() -> String {
        var s = "Models (config `model.id`; `seqrec train --preset` names a preset):\n"
        for m in Models.registry.entries {
            s += "  \(m.id) — \(m.summary)\n"
            s += "      objectives: \(m.objectives.joined(separator: ", ")) (first = default)\n"
            s += "      keys: \(keys(m.settings))\n"
            let presets = RunConfig.presetRegistry.entries.filter { $0.config.model.id == m.id }
            for p in presets { s += "      preset \(p.id): \(p.summary)\n" }
        }
        s += "\nTraining objectives (config `objective.id`):\n"
        for o in SequenceSamplers.registry.entries { s += "  \(o.id) — \(o.summary); keys: \(keys(o.settings))\n" }
        s += "\nLosses (config `loss.id`):\n"
        for l in Losses.registry.entries { s += "  \(l.id) — \(l.summary); keys: \(keys(l.settings))\n" }
        s += "\nNegative samplers (config `training.negativeSampler`):\n"
        for n in NegativeSamplers.registry.entries { s += "  \(n.id) — \(n.summary)\n" }
        return s
    }
}
