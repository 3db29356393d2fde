import Foundation

/// Decodes configuration JSON strictly: a user's file is laid over the defaults (absent keys
/// keep their default), every key must be a setting of its section, and type errors name the
/// key path. So `{"training": {"batchSise": 64}}` is an error naming `training.batchSise` and
/// the valid keys — never a silently ignored typo.
public enum StrictConfig {
    /// `T` decoded from `json` over `defaults`.
    /// - Throws: `ConfigError.unknownKey` (with the valid keys), or `ConfigError.invalidValue`
    ///   naming the key path when a value has the wrong type.
    public static func decode<T: Codable>(_ type: T.Type, from json: Data, defaults: T, section: String) throws -> T {
        let user: Any
        do { user = try JSONSerialization.jsonObject(with: json) } catch {
            throw ConfigError.invalidValue(key: section, message: "not valid JSON (\(describe(error, in: json)))")
        }
        let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults))
        let merged = try merge(user, over: base, mirror: Mirror(reflecting: defaults), path: section)
        let data = try JSONSerialization.data(withJSONObject: merged)
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw ConfigError.invalidValue(key: keyPath(section, error), message: reason(error))
        }
    }

    /// What is wrong with JSON text the parser rejected: a number too large for a 64-bit float
    /// is named with its line (the parser says only "not in the correct format").
    public static func describe(_ error: Error, in text: Data) -> String {
        let source = String(decoding: text, as: UTF8.self)
        for (n, line) in source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let pattern = #"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?"#
            var rest = Substring(line)
            while let r = rest.range(of: pattern, options: .regularExpression) {
                let literal = String(rest[r])
                if let v = Double(literal), v.isInfinite {
                    return "the number `\(literal.abbreviated(to: 40))` on line \(n + 1) is too large (a 64-bit float's largest is ~1.8e308)"
                }
                rest = rest[r.upperBound...]
            }
        }
        return describe(error)
    }

    /// A JSON parser error with its detail (position, offending number) where the parser gives one.
    public static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        if case DecodingError.dataCorrupted(let c) = error {
            if let underlying = c.underlyingError { return describe(underlying) }
            return c.debugDescription
        }
        return error.localizedDescription
    }

    /// Keys a value of this type accepts: its stored properties (optional ones included).
    static func keys(_ mirror: Mirror) -> [String] { mirror.children.compactMap(\.label).sorted() }

    static func merge(_ user: Any, over base: Any, mirror: Mirror?, path: String) throws -> Any {
        guard let u = user as? [String: Any] else {
            if base is [String: Any] { throw ConfigError.invalidValue(key: path, message: "expected an object") }
            return user
        }
        var out = (base as? [String: Any]) ?? [:]
        let valid = Set((mirror.map(keys) ?? []) + out.keys)
        for (key, value) in u {
            guard valid.contains(key) else {
                throw ConfigError.unknownKey(section: path, key: key, valid: valid.sorted())
            }
            let field = mirror?.children.first { $0.label == key }?.value
            let child = field.map { unwrap(Mirror(reflecting: $0)) }
            if let field { try checkValue(value, for: field, key: path + "." + key) }
            if let b = out[key], b is [String: Any] {
                out[key] = try merge(value, over: b, mirror: child, path: path + "." + key)
            } else if value is NSNull {
                out.removeValue(forKey: key)
            } else {
                out[key] = value
            }
        }
        return out
    }

    /// Checks what a generic decoder would reject without naming the key: `null` for a setting
    /// that is not optional, a fractional, negative or oversized number for an integer setting.
    static func checkValue(_ value: Any, for field: Any, key: String) throws {
        let fieldMirror = Mirror(reflecting: field)
        let optional = fieldMirror.displayStyle == .optional
        if value is NSNull {
            guard optional else {
                throw ConfigError.invalidValue(key: key, message: "null is not allowed (leave the key out to keep the default, \(field))")
            }
            return
        }
        let wrapped: Any? = optional ? fieldMirror.children.first?.value : field
        guard let wrapped, let integer = type(of: wrapped) as? any FixedWidthInteger.Type,
              let number = value as? NSNumber, !(value is Bool) else { return }
        let (low, high) = bounds(integer)
        let v = number.doubleValue
        guard v.isFinite, v.rounded() == v, v >= low, v <= high else {
            throw ConfigError.invalidValue(key: key, message: "expected an integer in [\(low == 0 ? "0" : low <= -9.2e18 ? "-2^63" : String(Int64(low))), \(text(high))], got \(number)")
        }
    }

    private static func bounds<T: FixedWidthInteger>(_ type: T.Type) -> (Double, Double) { (Double(T.min), Double(T.max)) }
    private static func text(_ v: Double) -> String { v >= 1.8e19 ? "2^64 - 1" : v >= 9.2e18 ? "2^63 - 1" : String(Int64(v.rounded(.down))) }

    /// The mirror of an optional's wrapped value (or the mirror itself).
    private static func unwrap(_ m: Mirror) -> Mirror {
        if m.displayStyle == .optional, let first = m.children.first { return Mirror(reflecting: first.value) }
        return m
    }

    private static func keyPath(_ section: String, _ error: DecodingError) -> String {
        let path: [CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            path = c.codingPath
        @unknown default: path = []
        }
        return ([section] + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }).joined(separator: ".")
    }

    private static func reason(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let t, _): return "expected a value of type \(t)"
        case .valueNotFound(let t, _): return "missing value of type \(t)"
        case .keyNotFound(let k, _): return "missing key \(k.stringValue)"
        case .dataCorrupted(let c): return c.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

extension HyperparameterError {
    /// The same error with its key placed under `section` (`batchSize` → `training.batchSize`).
    public func inSection(_ section: String) -> HyperparameterError {
        HyperparameterError(key: key.hasPrefix(section + ".") ? key : section + "." + key, value: value, allowed: allowed)
    }
}

/// Runs `body`, re-throwing a `HyperparameterError` with its key under `section`.
public func validating<R>(section: String, _ body: () throws -> R) throws -> R {
    do { return try body() } catch let e as HyperparameterError { throw e.inSection(section) }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent: how persisted configs decode
    /// over their defaults, so files written before a setting existed still load.
    public func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
