import SeqRecCore
import SeqRecNN
import SeqRecScoring
import SeqRecTensor

/// RecJPQ item embeddings (Petrov & Macdonald, WSDM 2024; thesis §6.4): the embedding of item i
/// is the concatenation of sub-item embeddings Ψ[k, G[i, k]] over the m splits. Replaces the
/// item-embedding table of any model, for inputs and for output scoring alike (as in the
/// authors' code). Only Ψ (`m·b × d/m`, init U(±0.05)) is trainable; the codebook is fixed.
public final class RecJPQEmbedding: ItemEmbedding {
    public let codebook: RecJPQCodebook
    public let dim: Int
    /// Ψ as rows `k·b + j`, each d/m wide.
    public let subItemEmbeddings: Parameter

    public init(codebook: RecJPQCodebook, dim: Int, rng: inout SplitMix64) throws {
        guard dim % codebook.splits == 0 else {
            throw HyperparameterError(key: "dim", value: "\(dim)", allowed: "multiples of splits = \(codebook.splits)")
        }
        self.codebook = codebook
        self.dim = dim
        let rows = codebook.splits * codebook.subIDs
        subItemEmbeddings = Parameter("subItemEmbeddings",
                                      Initializer.uniform(limit: 0.05).make(Shape([rows, dim / codebook.splits]), fanIn: 0, fanOut: 0, rng: &rng))
    }

    public var parameters: [Parameter] { [subItemEmbeddings] }

    public var vocabularySize: Int { codebook.vocabularySize }

    /// Every vocabulary id's embedding, `[vocabularySize, d]` (one gather of Ψ's rows).
    public func matrix() -> Tensor {
        callAsFunction(IDTensor(shape: [codebook.vocabularySize], ids: (0..<codebook.vocabularySize).map { Int32($0) }))
    }

    /// The codes as a `[vocabularySize, splits]` byte tensor for checkpoints (requires b ≤ 256).
    public var codeBytes: SafeTensors.ByteTensor {
        SafeTensors.ByteTensor(shape: [codebook.vocabularySize, codebook.splits], bytes: codebook.codes.map { UInt8($0) })
    }

    /// Embeddings of `ids` (`[…]` → `[…, d]`): one gather of the m sub-item rows per id, whose
    /// contiguous `[…, m, d/m]` result is the concatenation. Gradients reach only the gathered
    /// rows of Ψ.
    public func callAsFunction(_ ids: IDTensor) -> Tensor {
        let m = codebook.splits, b = codebook.subIDs
        var rows = [Int32](repeating: 0, count: ids.count * m)
        for (p, id) in ids.ids.enumerated() {
            require(id >= 0 && Int(id) < codebook.vocabularySize, "RecJPQEmbedding: id \(id) outside 0..<\(codebook.vocabularySize)")
            for k in 0..<m { rows[p * m + k] = Int32(k * b) + codebook.code(Int(id), split: k) }
        }
        let gathered = subItemEmbeddings.tracked.gatherRows(IDTensor(shape: ids.shape.appending(m), ids: rows))
        return gathered.reshaped(ids.shape.array + [dim])
    }

    /// The PQ catalogue of items 1…N (catalogue index = id − 1) for the exact top-K scorers.
    /// - Throws: `HyperparameterError` if b > 256 (e.g. quotient-remainder on large catalogues).
    public func catalogue() throws -> PQCatalogue {
        let m = codebook.splits, n = codebook.vocabularySize - 2
        guard codebook.subIDs <= 256 else {
            throw HyperparameterError(key: "subIDs", value: "\(codebook.subIDs)", allowed: "≤ 256 for byte codes")
        }
        var codes = [UInt8](repeating: 0, count: n * m)
        for i in 0..<n { for k in 0..<m { codes[i * m + k] = UInt8(codebook.code(i + 1, split: k)) } }
        return try PQCatalogue(items: n, splits: m, subIDs: codebook.subIDs, dim: dim, codes: codes,
                               subEmbeddings: subItemEmbeddings.value.scalars)
    }

    /// Model size of the item representation, defined explicitly: Ψ's parameter bytes (float32)
    /// plus the codebook bytes (1 per code when b ≤ 256, else 4).
    public var bytes: (parameters: Int, codebook: Int) { (subItemEmbeddings.value.count * 4, codebook.bytes) }
}
