/// A file format of user–item interactions. Adding a format = one file with a conformer plus
/// one line in `InteractionFormats.registry`.
public protocol InteractionFormat: Sendable {
    /// The registry id, e.g. `"user-item"`.
    static var id: String { get }
    /// Reads every interaction of the file at `path`.
    /// - Throws: `DataError` naming the file and line of the first malformed line.
    func read(path: String) throws -> InteractionLog
}

/// Settings that some formats take (today: the column mapping of `delimited`).
public struct FormatOptions: Sendable, Equatable {
    public var separator = ","
    public var hasHeader = true
    public var user: DelimitedFormat.Column = .name("user")
    public var item: DelimitedFormat.Column = .name("item")
    public var timestamp: DelimitedFormat.Column? = nil
    public var requireChronological = false

    public init() {}
}

/// The registry of interaction formats.
public enum InteractionFormats {
    /// Every format: id and constructor.
    public static let registry: [(id: String, make: @Sendable (FormatOptions) -> any InteractionFormat)] = [
        (UserItemFormat.id, { _ in UserItemFormat() }),
        (GroupLensFormat.id, { _ in GroupLensFormat() }),
        (RecBoleInterFormat.id, { _ in RecBoleInterFormat() }),
        (DelimitedFormat.id, { o in
            DelimitedFormat(separator: o.separator, hasHeader: o.hasHeader, user: o.user, item: o.item,
                            timestamp: o.timestamp, requireChronological: o.requireChronological)
        }),
    ]

    /// Every format id.
    public static var all: [String] { registry.map(\.id) }

    /// The format with this id.
    /// - Throws: `ConfigError.unknownComponent` listing the valid ids.
    public static func make(_ id: String, options: FormatOptions = FormatOptions()) throws -> any InteractionFormat {
        guard let entry = registry.first(where: { $0.id == id }) else {
            throw ConfigError.unknownComponent(family: "format", id: id, valid: all)
        }
        return entry.make(options)
    }
}

import SeqRecCore
