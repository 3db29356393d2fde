import CSeqRecKernels

/// The lookup behind `TokenTable`: token bytes → dense id in order of first appearance, with no
/// `String` built per lookup.
///
/// Plain non-negative integers (no leading zero, ≤ 18 digits) are keyed by value — below
/// `denseLimit` through a direct array (one load per lookup: ML-1M's and most catalogues' ids),
/// above it through open addressing. Other tokens are keyed by their bytes, copied once into an
/// arena. One index per parsing chunk; chunks are merged in file order (`TokenTable.merge`),
/// which reproduces the sequential first-appearance numbering exactly.
struct TokenIndex: Sendable {
    /// Values below this are looked up directly (the array grows on demand up to 16 MB).
    static let denseLimit: Int64 = 1 << 22

    /// Per id: the integer value (≥ 0), or `-(text index + 1)` for a textual token.
    private(set) var keys: [Int64] = []
    /// Direct lookup for small values: `dense[v]` = id + 1, 0 = absent.
    private var dense: [Int32] = []
    /// Open addressing for large values and text: id + 1, 0 = empty; capacity a power of two.
    private var slots: [Int32] = [Int32](repeating: 0, count: 64)
    private var hashedCount = 0
    /// Textual tokens: byte ranges into `arena`.
    private var textStart: [Int] = []
    private var textEnd: [Int] = []
    private var arena: [UInt8] = []

    init() {}

    /// The number of distinct tokens.
    var count: Int { keys.count }

    /// True when every token so far is a plain integer.
    var allNumeric: Bool { textStart.isEmpty }

    /// The bytes of textual token `k` (`keys[id] == -(k + 1)`).
    func text(_ k: Int) -> ArraySlice<UInt8> { arena[textStart[k]..<textEnd[k]] }

    /// The id of the token in `b`, adding it if new.
    @inline(__always)
    mutating func intern(_ b: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let v = TokenTable.plainInteger(b) { return intern(value: v) }
        return intern(text: b)
    }

    /// The id of the integer token `v` (≥ 0), adding it if new.
    @inline(__always)
    mutating func intern(value v: Int64) -> Int32 {
        if v < TokenIndex.denseLimit {
            let i = Int(v)
            if i < dense.count {
                let id = dense[i]
                if id != 0 { return id - 1 }
            } else {
                growDense(to: i + 1)
            }
            let id = Int32(keys.count)
            keys.append(v)
            dense[i] = id + 1
            return id
        }
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: (UInt64(bitPattern: v) &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while true {
            let e = slots[s]
            if e == 0 { break }
            if keys[Int(e - 1)] == v { return e - 1 }
            s = (s + 1) & mask
        }
        let id = Int32(keys.count)
        keys.append(v)
        insert(id: id, at: s)
        return id
    }

    /// The ids of `count` integer tokens (each ≥ 0) into `out`, adding new ones in order — the same
    /// ids as `intern(value:)` one at a time. Values already in the direct table are resolved in C.
    mutating func intern(values: UnsafePointer<Int64>, count: Int, into out: UnsafeMutablePointer<Int32>) {
        var i = 0
        while i < count {
            i += dense.withUnsafeBufferPointer { d in
                seqrec_dense_lookup(values + i, count - i, d.baseAddress, d.count, out + i)
            }
            if i < count {
                out[i] = intern(value: values[i])
                i += 1
            }
        }
    }

    /// The id of a textual token, adding it if new.
    mutating func intern(text b: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = TokenIndex.hash(b)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h >> 20) & mask
        while true {
            let e = slots[s]
            if e == 0 { break }
            let key = keys[Int(e - 1)]
            if key < 0 && equal(textIndex: Int(-key - 1), b) { return e - 1 }
            s = (s + 1) & mask
        }
        let id = Int32(keys.count)
        keys.append(-Int64(textStart.count) - 1)
        textStart.append(arena.count)
        arena.append(contentsOf: b)
        textEnd.append(arena.count)
        insert(id: id, at: s)
        return id
    }

    private func equal(textIndex k: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = textStart[k], e = textEnd[k]
        guard e - s == b.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            for j in 0..<b.count where a[s + j] != b[j] { return false }
            return true
        }
    }

    private mutating func growDense(to n: Int) {
        let target = Swift.min(Int(TokenIndex.denseLimit), Swift.max(n, 2 * dense.count, 1024))
        dense.append(contentsOf: repeatElement(0, count: target - dense.count))
    }

    private mutating func insert(id: Int32, at s: Int) {
        slots[s] = id + 1
        hashedCount += 1
        if 2 * hashedCount > slots.count { rehash() }
    }

    private mutating func rehash() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for e in slots where e != 0 {
            let key = keys[Int(e - 1)]
            let h: UInt64 = key >= 0
                ? UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15
                : arena[textStart[Int(-key - 1)]..<textEnd[Int(-key - 1)]].withUnsafeBufferPointer(TokenIndex.hash)
            var s = Int(truncatingIfNeeded: h >> 20) & mask
            while bigger[s] != 0 { s = (s + 1) & mask }
            bigger[s] = e
        }
        slots = bigger
    }

    /// FNV-1a over the bytes, then a multiplicative finish so the high bits mix.
    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        return (h ^ (h >> 32)) &* 0x9E37_79B9_7F4A_7C15
    }
}
