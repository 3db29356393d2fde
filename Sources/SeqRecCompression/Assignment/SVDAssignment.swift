import SeqRecCore
import SeqRecData
import SeqRecTensor

/// Discrete truncated SVD (thesis §6.4.1, RecJPQ's default): the user × item matrix of the
/// training data, its top-m right singular vectors (Vᵀ rows, **not** scaled by the singular
/// values, as the authors' code), each discretised into b quantile bins (`Discretisation`).
///
/// Explicit choices where code and thesis differ (reference-facts §7.2): the matrix holds
/// interaction **counts** (the code sums duplicates; the thesis says binary) — `binary: true`
/// gives the thesis's version; the noise uses standard deviation 1e-5. The SVD is the engine's
/// randomized sparse SVD, so millions of items never densify the matrix.
public struct SVDAssignment: CodeAssignment {
    public static let id = "svd"
    public var binary: Bool
    public var seed: UInt64
    public init(binary: Bool = false, seed: UInt64 = 1) {
        self.binary = binary
        self.seed = seed
    }

    public func assign(_ split: DatasetSplit, splits m: Int, subIDs b: Int) throws -> RecJPQCodebook {
        let d = split.dataset, n = d.vocabulary.itemCount
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for u in 0..<d.userCount { for i in split.trainSequence(u) { triplets.append((u, Int(i) - 1, 1)) } }
        var csr = CSRMatrix(rows: d.userCount, columns: n, triplets: triplets)
        if binary {
            csr = CSRMatrix(rows: csr.rows, columns: csr.columns, rowStarts: csr.rowStarts, columnIndices: csr.columnIndices,
                            values: csr.values.map { _ in 1 })
        }
        let rank = Swift.min(m, Swift.min(d.userCount, n))
        var rng = SplitMix64(seed: seed)
        let svd = try SVD.randomized(csr, rank: rank, rng: &rng)
        let vt = svd.vt.scalars
        let vectors = (0..<n).map { i in (0..<m).map { k in k < rank ? vt[k * n + i] : 0 } }
        let codes = Discretisation.quantileCodes(vectors, vocabularySize: d.vocabulary.size, subIDs: b, seed: seed ^ 0x5EED)
        return try RecJPQCodebook(vocabularySize: d.vocabulary.size, splits: m, subIDs: b, codes: codes,
                                  strategy: Self.id + (binary ? "(binary)" : "(counts)"))
    }
}
