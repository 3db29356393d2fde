import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecTensor

/// SASRec (Kang & McAuley, ICDM 2018) in the form of the official gSASRec PyTorch port
/// (reference-facts §1.1): learnable absolute positions counted from the left of the padded
/// window (the most recent item always at L − 1), embedding dropout then the padding mask,
/// `TransformerBlock.sasrec` blocks (LN on queries only, residual from the normalised input,
/// ReLU FFN of width d), a final LayerNorm, and a separate output embedding table (optionally
/// the input table). Deviations from the original SASRec paper, as in the port: no √d scaling
/// of item embeddings; negatives are not filtered against the history; padding id 0 here
/// (the port uses N + 1) — the id layout of `ItemVocabulary`.
public final class SASRec: Layer {
    public struct Config: Sendable, Codable, Equatable {
        public var maxLength = 200
        public var dim = 128
        public var blocks = 2
        public var heads = 1
        public var dropout: Float = 0.5
        public var reuseItemEmbeddings = false
        public var seed: UInt64 = 42
        public init(maxLength: Int = 200, dim: Int = 128, blocks: Int = 2, heads: Int = 1, dropout: Float = 0.5,
                    reuseItemEmbeddings: Bool = false, seed: UInt64 = 42) {
            self.maxLength = maxLength
            self.dim = dim
            self.blocks = blocks
            self.heads = heads
            self.dropout = dropout
            self.reuseItemEmbeddings = reuseItemEmbeddings
            self.seed = seed
        }

        /// Range checks naming the key.
        public func validate() throws {
            try HyperparameterError.checkAtLeast("maxLength", maxLength, 1)
            try HyperparameterError.checkAtLeast("dim", dim, 1)
            try HyperparameterError.checkAtLeast("blocks", blocks, 1)
            try HyperparameterError.checkAtLeast("heads", heads, 1)
            if dim % heads != 0 {
                throw HyperparameterError(key: "heads", value: "\(heads)", allowed: "divisors of dim = \(dim)")
            }
            try HyperparameterError.check("dropout", Double(dropout), in: 0.0..<1.0)
        }
    }

    public let config: Config
    public let vocabularySize: Int
    public let items: Embedding
    public let positions: Embedding
    public let blocks: [TransformerBlock]
    public let finalNorm: LayerNorm
    public let output: Embedding?
    let embeddingDropout: Dropout

    /// - Throws: `HyperparameterError` naming the key for invalid settings.
    public init(vocabularySize: Int, config: Config) throws {
        try config.validate()
        try HyperparameterError.checkAtLeast("vocabularySize", vocabularySize, 3)
        self.config = config
        self.vocabularySize = vocabularySize
        var rng = SplitMix64(seed: config.seed)
        items = Embedding(count: vocabularySize, dim: config.dim, paddingID: 0, rng: &rng)
        positions = Embedding(count: config.maxLength, dim: config.dim, rng: &rng)
        blocks = try (0..<config.blocks).map { i in
            let b = try TransformerBlock(order: .sasrec, dim: config.dim, heads: config.heads, hidden: config.dim,
                                         activation: .relu, dropout: config.dropout, rng: &rng)
            b.prefixNames("blocks.\(i)")
            return b
        }
        finalNorm = LayerNorm(config.dim)
        output = config.reuseItemEmbeddings ? nil : Embedding(count: vocabularySize, dim: config.dim, paddingID: 0, rng: &rng)
        embeddingDropout = try Dropout(rate: config.dropout)
        items.prefixNames("items")
        positions.prefixNames("positions")
        finalNorm.prefixNames("finalNorm")
        output?.prefixNames("output")
    }

    public var parameters: [Parameter] {
        items.parameters + positions.parameters + blocks.flatMap(\.parameters) + finalNorm.parameters + (output?.parameters ?? [])
    }

    /// The table that scores items (the output table, or the input table when reused).
    public var outputTable: Parameter { (output ?? items).table }

    /// Hidden states `[B, L, d]` for left-padded ids `[B, L]` (padding = 0).
    public func encode(_ ids: IDTensor, _ context: inout ForwardContext) -> Tensor {
        let b = ids.shape[0], l = ids.shape[1]
        require(l <= config.maxLength, "SASRec: sequence length \(l) exceeds maxLength \(config.maxLength)")
        let tokens = Tensor(shape: [b, l], scalars: ids.ids.map { $0 == 0 ? 0 : 1 })
        let tokenMask = tokens.reshaped([b, l, 1])
        // Positions 0…L−1 of the window, left to right (rightmost = most recent).
        let pos = IDTensor(shape: [b, l], (0..<(b * l)).map { $0 % l + (config.maxLength - l) })
        var x = embeddingDropout(items(ids) + positions(pos), &context) * tokenMask
        let mask = AttentionMask.causal(keyPadding: tokens)
        for block in blocks { x = block(x, mask: mask, tokenMask: tokenMask, &context) }
        return finalNorm(x)
    }
}
