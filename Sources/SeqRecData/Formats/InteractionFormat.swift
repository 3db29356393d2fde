import SeqRecCore

/// A file format of user–item interactions. Adding a format = one file with a conformer plus
/// one line in `InteractionFormats.registry`.
public protocol InteractionFormat: Sendable {
    /// The registry id, e.g. `"user-item"`.
    static var id: String { get }
    /// Reads every interaction of the file at `path`, its data lines split into `chunks` parsed
    /// in parallel (nil: one per thread of the budget). The result is the same for any `chunks`.
    /// - Throws: `DataError` naming the file and line of the first malformed line.
    func read(path: String, chunks: Int?) throws -> InteractionLog
}

extension InteractionFormat {
    /// Reads every interaction of the file at `path` (in parallel over the thread budget).
    /// - Throws: `DataError` naming the file and line of the first malformed line.
    public func read(path: String) throws -> InteractionLog { try read(path: path, chunks: nil) }
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

/// A registered interaction format: its id and how to build a reader with options.
public struct FormatEntry: Registered, Sendable {
    public let id: String
    public let make: @Sendable (FormatOptions) -> any InteractionFormat
}

/// The registry of interaction formats.
public enum InteractionFormats {
    /// Every format: one line each.
    public static let registry = Registry<FormatEntry>(family: "format", [
        FormatEntry(id: UserItemFormat.id) { _ in UserItemFormat() },
        FormatEntry(id: GroupLensFormat.id) { _ in GroupLensFormat() },
        FormatEntry(id: RecBoleInterFormat.id) { _ in RecBoleInterFormat() },
        FormatEntry(id: DelimitedFormat.id) { o in
            DelimitedFormat(separator: o.separator, hasHeader: o.hasHeader, user: o.user, item: o.item,
                            timestamp: o.timestamp, requireChronological: o.requireChronological)
        },
    ])

    /// Every format id.
    public static var all: [String] { registry.ids }

    /// The format with this id.
    /// - Throws: `ConfigError.unknownComponent` listing the valid ids.
    public static func make(_ id: String, options: FormatOptions = FormatOptions()) throws -> any InteractionFormat {
        try registry.entry(id).make(options)
    }
}
