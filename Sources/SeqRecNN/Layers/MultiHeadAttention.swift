import SeqRecCore
import SeqRecTensor

/// Scaled dot-product multi-head attention (Vaswani et al., NeurIPS 2017):
/// softmax(Q·Kᵀ/√(d/h) + mask)·V per head.
///
/// Two forms:
/// - `.standard`: Q/K/V projections split into heads, heads concatenated, then an output
///   projection (BERT, GPT-2).
/// - `.sasrec`: the form of SASRec and the gSASRec PyTorch port (reference-facts §1.1): one
///   set of Q/K/V projections whose outputs are cut into h chunks (the heads share the
///   projection matrices) and **no output projection**. Cutting one d×d projection into h
///   chunks is the same map as h per-head d×(d/h) projections, so the two forms differ only
///   by the output projection; queries and keys may come from different inputs (SASRec feeds
///   LN(x) as queries and the raw x as keys and values).
public final class MultiHeadAttention: Layer {
    /// Which of the two layouts above.
    public enum Form: String, Sendable, Codable { case standard, sasrec }

    public let form: Form
    public let heads: Int
    public let dim: Int
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear?
    let attentionDropout: Dropout

    /// - Parameters:
    ///   - attentionDropout: dropout on the attention weights (both forms).
    /// - Throws: `HyperparameterError` for a bad dropout rate or heads not dividing dim.
    public init(dim: Int, heads: Int, form: Form, attentionDropout: Float,
                weightInit: Initializer = .pytorchLinear, biasInit: Initializer = .pytorchLinear,
                rng: inout SplitMix64) throws {
        try HyperparameterError.checkAtLeast("heads", heads, 1)
        guard dim % heads == 0 else {
            throw HyperparameterError(key: "heads", value: "\(heads)", allowed: "divisors of dim \(dim)")
        }
        self.form = form
        self.heads = heads
        self.dim = dim
        query = Linear(dim, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        key = Linear(dim, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        value = Linear(dim, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        output = form == .standard ? Linear(dim, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng) : nil
        query.prefixNames("query")
        key.prefixNames("key")
        value.prefixNames("value")
        output?.prefixNames("output")
        self.attentionDropout = try Dropout(rate: attentionDropout)
    }

    public var parameters: [Parameter] {
        query.parameters + key.parameters + value.parameters + (output?.parameters ?? [])
    }

    /// Attends from `queries` `[B, Lq, d]` over `keysValues` `[B, Lk, d]`.
    /// - Parameter mask: 1 = may attend, 0 = blocked; broadcastable to `[B, h, Lq, Lk]`
    ///   (see `AttentionMask`). Fully blocked query rows output zeros, never NaN.
    public func callAsFunction(queries: Tensor, keysValues: Tensor, mask: Tensor?,
                               _ context: inout ForwardContext) -> Tensor {
        require(queries.rank == 3 && keysValues.rank == 3 && queries.shape[-1] == dim
                     && keysValues.shape[-1] == dim && queries.shape[0] == keysValues.shape[0],
                     "MultiHeadAttention: queries \(queries.shape) / keys \(keysValues.shape) must be [B, L, \(dim)]")
        return attend(queries, keysValues, &context) { q, k, v, scale, rate, seed in
            Tensor.attention(queries: q, keys: k, values: v, heads: heads, scale: scale, mask: mask,
                             dropoutRate: rate, seed: seed)
        }
    }

    /// Attends within each sequence of a packed batch: `queries` and `keysValues` are `[T, d]`
    /// rows laid out by `sequences` (see `PackedSequences`); `causal` lets a position see only
    /// itself and earlier positions. Equal at the real positions to the padded call with a
    /// key-padding (and causal) mask.
    public func callAsFunction(queries: Tensor, keysValues: Tensor, sequences: PackedSequences, causal: Bool,
                               _ context: inout ForwardContext) -> Tensor {
        require(queries.rank == 2 && keysValues.shape == queries.shape && queries.shape[-1] == dim,
                "MultiHeadAttention: packed queries \(queries.shape) / keys \(keysValues.shape) must be [T, \(dim)]")
        return attend(queries, keysValues, &context) { q, k, v, scale, rate, seed in
            Tensor.attention(queries: q, keys: k, values: v, sequences: sequences, heads: heads, scale: scale,
                             causal: causal, dropoutRate: rate, seed: seed)
        }
    }

    /// One query row per sequence, `queries` `[S, d]`, over packed `keysValues` `[T, d]`, query s
    /// attending to rows `keyRanges[s]`: the attention output at the last position only, for
    /// inference (`TransformerBlock.lastRows`).
    public func lastQueries(_ queries: Tensor, keysValues: Tensor, keyRanges: [Range<Int>]) -> Tensor {
        let ctx = Tensor.lastQueryAttention(queries: query(queries), keys: key(keysValues), values: value(keysValues),
                                            keyRanges: keyRanges, heads: heads, scale: 1 / Float(dim / heads).squareRoot())
        return output.map { $0(ctx) } ?? ctx
    }

    /// Projections, the fused attention `op` (q, k, v, scale, dropout rate, seed), output projection.
    private func attend(_ queries: Tensor, _ keysValues: Tensor, _ context: inout ForwardContext,
                        _ op: (Tensor, Tensor, Tensor, Float, Float, UInt64) -> Tensor) -> Tensor {
        let scale = 1 / Float(dim / heads).squareRoot()
        let rate = context.training ? attentionDropout.rate : 0
        let (q, k, v) = (query(queries), key(keysValues), value(keysValues))
        let ctx = op(q, k, v, scale, rate, rate > 0 ? context.nextSeed() : 0)
        return output.map { $0(ctx) } ?? ctx
    }
}

/// Builders for attention masks (1 = may attend, 0 = blocked), shaped to broadcast over
/// `[B, heads, Lq, Lk]`. Build once per forward pass and share across blocks.
public enum AttentionMask {
    /// `[1, 1, L, L]`, lower triangular: position i sees positions ≤ i.
    public static func causal(_ length: Int) -> Tensor {
        var values = [Float](repeating: 0, count: length * length)
        for i in 0..<length { for j in 0...i { values[i * length + j] = 1 } }
        return Tensor(shape: Shape([1, 1, length, length]), scalars: values)
    }

    /// `[B, 1, 1, L]` from a `[B, L]` token mask (1 = real item, 0 = padding).
    public static func keyPadding(_ tokens: Tensor) -> Tensor {
        require(tokens.rank == 2, "AttentionMask.keyPadding: needs [B, L], got \(tokens.shape)")
        return tokens.detached.reshaped([tokens.shape[0], 1, 1, tokens.shape[1]])
    }

    /// `[B, 1, L, L]`: causal and key-padding masks combined.
    public static func causal(keyPadding tokens: Tensor) -> Tensor {
        causal(tokens.shape[1]) * keyPadding(tokens)
    }
}
