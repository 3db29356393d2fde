import SeqRecCore
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
    public var fingerprint: DatasetFingerprint { knownFingerprint ?? computeFingerprint() }

    private func computeFingerprint() -> DatasetFingerprint {
        var h = ContentHasher()
        h.mix(provenance.split(separator: ";").dropFirst().joined(separator: ";"))  // settings, not the path
        for e in vocabulary.externalIDs { h.mix(e) }
        items.withUnsafeBufferPointer { all in
            for u in 0..<userCount {
                h.mix(userIDs[u])
                h.mix(Int64(length(u)))
                h.mix(widening: UnsafeBufferPointer(rebasing: all[offsets[u]..<offsets[u + 1]]))
            }
        }
        return DatasetFingerprint(users: userCount, items: vocabulary.itemCount, interactions: interactionCount,
                                  hash: h.hex)
    }
}
