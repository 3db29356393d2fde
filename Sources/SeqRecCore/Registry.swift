/// A component a registry can hold: named by a stable id (what configs, specs and results use).
public protocol Registered {
    /// The registry id, e.g. `"gbce"`, `"bert4rec"`, `"ndcg"`.
    var id: String { get }
}

/// The one registry pattern of SeqRec: entries in registration order, looked up by id, with
/// unknown ids reported as errors that list the valid ones. Models, losses, samplers, metrics,
/// formats, scorers and harness cell kinds each keep one `Registry` of their entries, so a new
/// component is one file plus one line, and conformance tests iterate `entries`.
public struct Registry<Entry: Registered> {
    /// The family's name in error messages ("model", "loss", …).
    public let family: String
    /// Every entry, in registration order.
    public let entries: [Entry]

    /// - Precondition: ids are unique.
    public init(family: String, _ entries: [Entry]) {
        var seen = Set<String>()
        for e in entries { require(seen.insert(e.id).inserted, "Registry \(family): duplicate id \(e.id)") }
        self.family = family
        self.entries = entries
    }

    /// The registered ids, in registration order.
    public var ids: [String] { entries.map(\.id) }

    public func contains(_ id: String) -> Bool { entries.contains { $0.id == id } }

    /// The entry for `id`.
    /// - Throws: `ConfigError.unknownComponent` listing the valid ids.
    public func entry(_ id: String) throws -> Entry {
        guard let e = entries.first(where: { $0.id == id }) else {
            throw ConfigError.unknownComponent(family: family, id: id, valid: ids)
        }
        return e
    }
}
