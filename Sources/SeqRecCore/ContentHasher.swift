/// A 128-bit content hash — two 64-bit FNV-1a lanes with different offset bases, the second
/// with an extra shift-xor — behind dataset fingerprints and the experiment cache's cell keys.
/// Deterministic across runs and machines; not cryptographic.
public struct ContentHasher: Sendable {
    private var h1: UInt64 = 0xcbf2_9ce4_8422_2325
    private var h2: UInt64 = 0x6c62_272e_07bb_0142

    public init() {}

    @inline(__always)
    public mutating func mix(_ byte: UInt8) {
        h1 = (h1 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        h2 = (h2 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        h2 ^= h2 >> 29
    }

    /// One 32-bit word in one step (4× fewer steps than its bytes; for hashing large float
    /// arrays such as checkpoint integrity hashes — not interchangeable with mixing its bytes).
    @inline(__always)
    public mutating func mix(word: UInt32) {
        h1 = (h1 ^ UInt64(word)) &* 0x0000_0100_0000_01B3
        h2 = (h2 ^ UInt64(word)) &* 0x0000_0100_0000_01B3
        h2 ^= h2 >> 29
    }

    /// Every byte of `bytes`, in order.
    public mutating func mix<S: Sequence>(bytes: S) where S.Element == UInt8 { for b in bytes { mix(b) } }

    /// A string's UTF-8 bytes and a terminating 0 (so "ab","c" and "a","bc" differ).
    public mutating func mix(_ s: String) {
        mix(bytes: s.utf8)
        mix(UInt8(0))
    }

    /// The 8 little-endian bytes of `v`.
    public mutating func mix(_ v: Int64) {
        var x = UInt64(bitPattern: v)
        for _ in 0..<8 { mix(UInt8(x & 255)); x >>= 8 }
    }

    /// 32 lower-case hex digits.
    public var hex: String {
        func pad(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return pad(h1) + pad(h2)
    }
}
