import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecTensor

/// A model's item representation (`model.itemEmbedding`): a dense table per id, or RecJPQ's
/// sub-item embeddings (thesis §6.4), shared by input and output as in the authors' code. Every
/// model composes with either.
public struct ItemEmbeddingConfig: Sendable, Codable, Equatable {
    public static let kinds = ["dense", "recjpq"]
    /// "dense" or "recjpq".
    public var kind = "dense"
    /// RecJPQ: sub-item ids per item (m); must divide `dim`.
    public var splits = 8
    /// RecJPQ: sub-ids per split (b), at most 256 (codes are bytes).
    public var subIDs = 256
    /// RecJPQ: the code assignment strategy (`CodeAssignments.all`).
    public var assignment = SVDAssignment.id
    public init(kind: String = "dense", splits: Int = 8, subIDs: Int = 256, assignment: String = SVDAssignment.id) {
        self.kind = kind
        self.splits = splits
        self.subIDs = subIDs
        self.assignment = assignment
    }
    public var isRecJPQ: Bool { kind == "recjpq" }

    /// Range checks naming `itemEmbedding.<key>`; `shared` says whether the model scores with its input table.
    public func validate(dim: Int, shared: Bool) throws {
        guard Self.kinds.contains(kind) else {
            throw HyperparameterError(key: "itemEmbedding.kind", value: kind, allowed: Self.kinds.joined(separator: ", "))
        }
        guard isRecJPQ else { return }
        try HyperparameterError.checkAtLeast("itemEmbedding.splits", splits, 1)
        if dim % splits != 0 {
            throw HyperparameterError(key: "itemEmbedding.splits", value: "\(splits)", allowed: "divisors of dim = \(dim)")
        }
        try HyperparameterError.check("itemEmbedding.subIDs", Double(subIDs), in: 1.0...256.0)
        guard CodeAssignments.all.contains(assignment) else {
            throw HyperparameterError(key: "itemEmbedding.assignment", value: assignment, allowed: CodeAssignments.all.joined(separator: ", "))
        }
        guard shared else {
            throw HyperparameterError(key: "reuseItemEmbeddings", value: "false",
                                      allowed: "true with itemEmbedding.kind = recjpq (RecJPQ shares input and output embeddings)")
        }
    }

    /// The RecJPQ codebook this asks for, assigned from `split`'s training data with `seed`
    /// (nil for dense tables).
    public func codebook(for split: DatasetSplit, seed: UInt64) throws -> RecJPQCodebook? {
        guard isRecJPQ else { return nil }
        return try CodeAssignments.make(assignment, seed: seed).assign(split, splits: splits, subIDs: subIDs)
    }

    /// The input item representation: a dense table (padding row 0 kept at zero) drawn from
    /// `initializer`, or RecJPQ over `codebook`.
    /// - Throws: `HyperparameterError` when RecJPQ lacks a codebook or the codebook does not fit.
    public func make(vocabularySize: Int, dim: Int, initializer: Initializer, codebook: RecJPQCodebook?,
                     rng: inout SplitMix64) throws -> any ItemEmbedding {
        guard isRecJPQ else {
            return Embedding(count: vocabularySize, dim: dim, paddingID: 0, initializer: initializer, rng: &rng)
        }
        guard let codebook else {
            throw HyperparameterError(key: "itemEmbedding", value: "recjpq without a codebook",
                                      allowed: "a RecJPQCodebook for the vocabulary (ItemEmbeddingConfig.codebook(for:seed:))")
        }
        guard codebook.vocabularySize == vocabularySize, codebook.splits == splits, codebook.subIDs == subIDs else {
            throw HyperparameterError(key: "itemEmbedding", value: "codebook \(codebook.vocabularySize)×\(codebook.splits) (b \(codebook.subIDs))",
                                      allowed: "vocabulary \(vocabularySize) × splits \(splits) (b \(subIDs))")
        }
        return try RecJPQEmbedding(codebook: codebook, dim: dim, rng: &rng)
    }
}
