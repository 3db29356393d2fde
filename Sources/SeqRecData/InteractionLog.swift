/// Interactions as read from a file, columnar and interned, before grouping into sequences.
///
/// Memory is a few bytes per interaction plus one string per distinct user and item: a
/// 20-million-line file never becomes 40 million `String`s.
public struct InteractionLog: Sendable {
    /// Where the interactions came from (for messages and provenance).
    public var source: String
    /// Distinct user tokens, in order of first appearance.
    public var users = TokenTable()
    /// Distinct item tokens, in order of first appearance.
    public var items = TokenTable()
    /// Per interaction: index into `users`.
    public var userIndex: [Int32] = []
    /// Per interaction: index into `items`.
    public var itemIndex: [Int32] = []
    /// Per interaction: timestamp, when the format has one.
    public var timestamps: [Double]? = nil
    /// Per interaction: its 1-based line in the source file.
    public var lines: [Int32] = []

    public init(source: String, hasTimestamps: Bool) {
        self.source = source
        timestamps = hasTimestamps ? [] : nil
    }

    /// The number of interactions.
    public var count: Int { userIndex.count }

    /// Appends one interaction.
    @inlinable
    public mutating func append(user: Int32, item: Int32, timestamp: Double?, line: Int) {
        userIndex.append(user)
        itemIndex.append(item)
        if let timestamp { timestamps?.append(timestamp) }
        lines.append(Int32(truncatingIfNeeded: line))
    }
}

/// Interns id tokens: all-digit tokens (without leading zeros) by integer value, others by text.
public struct TokenTable: Sendable {
    /// The distinct tokens, index = interned id.
    public private(set) var tokens: [String] = []
    private var numeric: [Int64: Int32] = [:]
    private var textual: [String: Int32] = [:]
    /// True while every token so far was a plain non-negative integer.
    public private(set) var allNumeric = true

    public init() {}

    /// The number of distinct tokens.
    public var count: Int { tokens.count }

    /// The id of the token in `bytes`, adding it if new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let v = TokenTable.plainInteger(bytes) {
            if let id = numeric[v] { return id }
            let id = Int32(tokens.count)
            numeric[v] = id
            tokens.append(String(v))
            return id
        }
        let s = String(decoding: bytes, as: UTF8.self)
        return intern(s)
    }

    /// The id of `token`, adding it if new.
    public mutating func intern(_ token: String) -> Int32 {
        if let v = token.utf8.withContiguousStorageIfAvailable({ TokenTable.plainInteger($0) }) ?? nil {
            if let id = numeric[v] { return id }
            let id = Int32(tokens.count)
            numeric[v] = id
            tokens.append(token)
            return id
        }
        if let id = textual[token] { return id }
        allNumeric = false
        let id = Int32(tokens.count)
        textual[token] = id
        tokens.append(token)
        return id
    }

    /// The value of an all-digit token without a leading zero (or "0"), else nil.
    @inlinable
    static func plainInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty, b.count <= 18, !(b.count > 1 && b[0] == 48) else { return nil }
        var v: Int64 = 0
        for c in b {
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int64(c - 48)
        }
        return v
    }
}
