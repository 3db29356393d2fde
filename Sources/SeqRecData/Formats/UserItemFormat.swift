/// `user item` per line, whitespace-separated, each user's lines in chronological order
/// (the SASRec / BERT4Rec text files, e.g. Amazon Beauty). No timestamps: file order is the
/// chronological order. Blank lines are skipped.
public struct UserItemFormat: InteractionFormat {
    public static let id = "user-item"

    public init() {}

    public func read(path: String, chunks: Int?) throws -> InteractionLog {
        try ChunkedParse.read(LineScanner(path: path), from: 0, firstLine: 1, Rows(path: path), chunks: chunks)
    }

    private struct Rows: RowParser {
        let path: String
        var separator: [UInt8]? { nil }
        var hasTimestamps: Bool { false }
        var acceptsIntegerPairs: Bool { true }

        func row(_ f: FieldList, line: Int) throws -> ParsedRow {
            guard f.count == 2 else {
                throw DataError(file: path, line: line, "expected 2 fields `user item`, found \(f.count)")
            }
            return ParsedRow(user: f.bytes(0), item: f.bytes(1))
        }
    }
}
