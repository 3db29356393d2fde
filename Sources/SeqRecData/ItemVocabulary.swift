import Foundation

/// The fixed id layout shared by every model: 0 = padding, 1…N = items, N+1 = [MASK].
///
/// Embedding tables have `size` = N + 2 rows. Special ids (padding, mask) are never items, so
/// scorers and evaluators can exclude them by range. External ids are kept as text, so ids
/// from any source map back exactly.
public struct ItemVocabulary: Sendable, Equatable, Codable {
    /// The padding id.
    public static let paddingID: Int32 = 0
    /// External id of internal item `i` is `externalIDs[i - 1]`.
    public let externalIDs: [String]
    private let lookup: Lookup

    /// A vocabulary over the given external ids, numbered 1… in this order.
    /// - Throws: `DataError` on duplicate ids.
    public init(externalIDs: [String]) throws {
        var table: [String: Int32] = [:]
        table.reserveCapacity(externalIDs.count)
        for (i, e) in externalIDs.enumerated() {
            if table.updateValue(Int32(i + 1), forKey: e) != nil {
                throw DataError(file: "vocabulary", "duplicate external item id \(e)")
            }
        }
        self.externalIDs = externalIDs
        lookup = Lookup(table)
    }

    /// A vocabulary over ids known to be distinct (the distinct tokens of a read), whose
    /// external → internal map is built on the first `internalID` call: most runs never ask, and
    /// hashing 100,000 strings costs a 20M-line load ~12 ms.
    init(distinctExternalIDs: [String]) {
        externalIDs = distinctExternalIDs
        lookup = Lookup(nil)
    }

    /// The external → internal map, shared by copies, built once under a lock.
    private final class Lookup: @unchecked Sendable {
        private var table: [String: Int32]?
        private let lock = NSLock()
        init(_ table: [String: Int32]?) { self.table = table }

        func id(of external: String, in ids: [String]) -> Int32? {
            lock.lock()
            defer { lock.unlock() }
            if table == nil {
                var t: [String: Int32] = [:]
                t.reserveCapacity(ids.count)
                for (i, e) in ids.enumerated() { t[e] = Int32(i + 1) }
                table = t
            }
            return table![external]
        }
    }

    public static func == (a: ItemVocabulary, b: ItemVocabulary) -> Bool { a.externalIDs == b.externalIDs }

    private enum CodingKeys: String, CodingKey { case externalIDs }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(externalIDs: c.decode([String].self, forKey: .externalIDs))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(externalIDs, forKey: .externalIDs)
    }

    /// N, the number of real items.
    public var itemCount: Int { externalIDs.count }
    /// The [MASK] id, N + 1.
    public var maskID: Int32 { Int32(itemCount + 1) }
    /// Rows of an embedding table covering padding, items and mask: N + 2.
    public var size: Int { itemCount + 2 }
    /// The internal ids of real items, 1…N.
    public var itemIDs: ClosedRange<Int32> { 1...Int32(Swift.max(itemCount, 1)) }

    /// True for real items (not padding, mask or out of range).
    @inlinable public func isItem(_ id: Int32) -> Bool { id >= 1 && Int(id) <= externalIDs.count }

    /// The internal id of an external id, or nil if unknown (out of vocabulary).
    public func internalID(_ external: String) -> Int32? { lookup.id(of: external, in: externalIDs) }

    /// The external id of internal item `id`.
    /// - Precondition: `isItem(id)`.
    public func externalID(_ id: Int32) -> String { externalIDs[Int(id) - 1] }
}
