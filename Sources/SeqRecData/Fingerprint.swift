/// A dataset fingerprint: counts plus a 128-bit content hash of the processed sequences (with
/// their external ids) and the preprocessing settings. Attached to every result so numbers are
/// only ever compared on identical data.
public struct DatasetFingerprint: Sendable, Equatable, Codable, CustomStringConvertible {
    public let users: Int
    public let items: Int
    public let interactions: Int
    /// Two independent 64-bit FNV-1a hashes (different offset bases), hex.
    public let hash: String

    public var description: String { "\(users)u-\(items)i-\(interactions)x-\(hash)" }
}

extension SequenceDataset {
    /// The fingerprint of this dataset (deterministic across runs and machines).
    public var fingerprint: DatasetFingerprint {
        var h1: UInt64 = 0xcbf2_9ce4_8422_2325, h2: UInt64 = 0x6c62_272e_07bb_0142
        func mixByte(_ byte: UInt8) {
            h1 = (h1 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            h2 = (h2 ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            h2 ^= h2 >> 29
        }
        func mix(_ s: String) { for b in s.utf8 { mixByte(b) }; mixByte(0) }
        func mix(_ v: Int64) { var x = UInt64(bitPattern: v); for _ in 0..<8 { mixByte(UInt8(x & 255)); x >>= 8 } }
        mix(provenance.split(separator: ";").dropFirst().joined(separator: ";"))  // settings, not the path
        for e in vocabulary.externalIDs { mix(e) }
        for u in 0..<userCount {
            mix(userIDs[u])
            mix(Int64(length(u)))
            for i in sequence(u) { mix(Int64(i)) }
        }
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return DatasetFingerprint(users: userCount, items: vocabulary.itemCount, interactions: interactionCount,
                                  hash: hex(h1) + hex(h2))
    }
}
