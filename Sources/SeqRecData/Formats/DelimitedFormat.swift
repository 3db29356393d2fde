import SeqRecCore

/// Generic CSV/TSV with a column mapping: which columns hold the user, the item and
/// (optionally) the timestamp, by header name or by 0-based index.
public struct DelimitedFormat: InteractionFormat {
    public static let id = "delimited"

    /// A column, by header name or position.
    public enum Column: Sendable, Equatable {
        case name(String)
        case index(Int)
    }

    public var separator: String
    public var hasHeader: Bool
    public var user: Column
    public var item: Column
    public var timestamp: Column?
    /// Require the file's rows to be in non-decreasing timestamp order within each user (for
    /// inputs that promise chronological order, e.g. histories given to `recommend`).
    public var requireChronological: Bool

    public init(separator: String = ",", hasHeader: Bool = true, user: Column, item: Column,
                timestamp: Column? = nil, requireChronological: Bool = false) {
        self.separator = separator
        self.hasHeader = hasHeader
        self.user = user
        self.item = item
        self.timestamp = timestamp
        self.requireChronological = requireChronological
    }

    public func read(path: String, chunks: Int?) throws -> InteractionLog {
        guard !separator.isEmpty else {
            throw ConfigError.invalidValue(key: "separator", message: "must not be empty (e.g. `,`, `;`, or `\\t` for tab)")
        }
        let scanner = try LineScanner(path: path)
        let sep = Array(separator.utf8)
        var resolved: (u: Int, i: Int, t: Int?)? = hasHeader ? nil : try resolve(header: nil, path: path, line: 1)
        var headerText: [String]? = nil
        var rows: Rows? = nil
        // The header, then the first data line, which fixes the number of fields.
        let start = try scanner.walk(from: 0, firstLine: 1, separator: sep) { line, f in
            guard let cols = resolved else {
                headerText = (0..<f.count).map { f.string($0) }
                resolved = try resolve(header: headerText, path: path, line: line)
                return true
            }
            let width = f.count
            for (role, c) in [("user", cols.u), ("item", cols.i)] + (cols.t.map { [("timestamp", $0)] } ?? []) where c >= width {
                throw DataError(file: path, line: line, "\(role) column \(c) is beyond the \(width) fields of the line "
                                + "(separator `\(separator)`; columns are 0-based)")
            }
            rows = Rows(path: path, separatorText: separator, separator: sep, width: width, user: cols.u, item: cols.i, time: cols.t,
                        header: headerText?.map { Array($0.utf8) })
            return false
        }
        if resolved == nil { throw DataError(file: path, "no header line") }
        guard let rows else { return InteractionLog(source: path, hasTimestamps: timestamp != nil) }
        let log = try ChunkedParse.read(scanner, from: start.offset, firstLine: start.line, rows, chunks: chunks)
        if requireChronological { try checkChronological(log, path: path, scanner: scanner, from: start, rows: rows) }
        return log
    }

    /// Every user's rows in non-decreasing time; the first violation in file order is reported.
    private func checkChronological(_ log: InteractionLog, path: String, scanner: LineScanner,
                                    from start: (offset: Int, line: Int), rows: Rows) throws {
        guard let ts = log.timestamps else { return }
        var last = [Double](repeating: -.infinity, count: log.users.count)
        var bad: Int? = nil
        for k in 0..<log.count {
            let u = Int(log.userIndex[k])
            if ts[k] < last[u] { bad = k; break }
            last[u] = ts[k]
        }
        guard let bad else { return }
        // Find the violating row's line (a second, sequential walk; only on this error path).
        var row = 0, badLine = start.line
        _ = try scanner.walk(from: start.offset, firstLine: start.line, separator: rows.separator) { line, _ in
            if row == bad { badLine = line; return false }
            row += 1
            return true
        }
        let u = Int(log.userIndex[bad])
        throw DataError(file: path, line: badLine,
                        "timestamps go backwards for user \(log.users.token(u)) (\(ts[bad]) after \(last[u])); rows must be chronological")
    }

    private struct Rows: RowParser {
        let path: String
        let separatorText: String
        let separator: [UInt8]?
        let width: Int, user: Int, item: Int, time: Int?
        let header: [[UInt8]]?
        var hasTimestamps: Bool { time != nil }
        var numericLayout: NumericLayout? {
            // A header of numbers could repeat as an all-numeric line: then every line takes `row`.
            if let header, header.contains(where: { h in !h.isEmpty && h.allSatisfy { (48...57).contains($0) || $0 == 46 } }) { return nil }
            return separator.map { NumericLayout(width: width, user: user, item: item, time: time, separator: $0) }
        }

        func row(_ f: FieldList, line: Int) throws -> ParsedRow {
            guard f.count == width else {
                throw DataError(file: path, line: line, "expected \(width) fields separated by `\(separatorText)`, found \(f.count)")
            }
            if let header, header.count == width, f.equals(user, header[user]), (0..<width).allSatisfy({ f.equals($0, header[$0]) }) {
                throw DataError(file: path, line: line, "duplicated header line")
            }
            let ts = try time.map { try f.timestamp($0, path: path, line: line) } ?? 0
            return ParsedRow(user: f.bytes(user), item: f.bytes(item), timestamp: ts)
        }
    }

    private func resolve(header: [String]?, path: String, line: Int) throws -> (u: Int, i: Int, t: Int?) {
        func find(_ c: Column, _ role: String) throws -> Int {
            switch c {
            case .index(let i):
                guard i >= 0 else { throw DataError(file: path, "column index for \(role) must be ≥ 0, got \(i)") }
                if let header, i >= header.count {
                    throw DataError(file: path, line: line, "\(role) column \(i) is beyond the \(header.count) header fields")
                }
                return i
            case .name(let n):
                guard let header else { throw DataError(file: path, "column `\(n)` named but the file has no header") }
                guard let i = header.firstIndex(of: n) else {
                    throw DataError(file: path, line: line, "no \(role) column `\(n)` in header \(header)")
                }
                if header.filter({ $0 == n }).count > 1 {
                    throw DataError(file: path, line: line, "\(role) column `\(n)` appears more than once in the header")
                }
                return i
            }
        }
        return (try find(user, "user"), try find(item, "item"), try timestamp.map { try find($0, "timestamp") })
    }
}
