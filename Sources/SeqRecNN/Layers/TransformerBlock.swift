import SeqRecCore
import SeqRecTensor

/// One Transformer block in one of three named orders.
///
/// - `.sasrec` (SASRec / gSASRec port, reference-facts §1.1): q = LN₁(x);
///   a = MHA(q, x) + q; h = LN₂(a); out = FFN(h) + h; out ⊙ token mask.
///   The residuals come from the *normalised* inputs, as in the original SASRec code.
/// - `.preLN` (GPT-2): h = x + Drop(MHA(LN₁(x))); out = h + FFN(LN₂(h)).
/// - `.postLN` (BERT): h = LN₁(x + Drop(MHA(x))); out = LN₂(h + FFN(h)).
public final class TransformerBlock: Layer {
    /// The order of normalisation, attention and residuals.
    public enum Order: String, Sendable, Codable { case sasrec, preLN, postLN }

    public let order: Order
    public let attention: MultiHeadAttention
    public let feedForward: FeedForward
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    let residualDropout: Dropout

    /// - Parameters:
    ///   - attentionForm: defaults to `.sasrec` for the SASRec order, `.standard` otherwise.
    ///   - dropout: used in the feed-forward network, (pre/post-LN) on the attention output
    ///     before its residual, and on attention weights unless `attentionDropout` is given.
    public init(order: Order, dim: Int, heads: Int, hidden: Int, activation: FeedForward.Activation,
                dropout: Float, attentionDropout: Float? = nil, layerNormEpsilon: Float = 1e-5,
                attentionForm: MultiHeadAttention.Form? = nil,
                weightInit: Initializer = .pytorchLinear, biasInit: Initializer = .pytorchLinear,
                rng: inout SplitMix64) throws {
        self.order = order
        attention = try MultiHeadAttention(dim: dim, heads: heads,
                                           form: attentionForm ?? (order == .sasrec ? .sasrec : .standard),
                                           attentionDropout: attentionDropout ?? dropout, weightInit: weightInit,
                                           biasInit: biasInit, rng: &rng)
        feedForward = try FeedForward(dim: dim, hidden: hidden, activation: activation,
                                      innerDropout: order == .postLN ? 0 : dropout, outputDropout: dropout,
                                      weightInit: weightInit, biasInit: biasInit, rng: &rng)
        norm1 = LayerNorm(dim, epsilon: layerNormEpsilon)
        norm2 = LayerNorm(dim, epsilon: layerNormEpsilon)
        residualDropout = try Dropout(rate: order == .sasrec ? 0 : dropout)
        attention.prefixNames("attention")
        feedForward.prefixNames("feedForward")
        norm1.prefixNames("norm1")
        norm2.prefixNames("norm2")
    }

    public var parameters: [Parameter] {
        attention.parameters + feedForward.parameters + norm1.parameters + norm2.parameters
    }

    /// Applies the block to `[B, L, d]`.
    /// - Parameters:
    ///   - mask: attention mask (see `AttentionMask`).
    ///   - tokenMask: `[B, L, 1]`, 1 = real item; the SASRec order zeroes padded positions.
    public func callAsFunction(_ x: Tensor, mask: Tensor?, tokenMask: Tensor? = nil,
                               _ context: inout ForwardContext) -> Tensor {
        apply(x, tokenMask: tokenMask, &context) { q, kv, context in
            attention(queries: q, keysValues: kv, mask: mask, &context)
        }
    }

    /// Applies the block to packed rows `[T, d]` laid out by `sequences` (see `PackedSequences`):
    /// the same function at every real position, with no work spent on padding.
    /// - Parameter causal: each position attends only to itself and earlier ones (SASRec).
    public func callAsFunction(_ x: Tensor, sequences: PackedSequences, causal: Bool,
                               _ context: inout ForwardContext) -> Tensor {
        apply(x, tokenMask: nil, &context) { q, kv, context in
            attention(queries: q, keysValues: kv, sequences: sequences, causal: causal, &context)
        }
    }

    /// The block's output `[S, d]` at one packed row per sequence, `rows[s]`, whose query attends
    /// to rows `keyRanges[s]` (its whole sequence: the row is the last one), in inference mode.
    /// Equal to `self(x, sequences:causal:)` at those rows (causal or not, the last position sees
    /// every position) while the query projection, attention, residuals and feed-forward network
    /// run on S rows instead of T: what scoring the next item needs from the final block.
    public func lastRows(_ x: Tensor, rows: IDTensor, keyRanges: [Range<Int>]) -> Tensor {
        var context = ForwardContext.inference
        let last = x.gatherRows(rows)
        switch order {
        case .sasrec:
            let q = norm1(last)
            let h = norm2(attention.lastQueries(q, keysValues: x, keyRanges: keyRanges) + q)
            return feedForward(h, &context) + h
        case .preLN:
            let n = norm1(x)
            let h = last + attention.lastQueries(n.gatherRows(rows), keysValues: n, keyRanges: keyRanges)
            return h + feedForward(norm2(h), &context)
        case .postLN:
            let h = norm1(last + attention.lastQueries(last, keysValues: x, keyRanges: keyRanges))
            return norm2(h + feedForward(h, &context))
        }
    }

    private func apply(_ x: Tensor, tokenMask: Tensor?, _ context: inout ForwardContext,
                       attend: (Tensor, Tensor, inout ForwardContext) -> Tensor) -> Tensor {
        switch order {
        case .sasrec:
            let q = norm1(x)
            let a = attend(q, x, &context) + q
            let h = norm2(a)
            let out = feedForward(h, &context) + h
            return tokenMask.map { out * $0 } ?? out
        case .preLN:
            let n = norm1(x)
            let h = x + residualDropout(attend(n, n, &context), &context)
            return h + feedForward(norm2(h), &context)
        case .postLN:
            let h = norm1(x + residualDropout(attend(x, x, &context), &context))
            return norm2(h + feedForward(h, &context))
        }
    }
}
