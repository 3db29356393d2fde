import Foundation


/// Any JSON value, for the free-form parts of specs (config overrides laid over a preset).
public enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n.rounded() == n && Swift.abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Canonical JSON bytes (sorted keys): equal values give equal bytes, for content hashes.
    public var canonical: Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(self)) ?? Data()
    }

    /// `self` with `other`'s keys laid over it, recursively for objects.
    public func merged(with other: JSONValue) -> JSONValue {
        guard case .object(var a) = self, case .object(let b) = other else { return other }
        for (k, v) in b { a[k] = a[k].map { $0.merged(with: v) } ?? v }
        return .object(a)
    }

    /// An object from dotted keys: `["loss.t": 0.5]` → `{"loss": {"t": 0.5}}`.
    public static func dotted(_ key: String, _ value: JSONValue) -> JSONValue {
        key.split(separator: ".").reversed().reduce(value) { .object([String($1): $0]) }
    }

    public var number: Double? { if case .number(let n) = self { return n }; return nil }
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    /// Text for table cells and ids.
    public var text: String {
        switch self {
        case .number(let n): return n.rounded() == n ? String(Int64(n)) : String(n)
        case .string(let s): return s
        case .bool(let b): return String(b)
        default: return String(decoding: canonical, as: UTF8.self)
        }
    }
}

/// The key of a cached cell: the content hash of its parts, each followed by a separator byte.
public func contentHash(_ parts: [Data]) -> String {
    var h = ContentHasher()
    for part in parts {
        h.mix(bytes: part)
        h.mix(UInt8(0xff))
    }
    return h.hex
}

extension JSONValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
