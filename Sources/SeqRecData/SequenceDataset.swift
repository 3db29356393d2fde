/// Every user's chronological item sequence, stored once: `offsets` + `items` (CSR).
///
/// Items are internal ids 1…N of `vocabulary`; training windows and evaluation inputs are cut
/// from these arrays on demand, so memory is proportional to the interactions.
public struct SequenceDataset: Sendable {
    /// A short name for messages and results (e.g. `beauty`).
    public let name: String
    /// External user ids; user u's items are `items[offsets[u]..<offsets[u + 1]]`.
    public let userIDs: [String]
    /// Sequence boundaries, `userIDs.count + 1` entries.
    public let offsets: [Int]
    /// Internal item ids of all users, concatenated.
    public let items: [Int32]
    /// Timestamps parallel to `items`, when the source had them.
    public let timestamps: [Double]?
    /// The id layout.
    public let vocabulary: ItemVocabulary
    /// How the data was read and processed (part of the fingerprint).
    public let provenance: String

    /// The fingerprint when already known (computed once, or read from a `DatasetCache` entry).
    let knownFingerprint: DatasetFingerprint?

    public init(name: String, userIDs: [String], offsets: [Int], items: [Int32], timestamps: [Double]?,
                vocabulary: ItemVocabulary, provenance: String, fingerprint: DatasetFingerprint? = nil) {
        require(offsets.count == userIDs.count + 1 && offsets.last == items.count,
                "SequenceDataset: offsets do not match users/items")
        self.name = name
        self.userIDs = userIDs
        self.offsets = offsets
        self.items = items
        self.timestamps = timestamps
        self.vocabulary = vocabulary
        self.provenance = provenance
        knownFingerprint = fingerprint
    }

    /// This dataset with its fingerprint computed once and kept, so later uses cost nothing.
    public func fingerprinted() -> SequenceDataset {
        knownFingerprint != nil ? self : with(fingerprint: fingerprint)
    }

    /// This dataset with `fingerprint` (computed from this very data) kept.
    func with(fingerprint: DatasetFingerprint) -> SequenceDataset {
        SequenceDataset(name: name, userIDs: userIDs, offsets: offsets, items: items, timestamps: timestamps,
                        vocabulary: vocabulary, provenance: provenance, fingerprint: fingerprint)
    }

    /// The number of users.
    public var userCount: Int { userIDs.count }
    /// The number of interactions.
    public var interactionCount: Int { items.count }

    /// User `u`'s sequence, oldest first.
    @inlinable
    public func sequence(_ u: Int) -> ArraySlice<Int32> { items[offsets[u]..<offsets[u + 1]] }

    /// The length of user `u`'s sequence.
    @inlinable
    public func length(_ u: Int) -> Int { offsets[u + 1] - offsets[u] }

    /// Interactions per item id (index 0 and N+1 are zero).
    public func itemCounts() -> [Int] {
        var c = [Int](repeating: 0, count: vocabulary.size)
        for i in items { c[Int(i)] += 1 }
        return c
    }
}

import SeqRecCore
