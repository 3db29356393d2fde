import SeqRecCore
import SeqRecData

/// The Quotient-Remainder baseline (Shi et al., KDD 2020; thesis §6.5): m = 2 and
/// b = D = ⌈√(N + 2)⌉ over vocabulary ids, code = (id div D, id mod D). (The authors' layer
/// allocates ⌈√N⌉ rows, which can be one short of D; here b = D so every code is valid.)
public struct QuotientRemainderAssignment: CodeAssignment {
    public static let id = "quotient-remainder"
    public init() {}

    /// The divisor D for a vocabulary of `size` ids.
    public static func divisor(vocabularySize size: Int) -> Int {
        var d = Int(Double(size).squareRoot())
        while d * d < size { d += 1 }
        return d
    }

    public func assign(_ split: DatasetSplit, splits m: Int, subIDs b: Int) throws -> RecJPQCodebook {
        guard m == 2 else { throw HyperparameterError(key: "splits", value: "\(m)", allowed: "2 (quotient-remainder)") }
        let size = split.dataset.vocabulary.size
        let d = Self.divisor(vocabularySize: size)
        var codes = [Int32](repeating: 0, count: size * 2)
        for id in 0..<size {
            codes[id * 2] = Int32(id / d)
            codes[id * 2 + 1] = Int32(id % d)
        }
        return try RecJPQCodebook(vocabularySize: size, splits: 2, subIDs: d, codes: codes, strategy: Self.id)
    }
}
