/// RecBole atomic `.inter` files: tab-separated with a typed header such as
/// `user_id:token<TAB>item_id:token<TAB>rating:float<TAB>timestamp:float`. The user and item
/// columns are found by name (`user_id`, `item_id`); `timestamp` is optional.
public struct RecBoleInterFormat: InteractionFormat {
    public static let id = "recbole-inter"

    public init() {}

    public func read(path: String) throws -> InteractionLog {
        let scanner = try LineScanner(path: path)
        var columns: (user: Int, item: Int, time: Int?)? = nil
        var header: [String] = []
        var log = InteractionLog(source: path, hasTimestamps: false)
        try scanner.forEachLine(separator: [9]) { line, f in
            guard let cols = columns else {
                header = (0..<f.count).map { f.string($0) }
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
                let t = names.firstIndex(of: "timestamp")
                columns = (u, it, t)
                log = InteractionLog(source: path, hasTimestamps: t != nil)
                return
            }
            guard f.count == header.count else {
                throw DataError(file: path, line: line, "expected \(header.count) tab-separated fields, found \(f.count)")
            }
            if f.string(cols.user) == header[cols.user] {
                throw DataError(file: path, line: line, "duplicated header line")
            }
            let ts = try cols.time.map { try f.timestamp($0, path: path, line: line) }
            log.append(user: log.users.intern(f.bytes(cols.user)), item: log.items.intern(f.bytes(cols.item)),
                       timestamp: ts, line: line)
        }
        if columns == nil { throw DataError(file: path, "no header line") }
        return log
    }
}
