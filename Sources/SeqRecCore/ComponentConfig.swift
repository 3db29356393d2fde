import Foundation

/// The config section of a registered component (a model, a loss, a training objective): its
/// registry id and its own settings, written flat as `{"id": "gbce", "negatives": 256, "t": 0.75}`.
/// Each component decodes its settings through its registry entry's `SettingsSchema`, so a
/// component can have keys of its own and no section is a closed union of every component's keys.
public struct ComponentConfig: Codable, Equatable, Sendable, CustomStringConvertible {
    public var id: String
    /// The component's own keys, fully resolved once decoded through its schema.
    public var settings: [String: JSONValue]

    public init(id: String, settings: [String: JSONValue] = [:]) {
        self.id = id
        self.settings = settings
    }

    /// One setting (`config.loss["t"] = 0.5`); nil when not set.
    public subscript(key: String) -> JSONValue? {
        get { settings[key] }
        set { settings[key] = newValue }
    }

    /// The section as one JSON object (`id` beside the settings).
    public var json: JSONValue {
        var o = settings
        o["id"] = .string(id)
        return .object(o)
    }

    /// A section from a JSON object; `defaultID` when it names none (configs written before the
    /// section had an id).
    public init(json: JSONValue, section: String, defaultID: String?) throws {
        guard case .object(var o) = json else { throw ConfigError.invalidValue(key: section, message: "expected an object") }
        let id: String
        switch o.removeValue(forKey: "id") {
        case .string(let s)?: id = s
        case nil:
            guard let d = defaultID else { throw ConfigError.missingKey(section: section, key: "id") }
            id = d
        default: throw ConfigError.invalidValue(key: section + ".id", message: "expected a string")
        }
        self.init(id: id, settings: o)
    }

    public init(from decoder: Decoder) throws {
        try self.init(json: JSONValue(from: decoder), section: "config", defaultID: nil)
    }

    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }

    public var description: String { String(decoding: json.canonical, as: UTF8.self) }

    /// Short text for tables and logs: `gbce(negatives 256, t 0.75)`; nested settings are left out.
    public var summary: String {
        let parts = settings.keys.sorted().compactMap { k -> String? in
            switch settings[k]! {
            case .object, .array, .null: return nil
            case let v: return "\(k) \(v.text)"
            }
        }
        return parts.isEmpty ? id : "\(id)(\(parts.joined(separator: ", ")))"
    }
}

/// How a component's settings decode: the typed config with its defaults, strict for what a
/// user writes (unknown keys and wrong types are errors naming the key path) and lenient for
/// what was recorded by an older version (keys it no longer has are dropped; absent keys take
/// today's defaults, so recorded results keep loading when a setting is added).
public struct SettingsSchema: @unchecked Sendable {
    /// The defaults as JSON.
    public let defaults: [String: JSONValue]
    /// The valid keys.
    public let keys: [String]
    private let strictDecode: (Data, [String: JSONValue], String) throws -> [String: JSONValue]

    /// The schema of `T` with `defaults`.
    public static func of<T: Codable>(_ type: T.Type, defaults: T) -> SettingsSchema {
        SettingsSchema(defaults: settingsJSON(defaults), keys: StrictConfig.keys(Mirror(reflecting: defaults))) { user, base, section in
            let baseValue = try decodeSettings(T.self, base, section: section)
            return settingsJSON(try StrictConfig.decode(T.self, from: user, defaults: baseValue, section: section))
        }
    }

    private init(defaults: [String: JSONValue], keys: [String],
                 strictDecode: @escaping (Data, [String: JSONValue], String) throws -> [String: JSONValue]) {
        self.defaults = defaults
        self.keys = keys
        self.strictDecode = strictDecode
    }

    /// `user` laid over `base` (the defaults when nil), strictly.
    /// - Throws: `ConfigError` naming `section.key`.
    public func resolve(_ user: [String: JSONValue], over base: [String: JSONValue]? = nil, section: String) throws -> [String: JSONValue] {
        try strictDecode(JSONValue.object(user).canonical, base ?? defaults, section)
    }

    /// Recorded settings over today's defaults, dropping keys this version does not have.
    public func resolveRecorded(_ recorded: [String: JSONValue], section: String) throws -> [String: JSONValue] {
        try resolve(recorded.filter { keys.contains($0.key) }, section: section)
    }

    /// Typed settings (already resolved ones decode without error).
    public static func decodeSettings<T: Decodable>(_ type: T.Type, _ settings: [String: JSONValue], section: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: JSONValue.object(settings).canonical) } catch {
            throw ConfigError.invalidValue(key: section, message: "\(error)")
        }
    }

    static func settingsJSON<T: Encodable>(_ value: T) -> [String: JSONValue] {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data),
              case .object(let o) = json else { return [:] }
        return o
    }
}

/// A registry entry that owns a configurable section (`model`, `loss`, `objective`).
public protocol ConfigurableEntry: Registered {
    var settings: SettingsSchema { get }
}

/// The entry of a component built from its settings and a catalogue size (losses, sequence
/// samplers): its id, a one-line summary, its settings (a Codable config with defaults) and
/// its factory.
public struct ComponentEntry<Product>: ConfigurableEntry {
    public let id: String
    /// One line for `seqrec models` and error messages.
    public let summary: String
    public let settings: SettingsSchema
    /// The component for resolved settings and a catalogue of N items.
    public let make: ([String: JSONValue], Int) throws -> Product

    /// An entry whose settings are the Codable `C` with `defaults`; `section` names the config
    /// section in decoding errors.
    public init<C: Codable>(id: String, section: String, summary: String, config: C.Type, defaults: C,
                            make: @escaping (C, Int) throws -> Product) {
        self.id = id
        self.summary = summary
        settings = .of(C.self, defaults: defaults)
        self.make = { s, n in try make(SettingsSchema.decodeSettings(C.self, s, section: section), n) }
    }
}

extension Registry where Entry: ConfigurableEntry {
    /// `user`'s section laid over `base`: when the user names another id than `base`, the base's
    /// settings do not apply and the new component's defaults are the base instead.
    /// - Throws: `ConfigError` for an unknown id (listing the valid ones) or an unknown key.
    public func resolve(_ user: JSONValue?, over base: ComponentConfig, section: String) throws -> ComponentConfig {
        guard let user else { return base }
        let u = try ComponentConfig(json: user, section: section, defaultID: base.id)
        let e = try entry(u.id)
        let baseSettings = u.id == base.id ? base.settings : e.settings.defaults
        return ComponentConfig(id: u.id, settings: try e.settings.resolve(u.settings, over: baseSettings, section: section))
    }

    /// A component's default section.
    public func defaults(_ id: String) throws -> ComponentConfig {
        ComponentConfig(id: id, settings: try entry(id).settings.defaults)
    }

    /// A recorded section resolved over today's defaults (unknown ids are kept as they are).
    public func resolveRecorded(_ recorded: ComponentConfig, section: String) throws -> ComponentConfig {
        guard let e = try? entry(recorded.id) else { return recorded }
        return ComponentConfig(id: recorded.id, settings: try e.settings.resolveRecorded(recorded.settings, section: section))
    }
}
