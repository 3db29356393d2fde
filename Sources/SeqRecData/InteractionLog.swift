import SeqRecCore

/// Interactions as read from a file, columnar and interned, before grouping into sequences.
///
/// Memory is a few bytes per interaction plus the distinct user and item tokens (as integers or
/// bytes; their `String`s are made when the dataset is built): a 20-million-line file never
/// becomes 40 million `String`s.
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

    public init(source: String, hasTimestamps: Bool) {
        self.source = source
        timestamps = hasTimestamps ? [] : nil
    }

    /// The number of interactions.
    public var count: Int { userIndex.count }

    /// Appends one interaction.
    @inlinable
    public mutating func append(user: Int32, item: Int32, timestamp: Double?) {
        userIndex.append(user)
        itemIndex.append(item)
        if let timestamp { timestamps?.append(timestamp) }
    }
}

/// Interns id tokens: all-digit tokens (without leading zeros) by integer value, others by text.
/// A token's `String` is made only when asked for (`token(_:)`, `strings(_:)`): a large file's
/// merge of per-chunk tables then moves integers, not 300,000 new strings.
public struct TokenTable: Sendable {
    private var index = TokenIndex()

    public init() {}

    /// The number of distinct tokens.
    public var count: Int { index.count }

    /// True while every token so far was a plain non-negative integer.
    public var allNumeric: Bool { index.allNumeric }

    /// The integer value of token `id` when it is a plain integer, else nil.
    public func value(_ id: Int) -> Int64? {
        let k = index.keys[id]
        return k >= 0 ? k : nil
    }

    /// The text of token `id` (a plain integer's digits, or the bytes it was read from).
    public func token(_ id: Int) -> String {
        let k = index.keys[id]
        if k >= 0 { return String(k) }
        return String(decoding: index.text(Int(-k - 1)), as: UTF8.self)
    }

    /// The distinct tokens, index = interned id.
    public var tokens: [String] { strings(Array(0..<count)) }

    /// The texts of tokens `ids`, in that order (made in parallel chunks).
    public func strings(_ ids: [Int]) -> [String] {
        var out = [String](repeating: "", count: ids.count)
        out.withUnsafeMutableBufferPointer { o in
            Parallel.for(ids.count, grain: 16_384) { range in
                for j in range { o[j] = token(ids[j]) }
            }
        }
        return out
    }

    /// The id of the token in `bytes`, adding it if new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 { index.intern(bytes) }

    /// The id of `token`, adding it if new.
    public mutating func intern(_ token: String) -> Int32 {
        var t = token
        return t.withUTF8 { intern($0) }
    }

    /// Adds the tokens of a chunk's index in their order of first appearance.
    /// - Returns: the chunk's ids mapped to this table's ids.
    mutating func merge(_ chunk: TokenIndex) -> [Int32] {
        var map = [Int32](repeating: 0, count: chunk.count)
        for (local, key) in chunk.keys.enumerated() {
            map[local] = key >= 0 ? index.intern(value: key) : chunk.text(Int(-key - 1)).withUnsafeBufferPointer { index.intern(text: $0) }
        }
        return map
    }

    /// `ids` ordered by their integer values, ascending (every token a plain integer); the values
    /// are distinct, so the order is unique. Already ascending (a file sorted by id) costs one pass.
    func numericOrder(_ ids: [Int]) -> [Int] {
        let keys = index.keys
        if zip(ids, ids.dropFirst()).allSatisfy({ keys[$0] < keys[$1] }) { return ids }
        return ids.map { (value: keys[$0], id: $0) }.sorted { $0.value < $1.value }.map { $0.id }
    }

    /// The value of an all-digit token without a leading zero (or "0"), else nil.
    @inline(__always)
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
