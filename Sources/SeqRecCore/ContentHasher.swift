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

    /// The 8 little-endian bytes of `v`. (Values below 2³² — item ids, lengths — skip the xor
    /// with their four zero high bytes: the same hash, a shorter dependency chain.)
    @inline(__always)
    public mutating func mix(_ v: Int64) {
        var x = UInt64(bitPattern: v)
        if x >> 32 == 0 {
            for _ in 0..<4 { mix(UInt8(x & 255)); x >>= 8 }
            for _ in 0..<4 {
                h1 = h1 &* 0x0000_0100_0000_01B3
                h2 = h2 &* 0x0000_0100_0000_01B3
                h2 ^= h2 >> 29
            }
            return
        }
        for _ in 0..<8 { mix(UInt8(x & 255)); x >>= 8 }
    }

    /// Each value as the 8 little-endian bytes of its `Int64` — the same hash as `mix(Int64(v))`
    /// for each `v` in order, in one loop (the dataset fingerprint's bulk of work).
    public mutating func mix(widening values: UnsafeBufferPointer<Int32>) {
        let p: UInt64 = 0x0000_0100_0000_01B3
        var a = h1, b = h2
        for v in values {
            var x = UInt64(bitPattern: Int64(v))
            if x >> 32 == 0 {
                for _ in 0..<4 {
                    a = (a ^ (x & 255)) &* p
                    b = (b ^ (x & 255)) &* p
                    b ^= b >> 29
                    x >>= 8
                }
                for _ in 0..<4 {
                    a = a &* p
                    b = b &* p
                    b ^= b >> 29
                }
            } else {
                for _ in 0..<8 {
                    a = (a ^ (x & 255)) &* p
                    b = (b ^ (x & 255)) &* p
                    b ^= b >> 29
                    x >>= 8
                }
            }
        }
        h1 = a
        h2 = b
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
