import SeqRecCore
import SeqRecData

/// Random assignment: every split's sub-id uniform in [0, b), independently (seeded).
public struct RandomAssignment: CodeAssignment {
    public static let id = "random"
    public var seed: UInt64
    public init(seed: UInt64 = 1) { self.seed = seed }

    public func assign(_ split: DatasetSplit, splits m: Int, subIDs b: Int) throws -> RecJPQCodebook {
        let size = split.dataset.vocabulary.size
        var rng = SplitMix64(seed: seed)
        var codes = [Int32](repeating: 0, count: size * m)
        for id in 1...split.dataset.vocabulary.itemCount { for k in 0..<m { codes[id * m + k] = Int32(rng.nextInt(below: b)) } }
        return try RecJPQCodebook(vocabularySize: size, splits: m, subIDs: b, codes: codes, strategy: Self.id)
    }
}
