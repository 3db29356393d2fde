import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// BERT4Rec (Sun et al., CIKM 2019; thesis §2.3.4 and ch. 3) in the form of the authors' aprec
/// HuggingFace model ("Ours", reference-facts §3.2): item + learnable position embeddings →
/// LayerNorm (ε 1e-12) → dropout; post-LN bidirectional Transformer blocks with GELU (erf) FFNs;
/// the masked-LM head (dense d → e, GELU, LayerNorm) scoring against the tied input item vectors
/// plus a per-item output bias. Trained by item masking ([MASK] = N + 1); at inference [MASK] is
/// appended after the last `maxLength − 1` history items and its position scores the catalogue.
///
/// The same class is ALBERT4Rec (§3.5.3) with `sharedLayers` (one block's weights reused by every
/// layer, ALBERT's cross-layer sharing) and `embeddingSize` e < d (ALBERT's factorised embedding:
/// items live in e dimensions, projected to d at the input; the head maps back to e).
///
/// With `disentangledAttention` it is DeBERTa4Rec (§3.5.3): DeBERTa's disentangled attention
/// (`DisentangledAttention`: content→content, content→position and position→content terms over
/// a relative-position table shared by the layers) besides the absolute input positions.
///
/// Deviations, all documented choices: padded keys are masked in attention (the aprec model passes
/// no attention mask, so its outputs depend on the amount of padding); positions are counted from
/// the right of the window, like SASRec's, so outputs do not depend on left padding either; the
/// constant token-type embedding is absorbed into the position table (it is added to every position).
public final class BERT4Rec: SequentialModel {
    public static let id = "bert4rec"

    public struct Config: SequentialModelSettings, Equatable {
        /// L, the window (inference: L − 1 history items + [MASK]).
        public var maxLength = 200
        /// d, the hidden width.
        public var dim = 64
        public var blocks = 2
        public var heads = 2
        /// Width of the FFN's inner layer (original BERT4Rec 4d = 256; aprec "Ours" 128).
        public var intermediate = 256
        /// Hidden (embedding, residual, FFN) dropout.
        public var dropout: Float = 0.2
        /// Dropout on the attention weights.
        public var attentionDropout: Float = 0.2
        /// ALBERT4Rec: e, the item embedding width (0 = d, no factorisation).
        public var embeddingSize = 0
        /// ALBERT4Rec: one set of block weights shared by every layer.
        public var sharedLayers = false
        /// DeBERTa4Rec: disentangled attention over content and relative positions (a shared
        /// relative table spanning the whole window), besides the absolute input positions.
        public var disentangledAttention = false
        /// Std of the truncated-normal initialisation of weights and tables (BERT's 0.02).
        public var initializerRange: Float = 0.02
        public var itemEmbedding = ItemEmbeddingConfig()
        public var seed: UInt64 = 42

        public init() {}

        private enum CodingKeys: String, CodingKey {
            case maxLength, dim, blocks, heads, intermediate, dropout, attentionDropout, embeddingSize, sharedLayers,
                 disentangledAttention, initializerRange, itemEmbedding, seed
        }

        /// Absent keys keep their defaults (recorded configs of earlier versions still load).
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self), d = Config()
            maxLength = try c.value(.maxLength, or: d.maxLength)
            dim = try c.value(.dim, or: d.dim)
            blocks = try c.value(.blocks, or: d.blocks)
            heads = try c.value(.heads, or: d.heads)
            intermediate = try c.value(.intermediate, or: d.intermediate)
            dropout = try c.value(.dropout, or: d.dropout)
            attentionDropout = try c.value(.attentionDropout, or: d.attentionDropout)
            embeddingSize = try c.value(.embeddingSize, or: d.embeddingSize)
            sharedLayers = try c.value(.sharedLayers, or: d.sharedLayers)
            disentangledAttention = try c.value(.disentangledAttention, or: d.disentangledAttention)
            initializerRange = try c.value(.initializerRange, or: d.initializerRange)
            itemEmbedding = try c.value(.itemEmbedding, or: d.itemEmbedding)
            seed = try c.value(.seed, or: d.seed)
        }

        /// Blocks, heads and the feed-forward width.
        public var encoderShape: EncoderShape { EncoderShape(blocks: blocks, heads: heads, feedForward: intermediate, separateOutput: false) }

        /// e, the width of item vectors.
        public var itemDim: Int { embeddingSize == 0 ? dim : embeddingSize }

        /// Range checks naming the key.
        public func validate() throws {
            try HyperparameterError.check("maxLength", maxLength, in: 2...ModelLimits.maxLength)
            try HyperparameterError.check("dim", dim, in: 1...ModelLimits.dim)
            try HyperparameterError.check("blocks", blocks, in: 1...ModelLimits.blocks)
            try HyperparameterError.check("heads", heads, in: 1...dim)
            if dim % heads != 0 { throw HyperparameterError(key: "heads", value: "\(heads)", allowed: "divisors of dim = \(dim)") }
            try HyperparameterError.check("intermediate", intermediate, in: 1...ModelLimits.feedForward)
            try HyperparameterError.check("dropout", Double(dropout), in: 0.0..<1.0)
            try HyperparameterError.check("attentionDropout", Double(attentionDropout), in: 0.0..<1.0)
            try HyperparameterError.check("embeddingSize", embeddingSize, in: 0...ModelLimits.dim)
            try HyperparameterError.checkPositive("initializerRange", Double(initializerRange))
            try itemEmbedding.validate(dim: itemDim, shared: true)
        }
    }

    public let config: Config
    public let vocabularySize: Int
    public let items: any ItemEmbedding
    /// ALBERT's factorised embedding: e → d (nil without factorisation).
    public let embeddingProjection: Linear?
    public let positions: Embedding
    public let embeddingNorm: LayerNorm
    /// One block per layer, or one block reused by every layer (`sharedLayers`); empty with
    /// disentangled attention.
    public let blocks: [TransformerBlock]
    /// DeBERTa4Rec's blocks (disentangled attention), and their shared `[2L, d]` relative table.
    public let disentangledBlocks: [DisentangledBlock]
    public let relativePositions: Embedding?
    /// The masked-LM head's transform: dense d → e, GELU, LayerNorm.
    public let headDense: Linear
    public let headNorm: LayerNorm
    /// Per-item output bias `[vocabulary]`.
    public let bias: Parameter
    let embeddingDropout: Dropout

    /// - Throws: `HyperparameterError` naming the key for invalid settings.
    /// - Parameter id: the registry id this instance is (`bert4rec`, or `albert4rec` for the ALBERT form).
    public init(vocabularySize: Int, config: Config, codebook: RecJPQCodebook? = nil, id: String = BERT4Rec.id) throws {
        try config.validate()
        modelID = id
        try HyperparameterError.checkAtLeast("vocabularySize", vocabularySize, 3)
        self.config = config
        self.vocabularySize = vocabularySize
        var rng = SplitMix64(seed: config.seed)
        let weights = Initializer.truncatedNormal(std: config.initializerRange)
        let e = config.itemDim, d = config.dim
        items = try config.itemEmbedding.make(vocabularySize: vocabularySize, dim: e, initializer: weights, codebook: codebook, rng: &rng)
        embeddingProjection = e == d ? nil : Linear(e, d, weightInit: weights, biasInit: .zeros, rng: &rng)
        positions = Embedding(count: config.maxLength, dim: d, initializer: weights, rng: &rng)
        embeddingNorm = LayerNorm(d, epsilon: 1e-12)
        let layers = config.sharedLayers ? 1 : config.blocks
        blocks = config.disentangledAttention ? [] : try (0..<layers).map { i in
            let b = try TransformerBlock(order: .postLN, dim: d, heads: config.heads, hidden: config.intermediate, activation: .gelu,
                                         dropout: config.dropout, attentionDropout: config.attentionDropout, layerNormEpsilon: 1e-12, attentionForm: .standard,
                                         weightInit: weights, biasInit: .zeros, rng: &rng)
            b.prefixNames("blocks.\(i)")
            return b
        }
        disentangledBlocks = !config.disentangledAttention ? [] : try (0..<layers).map { i in
            let b = try DisentangledBlock(dim: d, heads: config.heads, hidden: config.intermediate, dropout: config.dropout,
                                          attentionDropout: config.attentionDropout, layerNormEpsilon: 1e-12,
                                          weightInit: weights, biasInit: .zeros, rng: &rng)
            b.prefixNames("blocks.\(i)")
            return b
        }
        relativePositions = config.disentangledAttention ? Embedding(count: 2 * config.maxLength, dim: d, initializer: weights, rng: &rng) : nil
        relativePositions?.prefixNames("relativePositions")
        headDense = Linear(d, e, weightInit: weights, biasInit: .zeros, rng: &rng)
        headNorm = LayerNorm(e, epsilon: 1e-12)
        bias = Parameter("output.bias", Tensor(repeating: 0, shape: [vocabularySize]))
        embeddingDropout = try Dropout(rate: config.dropout)
        items.prefixNames("items")
        embeddingProjection?.prefixNames("embeddingProjection")
        positions.prefixNames("positions")
        embeddingNorm.prefixNames("embeddingNorm")
        headDense.prefixNames("head.dense")
        headNorm.prefixNames("head.norm")
    }

    public var parameters: [Parameter] {
        items.parameters + (embeddingProjection?.parameters ?? []) + positions.parameters + embeddingNorm.parameters
            + blocks.flatMap(\.parameters) + disentangledBlocks.flatMap(\.parameters) + (relativePositions?.parameters ?? [])
            + headDense.parameters + headNorm.parameters + [bias]
    }

    public let modelID: String
    public var settings: any SequentialModelSettings { config }
    public var itemParameters: [Parameter] { items.parameters + [bias] }
    public var isCausal: Bool { false }
    public var itemDim: Int { config.itemDim }
    /// [MASK] = N + 1.
    public var maskID: Int32 { Int32(vocabularySize - 1) }

    public func outputMatrix() -> Tensor { items.matrix() }
    public func outputBias() -> Tensor? { bias.tracked }

    public func outputTransform(_ hidden: Tensor, _ context: inout ForwardContext) -> Tensor {
        headNorm(headDense(hidden).gelu())
    }

    /// The last `maxLength − 1` items, then [MASK].
    public func inferenceWindow<C: Collection>(_ history: C) -> [Int32] where C.Element == Int32 {
        Array(history.suffix(config.maxLength - 1)) + [maskID]
    }

    /// Hidden states `[B, L, d]` for left-padded ids `[B, L]` (padding = 0, [MASK] = N + 1).
    public func encode(_ ids: IDTensor, _ context: inout ForwardContext) -> Tensor {
        let b = ids.shape[0], l = ids.shape[1]
        require(l <= config.maxLength, "BERT4Rec: sequence length \(l) exceeds maxLength \(config.maxLength)")
        if let relative = relativePositions?.table.tracked {
            // DeBERTa4Rec: the padded layout (relative positions need the window's geometry).
            let tokens = Tensor(shape: [b, l], scalars: ids.ids.map { $0 == 0 ? 0 : 1 })
            var x = items(ids)
            if let p = embeddingProjection { x = p(x) }
            x = embeddingDropout(embeddingNorm(x + positions(rightAlignedPositions(batch: b, length: l))), &context)
            let mask = AttentionMask.keyPadding(tokens)
            for i in 0..<config.blocks { x = disentangledBlocks[config.sharedLayers ? 0 : i](x, relative: relative, mask: mask, &context) }
            return x
        }
        // Only the real positions are computed (padding keys are masked, so nothing else changes).
        let packed = PackedSequences(ids: ids)
        var x = embedPacked(ids, packed, &context)
        for i in 0..<config.blocks { x = blocks[config.sharedLayers ? 0 : i](x, sequences: packed, causal: false, &context) }
        return packed.unpack(x)
    }

    /// Item embeddings of the packed rows (projected when factorised) plus positions, normalised, with dropout.
    private func embedPacked(_ ids: IDTensor, _ packed: PackedSequences, _ context: inout ForwardContext) -> Tensor {
        var x = items(packed.pack(ids))
        if let p = embeddingProjection { x = p(x) }
        return embeddingDropout(embeddingNorm(x + positions(packed.positions(offset: config.maxLength - ids.shape[1]))), &context)
    }

    /// The last column's hidden states (the [MASK] at inference) with the final block run on the
    /// last rows only; DeBERTa4Rec's relative attention encodes the whole window.
    public func encodeLast(_ ids: IDTensor) -> Tensor {
        let l = ids.shape[1]
        guard relativePositions == nil, l <= config.maxLength else { return encodeLastBySlicing(ids) }
        var context = ForwardContext.inference
        let packed = PackedSequences(ids: ids)
        let x = embedPacked(ids, packed, &context)
        let stack = (0..<config.blocks).map { blocks[config.sharedLayers ? 0 : $0] }
        return lastColumnThroughBlocks(x, packed: packed, blocks: stack, causal: false, final: { $0 },
                                       fill: Tensor.zeros([1, dim]))
    }
}

extension BERT4Rec {
    /// The registry entries: BERT4Rec, and ALBERT4Rec as its shared-layer, factorised-embedding form.
    public static let entry = ModelEntry(id: id, summary: "BERT4Rec: bidirectional post-LN Transformer, item masking (thesis §2.3.4, ch. 3)",
                                         config: Config.self, defaults: Config(), objectives: [ItemMaskingSampler.id],
                                         small: ["maxLength": 12, "dim": 16, "blocks": 2, "heads": 2, "intermediate": 32, "dropout": 0,
                                                 "attentionDropout": 0]) { c, v, codebook in
        try BERT4Rec(vocabularySize: v, config: c, codebook: codebook)
    }

    /// ALBERT4Rec's defaults: the aprec ML-1M config (hidden 256, 16 heads, intermediate 128,
    /// 2 layers sharing one block's weights, factorised embedding 128; reference-facts §3.3).
    public static var albertDefaults: Config {
        var c = Config()
        c.dim = 256
        c.heads = 16
        c.intermediate = 128
        c.embeddingSize = 128
        c.sharedLayers = true
        return c
    }

    public static let albertEntry = ModelEntry(id: "albert4rec", summary: "ALBERT4Rec: BERT4Rec with cross-layer sharing and a factorised embedding (§3.5.3)",
                                               config: Config.self, defaults: albertDefaults, objectives: [ItemMaskingSampler.id],
                                               small: ["maxLength": 12, "dim": 32, "blocks": 2, "heads": 2, "intermediate": 32,
                                                       "embeddingSize": 16, "dropout": 0, "attentionDropout": 0]) { c, v, codebook in
        try BERT4Rec(vocabularySize: v, config: c, codebook: codebook, id: "albert4rec")
    }

    /// "Ours" of Table 3.4 (L 50, d 64, 2 blocks, 2 heads, masking 0.2), its longer-sequence
    /// variant, the ML-1M L 200 model of ch. 5, and gBERT4Rec (gBCE with sampled negatives, §5.6.2.4).
    /// DeBERTa4Rec's defaults: BERT4Rec's with disentangled attention (the thesis: "the same
    /// configuration as BERT4Rec"; §3.5.3).
    public static var debertaDefaults: Config {
        var c = Config()
        c.disentangledAttention = true
        return c
    }

    public static let debertaEntry = ModelEntry(id: "deberta4rec", summary: "DeBERTa4Rec: BERT4Rec with disentangled relative-position attention (§3.5.3)",
                                                config: Config.self, defaults: debertaDefaults, objectives: [ItemMaskingSampler.id],
                                                small: ["maxLength": 12, "dim": 16, "blocks": 2, "heads": 2, "intermediate": 32, "dropout": 0,
                                                        "attentionDropout": 0]) { c, v, codebook in
        try BERT4Rec(vocabularySize: v, config: c, codebook: codebook, id: "deberta4rec")
    }

    public static let presets: [Preset] = [
        Preset(id: "bert4rec", summary: "BERT4Rec, ML-1M L 200, d 64, 2 blocks, 2 heads, masking 0.2, full softmax (Tables 5.1, 5.2)",
               config: bert(maxLength: 200, loss: .softmax)),
        Preset(id: "bert4rec-ours", summary: "BERT4Rec \"Ours\": L 50, d 64, 2 blocks, 2 heads, masking 0.2 (Table 3.4)",
               config: bert(maxLength: 50, loss: .softmax)),
        Preset(id: "bert4rec-ours-long", summary: "BERT4Rec \"Ours (longer seq)\": L 100 (Table 3.4)", config: bert(maxLength: 100, loss: .softmax)),
        Preset(id: "gbert4rec", summary: "gBERT4Rec: BERT4Rec with 256 sampled negatives and gBCE t 0.75 (§5.6.2.4)",
               config: bert(maxLength: 200, loss: .gbce(negatives: 256, t: 0.75))),
        Preset(id: "deberta4rec", summary: "DeBERTa4Rec, ML-1M L 200 (Table 3.5)",
               config: RunConfig(model: .model("deberta4rec", debertaDefaults), loss: .softmax)),
        Preset(id: "albert4rec", summary: "ALBERT4Rec, ML-1M L 200 (Table 3.5)",
               config: RunConfig(model: .model("albert4rec", { var c = albertDefaults; c.maxLength = 200; return c }()), loss: .softmax)),
    ]

    static func bert(maxLength: Int, loss: LossConfig) -> RunConfig {
        var c = Config()
        c.maxLength = maxLength
        return RunConfig(model: .model(id, c), loss: loss)
    }
}
