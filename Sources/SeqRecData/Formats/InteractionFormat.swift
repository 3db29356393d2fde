/// A file format of user–item interactions. One conformer per format, listed in
/// `InteractionFormats.all`.
public protocol InteractionFormat: Sendable {
    /// The registry id, e.g. `"user-item"`.
    static var id: String { get }
    /// Reads every interaction of the file at `path`.
    /// - Throws: `DataError` naming the file and line of the first malformed line.
    func read(path: String) throws -> InteractionLog
}

/// The registry of interaction formats.
public enum InteractionFormats {
    /// Every format, by id.
    public static let all: [String] = [UserItemFormat.id, GroupLensFormat.id, RecBoleInterFormat.id,
                                       DelimitedFormat.id]
}
