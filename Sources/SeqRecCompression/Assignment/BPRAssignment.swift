import SeqRecBaselines
import SeqRecCore
import SeqRecData

/// Discrete BPR (thesis §6.4.1): item factors of an m-factor MF-BPR model trained on the
/// training data (the authors used LightFM's BPR, 20 epochs), each factor discretised into b
/// quantile bins (`Discretisation`).
public struct BPRAssignment: CodeAssignment {
    public static let id = "bpr"
    public var epochs: Int
    public var seed: UInt64
    public init(epochs: Int = 20, seed: UInt64 = 1) {
        self.epochs = epochs
        self.seed = seed
    }

    public func assign(_ split: DatasetSplit, splits m: Int, subIDs b: Int) throws -> RecJPQCodebook {
        let bpr = try MatrixFactorizationBPR(split: split, config: .init(factors: m, epochs: epochs, seed: seed))
        let n = split.dataset.vocabulary.itemCount
        let f = bpr.itemFactors
        let vectors = (1...n).map { id in Array(f[(id * m)..<((id + 1) * m)]) }
        let codes = Discretisation.quantileCodes(vectors, vocabularySize: split.dataset.vocabulary.size, subIDs: b, seed: seed ^ 0xB9)
        return try RecJPQCodebook(vocabularySize: split.dataset.vocabulary.size, splits: m, subIDs: b, codes: codes, strategy: Self.id)
    }
}
