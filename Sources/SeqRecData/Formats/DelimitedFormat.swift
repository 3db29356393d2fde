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

    public func read(path: String) throws -> InteractionLog {
        guard !separator.isEmpty else {
            throw ConfigError.invalidValue(key: "separator", message: "must not be empty (e.g. `,`, `;`, or `\\t` for tab)")
        }
        let scanner = try LineScanner(path: path)
        var resolved: (u: Int, i: Int, t: Int?)? = hasHeader ? nil : try resolve(header: nil, path: path, line: 1)
        var width = -1
        var log = InteractionLog(source: path, hasTimestamps: timestamp != nil)
        var headerText: [String] = []
        var lastTime: [Int32: Double] = [:]
        try scanner.forEachLine(separator: Array(separator.utf8)) { line, f in
            guard let cols = resolved else {
                headerText = (0..<f.count).map { f.string($0) }
                resolved = try resolve(header: headerText, path: path, line: line)
                width = f.count
                return
            }
            if width < 0 {
                width = f.count
                for (role, c) in [("user", cols.u), ("item", cols.i)] + (cols.t.map { [("timestamp", $0)] } ?? []) where c >= width {
                    throw DataError(file: path, line: line, "\(role) column \(c) is beyond the \(width) fields of the line "
                                    + "(separator `\(separator)`; columns are 0-based)")
                }
            }
            guard f.count == width else {
                throw DataError(file: path, line: line, "expected \(width) fields separated by `\(separator)`, found \(f.count)")
            }
            if hasHeader && f.string(cols.u) == headerText[cols.u] && (0..<f.count).map({ f.string($0) }) == headerText {
                throw DataError(file: path, line: line, "duplicated header line")
            }
            let ts = try cols.t.map { try f.timestamp($0, path: path, line: line) }
            let u = log.users.intern(f.bytes(cols.u))
            if requireChronological, let ts {
                if let prev = lastTime[u], ts < prev {
                    throw DataError(file: path, line: line,
                                    "timestamps go backwards for user \(log.users.tokens[Int(u)]) (\(ts) after \(prev)); rows must be chronological")
                }
                lastTime[u] = ts
            }
            log.append(user: u, item: log.items.intern(f.bytes(cols.i)), timestamp: ts, line: line)
        }
        if resolved == nil { throw DataError(file: path, "no header line") }
        return log
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
