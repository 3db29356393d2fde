/// GroupLens MovieLens ratings: `ratings.dat` (`user::item::rating::timestamp`, ML-1M/10M) or
/// `ratings.csv` with the header `userId,movieId,rating,timestamp` (ML-20M). Chosen by the
/// file extension. Ratings are validated as numbers; every rating counts as an interaction
/// (the thesis's implicit-feedback convention).
public struct GroupLensFormat: InteractionFormat {
    public static let id = "grouplens"

    public init() {}

    public func read(path: String) throws -> InteractionLog {
        let csv = path.lowercased().hasSuffix(".csv")
        let scanner = try LineScanner(path: path)
        var log = InteractionLog(source: path, hasTimestamps: true)
        var sawHeader = false
        try scanner.forEachLine(separator: csv ? Array(",".utf8) : Array("::".utf8)) { line, f in
            if csv && !sawHeader {
                let header = (0..<f.count).map { f.string($0) }
                guard header == ["userId", "movieId", "rating", "timestamp"] else {
                    throw DataError(file: path, line: line,
                                    "expected the header `userId,movieId,rating,timestamp`, found `\(header.joined(separator: ","))`")
                }
                sawHeader = true
                return
            }
            guard f.count == 4 else {
                throw DataError(file: path, line: line,
                                "expected 4 fields `user\(csv ? "," : "::")item\(csv ? "," : "::")rating\(csv ? "," : "::")timestamp`, found \(f.count)")
            }
            if csv && f.string(0) == "userId" {
                throw DataError(file: path, line: line, "duplicated header line")
            }
            guard f.double(2) != nil else { throw DataError(file: path, line: line, "rating `\(f.string(2))` is not a number") }
            let ts = try f.timestamp(3, path: path, line: line)
            log.append(user: log.users.intern(f.bytes(0)), item: log.items.intern(f.bytes(1)), timestamp: ts, line: line)
        }
        return log
    }
}
