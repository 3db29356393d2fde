import Foundation
import SeqRecCore

/// The shape a spec's JSON must have: every object lists its keys, so an unknown key is an
/// error naming its path and the valid keys (specs are written by hand and typos must not be
/// silently ignored). Value types are checked by decoding afterwards.
indirect enum SpecSchema {
    case object(required: [String], optional: [String: SpecSchema] = [:], fields: [String: SpecSchema] = [:])
    case array(SpecSchema)
    /// An object with any keys, each value of this shape.
    case map(SpecSchema)
    /// Any value (free-form config overrides are checked when the config is resolved).
    case any

    func validate(_ value: Any, path: String) throws {
        switch self {
        case .any: return
        case .array(let element):
            guard let a = value as? [Any] else { throw ConfigError.invalidValue(key: path, message: "expected an array") }
            for (i, v) in a.enumerated() { try element.validate(v, path: "\(path)[\(i)]") }
        case .map(let element):
            guard let o = value as? [String: Any] else { throw ConfigError.invalidValue(key: path, message: "expected an object") }
            for (k, v) in o { try element.validate(v, path: path + "." + k) }
        case let .object(required, optional, fields):
            guard let o = value as? [String: Any] else { throw ConfigError.invalidValue(key: path, message: "expected an object") }
            let known = Set(required).union(optional.keys).union(fields.keys)
            for key in o.keys.sorted() where !known.contains(key) {
                throw ConfigError.unknownKey(section: path, key: key, valid: known.sorted())
            }
            for key in required where o[key] == nil { throw ConfigError.missingKey(section: path, key: key) }
            for (key, schema) in fields.merging(optional, uniquingKeysWith: { a, _ in a }) {
                if let v = o[key] { try schema.validate(v, path: path + "." + key) }
            }
        }
    }

    /// The schema of `ExperimentSpec`.
    static let spec: SpecSchema = .object(
        required: ["id", "title", "kind", "source", "metrics", "scales", "rows"],
        optional: [
            "description": .any, "datasets": .array(dataset), "seeds": .any, "published": .array(published),
            "checks": .array(check), "grid": .array(.object(required: ["key", "values"])), "figure": figure, "figures": .array(figure),
            "columns": .any, "sampledEvaluation": .object(required: ["negatives", "seed"]),
        ],
        fields: ["scales": .map(scale), "rows": .array(row), "metrics": .any])

    static let dataset: SpecSchema = .object(required: ["name"], optional: [
        "format": .any, "path": .any, "fingerprint": .any, "synthetic": .any, "label": .any, "minUser": .any,
        "validationUsers": .any, "genres": .any,
    ])
    static let scale: SpecSchema = .object(required: ["description"], optional: [
        "dataset": .any, "config": .any, "expectedMinutes": .any, "expectedMemoryGB": .any, "seeds": .any, "sizes": .any, "queries": .any,
        "splits": .any, "compare": .any, "rowConfig": .map(.any),
        "grid": .array(.object(required: ["key", "values"])),
    ])
    static let row: SpecSchema = .object(required: ["id"], optional: [
        "label": .any, "preset": .any, "config": .any, "dataset": .any, "items": .any, "method": .any, "splits": .any,
        "group": .any,
    ])
    static let published: SpecSchema = .object(required: ["row", "metric", "value", "source"], optional: [
        "rule": .any, "tolerance": .any, "absoluteTolerance": .any, "printed": .any, "factor": .any, "note": .any,
        "dataset": .any,
    ])
    static let check: SpecSchema = .object(required: ["kind", "metric"], optional: [
        "row": .any, "than": .any, "rows": .any, "significant": .any, "description": .any, "scales": .any,
    ])
    static let figure: SpecSchema = .object(required: ["kind", "file"], optional: [
        "x": .any, "y": .any, "series": .any, "metric": .any, "title": .any, "logX": .any, "logY": .any,
        "xLabel": .any, "yLabel": .any, "rows": .any, "depth": .any,
    ])
}
