import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// SASRec (Kang & McAuley, ICDM 2018) in the form of the official gSASRec PyTorch port
/// (reference-facts §1.1): learnable absolute positions counted from the left of the padded
/// window (the most recent item always at L − 1), embedding dropout then the padding mask,
/// `TransformerBlock.sasrec` blocks (LN on queries only, residual from the normalised input,
/// ReLU FFN of width d), a final LayerNorm, and a separate output embedding table (optionally
/// the input table). Deviations from the original SASRec paper, as in the port: no √d scaling
/// of item embeddings; negatives are not filtered against the history; padding id 0 here
/// (the port uses N + 1) — the id layout of `ItemVocabulary`.
///
/// With `itemEmbedding.kind = "recjpq"` the item table is RecJPQ's sub-item embeddings
/// (thesis §6.4, `RecJPQEmbedding`), shared by input and output as in the authors' code.
public final class SASRec: SequentialModel {
    public static let id = "sasrec"
    /// The item representation (shared by every model).
    public typealias ItemEmbeddingConfig = SeqRecModels.ItemEmbeddingConfig

    public struct Config: SequentialModelSettings, Equatable {
        public var maxLength = 200
        public var dim = 128
        public var blocks = 2
        public var heads = 1
        public var dropout: Float = 0.5
        public var reuseItemEmbeddings = false
        public var itemEmbedding = ItemEmbeddingConfig()
        /// Initialisation of the dense item, position and output tables: "normal" = N(0, 1)
        /// (PyTorch's default, the gSASRec port) or "uniform" = U(±0.05) (Keras's default, the
        /// authors' TensorFlow gSASRec/aprec code; reference-facts §1.2).
        public var embeddingInit = "normal"
        public var seed: UInt64 = 42
        public init(maxLength: Int = 200, dim: Int = 128, blocks: Int = 2, heads: Int = 1, dropout: Float = 0.5,
                    reuseItemEmbeddings: Bool = false, itemEmbedding: ItemEmbeddingConfig = .init(), seed: UInt64 = 42) {
            self.maxLength = maxLength
            self.dim = dim
            self.blocks = blocks
            self.heads = heads
            self.dropout = dropout
            self.reuseItemEmbeddings = reuseItemEmbeddings
            self.itemEmbedding = itemEmbedding
            self.seed = seed
        }

        private enum CodingKeys: String, CodingKey {
            case maxLength, dim, blocks, heads, dropout, reuseItemEmbeddings, itemEmbedding, embeddingInit, seed
        }

        /// Absent keys keep their defaults, so configs recorded before a setting existed (in
        /// checkpoints and result files) still decode to what they ran with. Unknown keys are
        /// rejected earlier, by `StrictConfig`.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Config()
            maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength) ?? d.maxLength
            dim = try c.decodeIfPresent(Int.self, forKey: .dim) ?? d.dim
            blocks = try c.decodeIfPresent(Int.self, forKey: .blocks) ?? d.blocks
            heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
            dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? d.dropout
            reuseItemEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .reuseItemEmbeddings) ?? d.reuseItemEmbeddings
            itemEmbedding = try c.decodeIfPresent(ItemEmbeddingConfig.self, forKey: .itemEmbedding) ?? d.itemEmbedding
            embeddingInit = try c.decodeIfPresent(String.self, forKey: .embeddingInit) ?? d.embeddingInit
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        }

        /// Blocks, heads and the feed-forward width (d: the port's point-wise layers).
        public var encoderShape: EncoderShape { EncoderShape(blocks: blocks, heads: heads, feedForward: dim, separateOutput: !reuseItemEmbeddings) }

        /// Range checks naming the key.
        public func validate() throws {
            try HyperparameterError.check("maxLength", maxLength, in: 1...ModelLimits.maxLength)
            try HyperparameterError.check("dim", dim, in: 1...ModelLimits.dim)
            try HyperparameterError.check("blocks", blocks, in: 1...ModelLimits.blocks)
            try HyperparameterError.check("heads", heads, in: 1...dim)
            if dim % heads != 0 {
                throw HyperparameterError(key: "heads", value: "\(heads)", allowed: "divisors of dim = \(dim)")
            }
            try HyperparameterError.check("dropout", Double(dropout), in: 0.0..<1.0)
            guard ["normal", "uniform"].contains(embeddingInit) else {
                throw HyperparameterError(key: "embeddingInit", value: embeddingInit, allowed: "normal, uniform")
            }
            try itemEmbedding.validate(dim: dim, shared: reuseItemEmbeddings)
        }
    }

    public let config: Config
    public let vocabularySize: Int
    public let items: any ItemEmbedding
    public let positions: Embedding
    public let blocks: [TransformerBlock]
    public let finalNorm: LayerNorm
    public let output: Embedding?
    let embeddingDropout: Dropout

    /// - Parameter codebook: the fixed RecJPQ codes when `config.itemEmbedding.kind` is
    ///   "recjpq" (see `SASRec.codebook(for:config:)`); ignored otherwise.
    /// - Throws: `HyperparameterError` naming the key for invalid settings.
    public init(vocabularySize: Int, config: Config, codebook: RecJPQCodebook? = nil) throws {
        try config.validate()
        try HyperparameterError.checkAtLeast("vocabularySize", vocabularySize, 3)
        self.config = config
        self.vocabularySize = vocabularySize
        var rng = SplitMix64(seed: config.seed)
        let tableInit: Initializer = config.embeddingInit == "uniform" ? .uniform(limit: 0.05) : .normal(std: 1)
        items = try config.itemEmbedding.make(vocabularySize: vocabularySize, dim: config.dim, initializer: tableInit,
                                              codebook: codebook, rng: &rng)
        positions = Embedding(count: config.maxLength, dim: config.dim, initializer: tableInit, rng: &rng)
        blocks = try (0..<config.blocks).map { i in
            let b = try TransformerBlock(order: .sasrec, dim: config.dim, heads: config.heads, hidden: config.dim,
                                         activation: .relu, dropout: config.dropout, rng: &rng)
            b.prefixNames("blocks.\(i)")
            return b
        }
        finalNorm = LayerNorm(config.dim)
        output = config.reuseItemEmbeddings ? nil
            : Embedding(count: vocabularySize, dim: config.dim, paddingID: 0, initializer: tableInit, rng: &rng)
        embeddingDropout = try Dropout(rate: config.dropout)
        items.prefixNames("items")
        positions.prefixNames("positions")
        finalNorm.prefixNames("finalNorm")
        output?.prefixNames("output")
    }

    public var parameters: [Parameter] {
        items.parameters + positions.parameters + blocks.flatMap(\.parameters) + finalNorm.parameters + (output?.parameters ?? [])
    }

    /// The `[vocabulary, d]` matrix that scores items (the output table, or the input
    /// representation when reused), recorded on the active tape.
    public func outputMatrix() -> Tensor { output?.table.tracked ?? items.matrix() }

    public var modelID: String { Self.id }
    public var settings: any SequentialModelSettings { config }
    public var itemParameters: [Parameter] { items.parameters + (output?.parameters ?? []) }
    public var isCausal: Bool { true }

    /// Hidden states `[B, L, d]` for left-padded ids `[B, L]` (padding = 0).
    public func encode(_ ids: IDTensor, _ context: inout ForwardContext) -> Tensor {
        let l = ids.shape[1]
        require(l <= config.maxLength, "SASRec: sequence length \(l) exceeds maxLength \(config.maxLength)")
        // Only the real positions are computed: the padded form zeroes padded positions and masks
        // them as keys, so they never reach a real one. A padded row's output is finalNorm(0) = β,
        // as in the padded form and the port, where the position before a short sequence's first
        // item is trained to predict it (the shifted sampler keeps that label).
        let packed = PackedSequences(ids: ids)
        var x = embedPacked(ids, packed, &context)
        for block in blocks { x = block(x, sequences: packed, causal: true, &context) }
        return packed.unpack(finalNorm(x), fill: finalNorm(Tensor.zeros([1, config.dim])))
    }

    /// Item plus position embeddings of the packed rows, with dropout; positions run 0…L−1 left
    /// to right, the rightmost (most recent) column always L − 1.
    private func embedPacked(_ ids: IDTensor, _ packed: PackedSequences, _ context: inout ForwardContext) -> Tensor {
        let pos = packed.positions(offset: config.maxLength - ids.shape[1])
        return embeddingDropout(items(packed.pack(ids)) + positions(pos), &context)
    }

    /// The last column's hidden states with the final block run on the last rows only.
    public func encodeLast(_ ids: IDTensor) -> Tensor {
        let l = ids.shape[1]
        require(l <= config.maxLength, "SASRec: sequence length \(l) exceeds maxLength \(config.maxLength)")
        var context = ForwardContext.inference
        let packed = PackedSequences(ids: ids)
        let x = embedPacked(ids, packed, &context)
        return lastColumnThroughBlocks(x, packed: packed, blocks: blocks, causal: true, final: { finalNorm($0) },
                                       fill: finalNorm(Tensor.zeros([1, config.dim])))
    }
}

extension SASRec {
    /// The RecJPQ codebook `config` asks for, assigned from `split`'s training data with the
    /// model seed (nil for dense item embeddings). Printed warnings come from
    /// `RecJPQCodebook.warnings`.
    public static func codebook(for split: DatasetSplit, config: Config) throws -> RecJPQCodebook? {
        try config.itemEmbedding.codebook(for: split, seed: config.seed)
    }
}

extension SASRec {
    /// The registry entry (`Models.registry`).
    public static let entry = ModelEntry(id: id, summary: "SASRec / gSASRec: causal Transformer, shifted sequences (thesis §2.3.3, ch. 5)",
                                         config: Config.self, defaults: Config(), objectives: [ShiftedSequenceSampler.id],
                                         small: ["maxLength": 12, "dim": 16, "blocks": 2, "heads": 2, "dropout": 0, "embeddingInit": "uniform"]) { c, v, codebook in
        try SASRec(vocabularySize: v, config: c, codebook: codebook)
    }
}
