/// `user item` per line, whitespace-separated, each user's lines in chronological order
/// (the SASRec / BERT4Rec text files, e.g. Amazon Beauty). No timestamps: file order is the
/// chronological order. Blank lines are skipped.
public struct UserItemFormat: InteractionFormat {
    public static let id = "user-item"

    public init() {}

    public func read(path: String) throws -> InteractionLog {
        let scanner = try LineScanner(path: path)
        var log = InteractionLog(source: path, hasTimestamps: false)
        log.userIndex.reserveCapacity(scanner.bytes.count / 8)
        log.itemIndex.reserveCapacity(scanner.bytes.count / 8)
        log.lines.reserveCapacity(scanner.bytes.count / 8)
        try scanner.forEachLine(separator: nil) { line, f in
            guard f.count == 2 else {
                throw DataError(file: path, line: line, "expected 2 fields `user item`, found \(f.count)")
            }
            let u = log.users.intern(f.bytes(0)), i = log.items.intern(f.bytes(1))
            log.append(user: u, item: i, timestamp: nil, line: line)
        }
        return log
    }
}
