/// A hyperparameter or configuration value outside its allowed range.
///
/// The message names the key and the allowed range, so a user can fix the config without
/// reading code: `learningRate = -0.1 is outside the allowed range (0, ∞)`.
public struct HyperparameterError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The name of the offending key, as written in a config.
    public let key: String
    /// The rejected value, rendered as text.
    public let value: String
    /// The allowed range or set, in interval notation or words.
    public let allowed: String

    public init(key: String, value: String, allowed: String) {
        self.key = key.abbreviated()
        self.value = value.abbreviated()
        self.allowed = allowed
    }

    public var description: String {
        "\(key) = \(value) is outside the allowed range \(allowed)"
    }

    /// Throws unless `value` lies in the half-open interval `[low, high)`.
    public static func check(_ key: String, _ value: Double, in range: Range<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw HyperparameterError(key: key, value: "\(value)",
                                      allowed: "[\(range.lowerBound), \(range.upperBound))")
        }
    }

    /// Throws unless `value` lies in the closed interval `[low, high]`.
    public static func check(_ key: String, _ value: Double, in range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw HyperparameterError(key: key, value: "\(value)",
                                      allowed: "[\(range.lowerBound), \(range.upperBound)]")
        }
    }

    /// Throws unless `value > 0` and finite.
    public static func checkPositive(_ key: String, _ value: Double) throws {
        guard value.isFinite, value > 0 else {
            throw HyperparameterError(key: key, value: "\(value)", allowed: "(0, ∞)")
        }
    }

    /// Throws unless `value` lies in the closed interval `range` (upper bounds keep an absurd
    /// value from reaching an allocation).
    public static func check(_ key: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw HyperparameterError(key: key, value: "\(value)", allowed: "[\(range.lowerBound), \(range.upperBound)]")
        }
    }

    /// Throws unless `value >= minimum`.
    public static func checkAtLeast(_ key: String, _ value: Int, _ minimum: Int) throws {
        guard value >= minimum else {
            throw HyperparameterError(key: key, value: "\(value)", allowed: "[\(minimum), ∞)")
        }
    }
}

/// A configuration problem: an unknown component id or key, named with the valid choices.
public enum ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `id` is not a registered member of `family`.
    case unknownComponent(family: String, id: String, valid: [String])
    /// `key` is not a setting of `section`.
    case unknownKey(section: String, key: String, valid: [String])
    /// A required key is missing.
    case missingKey(section: String, key: String)
    /// `key` has a value of the wrong type or form.
    case invalidValue(key: String, message: String)

    public var description: String { text.abbreviated(to: 1_000) }

    private var text: String {
        switch self {
        case let .unknownComponent(family, id, valid):
            return "unknown \(family) `\(id)`; valid: \(valid.joined(separator: ", "))"
        case let .unknownKey(section, key, valid):
            return "unknown key `\(key)` in \(section); valid keys: \(valid.joined(separator: ", "))"
        case let .missingKey(section, key):
            return "missing key `\(key)` in \(section)"
        case let .invalidValue(key, message):
            return "invalid value for `\(key)`: \(message)"
        }
    }
}

/// A file that cannot be used, with the reason: `model.safetensors: tensor items.weight is missing`.
/// Checkpoints, safetensors files and experiment specs report through it (each under its own name).
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let message: String
    public init(file: String, _ message: String) {
        self.file = file
        self.message = message.abbreviated(to: 600)
    }
    public var description: String { "\(file): \(message)" }
}
