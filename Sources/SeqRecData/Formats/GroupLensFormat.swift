/// GroupLens MovieLens ratings: `ratings.dat` (`user::item::rating::timestamp`, ML-1M/10M) or
/// `ratings.csv` with the header `userId,movieId,rating,timestamp` (ML-20M). Chosen by the
/// file extension. Ratings are validated as numbers; every rating counts as an interaction
/// (the thesis's implicit-feedback convention).
public struct GroupLensFormat: InteractionFormat {
    public static let id = "grouplens"
    static let header = ["userId", "movieId", "rating", "timestamp"]
    static let userIdBytes = Array("userId".utf8)

    public init() {}

    public func read(path: String, chunks: Int?) throws -> InteractionLog {
        let csv = path.lowercased().hasSuffix(".csv")
        let scanner = try LineScanner(path: path)
        let rows = Rows(path: path, csv: csv)
        var start = (offset: 0, line: 1)
        if csv {
            var sawHeader = false
            start = try scanner.walk(from: 0, firstLine: 1, separator: rows.separator) { line, f in
                if sawHeader { return false }
                let header = (0..<f.count).map { f.string($0) }
                guard header == GroupLensFormat.header else {
                    throw DataError(file: path, line: line,
                                    "expected the header `userId,movieId,rating,timestamp`, found `\(header.joined(separator: ","))`")
                }
                sawHeader = true
                return true
            }
        }
        return try ChunkedParse.read(scanner, from: start.offset, firstLine: start.line, rows, chunks: chunks)
    }

    private struct Rows: RowParser {
        let path: String
        let csv: Bool
        var separator: [UInt8]? { csv ? [44] : [58, 58] }
        var hasTimestamps: Bool { true }
        var numericLayout: NumericLayout? { NumericLayout(width: 4, user: 0, item: 1, time: 3, separator: separator!) }

        func row(_ f: FieldList, line: Int) throws -> ParsedRow {
            guard f.count == 4 else {
                let s = csv ? "," : "::"
                throw DataError(file: path, line: line, "expected 4 fields `user\(s)item\(s)rating\(s)timestamp`, found \(f.count)")
            }
            if csv && f.equals(0, GroupLensFormat.userIdBytes) {
                throw DataError(file: path, line: line, "duplicated header line")
            }
            guard f.double(2) != nil else { throw DataError(file: path, line: line, "rating `\(f.string(2))` is not a number") }
            let ts = try f.timestamp(3, path: path, line: line)
            return ParsedRow(user: f.bytes(0), item: f.bytes(1), timestamp: ts)
        }
    }
}
