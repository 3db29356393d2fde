/// RecBole atomic `.inter` files: tab-separated with a typed header such as
/// `user_id:token<TAB>item_id:token<TAB>rating:float<TAB>timestamp:float`. The user and item
/// columns are found by name (`user_id`, `item_id`); `timestamp` is optional.
public struct RecBoleInterFormat: InteractionFormat {
    public static let id = "recbole-inter"

    public init() {}

    public func read(path: String, chunks: Int?) throws -> InteractionLog {
        let scanner = try LineScanner(path: path)
        var rows: Rows? = nil
        let start = try scanner.walk(from: 0, firstLine: 1, separator: [9]) { line, f in
            if rows != nil { return false }
            let header = (0..<f.count).map { f.string($0) }
            let names = header.map { $0.split(separator: ":").first.map(String.init) ?? $0 }
            for (i, h) in header.enumerated() where !h.contains(":") {
                throw DataError(file: path, line: line, "header field \(i + 1) `\(h)` has no `:type` (expected e.g. `user_id:token`)")
            }
            guard let u = names.firstIndex(of: "user_id"), let it = names.firstIndex(of: "item_id") else {
                throw DataError(file: path, line: line, "header must name `user_id` and `item_id` columns, found \(names)")
            }
            if Set(names).count != names.count {
                throw DataError(file: path, line: line, "duplicated column names in header \(names)")
            }
            rows = Rows(path: path, width: header.count, user: u, item: it, time: names.firstIndex(of: "timestamp"),
                        userHeader: Array(header[u].utf8))
            return true
        }
        guard let rows else { throw DataError(file: path, "no header line") }
        return try ChunkedParse.read(scanner, from: start.offset, firstLine: start.line, rows, chunks: chunks)
    }

    private struct Rows: RowParser {
        let path: String
        let width: Int, user: Int, item: Int, time: Int?
        let userHeader: [UInt8]
        var separator: [UInt8]? { [9] }
        var hasTimestamps: Bool { time != nil }
        var numericLayout: NumericLayout? { NumericLayout(width: width, user: user, item: item, time: time, separator: [9]) }

        func row(_ f: FieldList, line: Int) throws -> ParsedRow {
            guard f.count == width else {
                throw DataError(file: path, line: line, "expected \(width) tab-separated fields, found \(f.count)")
            }
            if f.equals(user, userHeader) { throw DataError(file: path, line: line, "duplicated header line") }
            let ts = try time.map { try f.timestamp($0, path: path, line: line) } ?? 0
            return ParsedRow(user: f.bytes(user), item: f.bytes(item), timestamp: ts)
        }
    }
}
