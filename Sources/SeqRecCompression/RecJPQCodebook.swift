import SeqRecCore
import SeqRecScoring

/// RecJPQ's fixed item → sub-id table G (thesis §6.4): `splits` sub-ids per vocabulary id,
/// each below `subIDs`, filled once before training by a `CodeAssignment` strategy.
/// Rows cover the whole vocabulary (padding 0, items 1…N, mask N+1), as in the authors' layer.
public struct RecJPQCodebook: Sendable, Equatable, Codable {
    public let vocabularySize: Int
    public let splits: Int
    public let subIDs: Int
    /// Row-major `[vocabularySize, splits]`.
    public let codes: [Int32]
    /// Strategy that produced it (recorded with results).
    public let strategy: String

    /// - Throws: `HyperparameterError` for shapes that disagree or codes outside [0, subIDs).
    public init(vocabularySize: Int, splits: Int, subIDs: Int, codes: [Int32], strategy: String) throws {
        try HyperparameterError.checkAtLeast("splits", splits, 1)
        try HyperparameterError.checkAtLeast("subIDs", subIDs, 1)
        guard codes.count == vocabularySize * splits else {
            throw HyperparameterError(key: "codes", value: "\(codes.count)", allowed: "vocabularySize × splits = \(vocabularySize * splits)")
        }
        if let bad = codes.first(where: { $0 < 0 || Int($0) >= subIDs }) {
            throw HyperparameterError(key: "codes", value: "sub-id \(bad)", allowed: "[0, \(subIDs))")
        }
        self.vocabularySize = vocabularySize
        self.splits = splits
        self.subIDs = subIDs
        self.codes = codes
        self.strategy = strategy
    }

    /// Sub-id of `id` in split `k`.
    @inlinable public func code(_ id: Int, split k: Int) -> Int32 { codes[id * splits + k] }

    /// Bytes to store the codes: 1 per sub-id when b ≤ 256, else 4.
    public var bytes: Int { codes.count * (subIDs <= 256 ? 1 : 4) }

    /// Sanity warnings: a catalogue smaller than the sub-ids per split (most sub-ids never
    /// used), and degenerate splits (one sub-id holding most items, or very few in use).
    public func warnings(items: Int) -> [String] {
        var out: [String] = []
        if items < subIDs {
            out.append("only \(items) items for \(subIDs) sub-ids per split: most sub-item embeddings will never be used")
        }
        for k in 0..<splits {
            var counts = [Int](repeating: 0, count: subIDs)
            for id in 1...Swift.max(items, 1) where id < vocabularySize { counts[Int(codes[id * splits + k])] += 1 }
            let used = counts.filter { $0 > 0 }.count
            let largest = counts.max() ?? 0
            if items >= 2 && Double(largest) > 0.5 * Double(items) {
                out.append("split \(k) is degenerate: one sub-id holds \(largest) of \(items) items")
            } else if used < Swift.min(subIDs, items) / 4 {
                out.append("split \(k) uses only \(used) of \(subIDs) sub-ids")
            }
        }
        return out
    }
}
