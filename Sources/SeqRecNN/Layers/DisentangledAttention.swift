import SeqRecCore
import SeqRecTensor

/// Disentangled self-attention (DeBERTa, He et al., ICLR 2021; thesis §3.5.3, DeBERTa4Rec):
/// content and relative position are separate vectors, and a score sums three terms —
/// content→content Qcᵢ·Kcⱼ, content→position Qcᵢ·Kr_{δ(i,j)} and position→content Kcⱼ·Qr_{δ(j,i)} —
/// scaled by 1/√(3·d_h). Relative positions δ(i, j) = clamp(i − j + k, 0, 2k − 1) index a shared
/// `[2k, d]` table P (passed in, shared by every layer), projected per layer to Kr = P·W_kr and
/// Qr = P·W_qr. Separate Q/K/V projections and an output projection, as BERT's attention.
public final class DisentangledAttention: Layer {
    public let heads: Int
    public let dim: Int
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    /// W_kr: relative embeddings → position keys.
    public let positionKey: Linear
    /// W_qr: relative embeddings → position queries.
    public let positionQuery: Linear
    let attentionDropout: Dropout

    public init(dim: Int, heads: Int, attentionDropout: Float, weightInit: Initializer = .pytorchLinear,
                biasInit: Initializer = .pytorchLinear, rng: inout SplitMix64) throws {
        try HyperparameterError.checkAtLeast("heads", heads, 1)
        guard dim % heads == 0 else { throw HyperparameterError(key: "heads", value: "\(heads)", allowed: "divisors of dim \(dim)") }
        self.heads = heads
        self.dim = dim
        func linear(_ name: String) -> Linear {
            let l = Linear(dim, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
            l.prefixNames(name)
            return l
        }
        query = linear("query")
        key = linear("key")
        value = linear("value")
        output = linear("output")
        positionKey = linear("positionKey")
        positionQuery = linear("positionQuery")
        self.attentionDropout = try Dropout(rate: attentionDropout)
    }

    public var parameters: [Parameter] {
        query.parameters + key.parameters + value.parameters + output.parameters + positionKey.parameters + positionQuery.parameters
    }

    /// δ(i, j) = clamp(i − j + k, 0, 2k − 1) for i < `rows`, j < `columns`, repeated `batch` times: `[batch, rows, columns]`.
    public static func relativeIndex(batch: Int, rows: Int, columns: Int, span k: Int) -> IDTensor {
        var one = [Int32](repeating: 0, count: rows * columns)
        for i in 0..<rows { for j in 0..<columns { one[i * columns + j] = Int32(Swift.min(Swift.max(i - j + k, 0), 2 * k - 1)) } }
        var all = [Int32]()
        all.reserveCapacity(batch * one.count)
        for _ in 0..<batch { all += one }
        return IDTensor(shape: [batch, rows, columns], ids: all)
    }

    /// Self-attention over `x` `[B, L, d]` with the relative table `relative` `[2k, d]`.
    /// - Parameter mask: 1 = may attend, 0 = blocked; broadcastable to `[B, h, L, L]`.
    public func callAsFunction(_ x: Tensor, relative: Tensor, mask: Tensor?, _ context: inout ForwardContext) -> Tensor {
        require(x.rank == 3 && x.shape[-1] == dim && relative.rank == 2 && relative.shape[1] == dim && relative.shape[0] % 2 == 0,
                "DisentangledAttention: x \(x.shape) must be [B, L, \(dim)], relative \(relative.shape) [2k, \(dim)]")
        let b = x.shape[0], l = x.shape[1], dh = dim / heads, span = relative.shape[0] / 2
        let q = query(x), k = key(x), v = value(x)
        let kr = positionKey(relative), qr = positionQuery(relative)                    // [2k, d]
        let index = Self.relativeIndex(batch: b, rows: l, columns: l, span: span)       // δ(i, j)
        let scale = 1 / (3 * Float(dh)).squareRoot()
        var perHead: [Tensor] = []
        for h in 0..<heads {
            let cols = (h * dh)..<((h + 1) * dh)
            let qh = q.slice(axis: 2, cols), kh = k.slice(axis: 2, cols)
            let c2c = Tensor.matmul(qh, kh, transposeB: true)                                         // [B, L, L]
            let c2p = Tensor.matmul(qh, kr.slice(axis: 1, cols), transposeB: true).gatherLast(index)  // Qcᵢ·Kr_{δ(i,j)}
            let p2c = Tensor.matmul(kh, qr.slice(axis: 1, cols), transposeB: true).gatherLast(index)  // [j, i]: Kcⱼ·Qr_{δ(j,i)}
            perHead.append(((c2c + c2p + p2c.transposed()) * scale).reshaped([b, 1, l, l]))
        }
        var weights = (heads == 1 ? perHead[0] : Tensor.concat(perHead, axis: 1)).softmax(mask: mask)   // [B, h, L, L]
        weights = attentionDropout(weights, &context)
        let vh = heads == 1 ? v.reshaped([b, 1, l, dim]) : v.reshaped([b, l, heads, dh]).permuted([0, 2, 1, 3])
        let ctx = Tensor.matmul(weights, vh)                                                           // [B, h, L, dh]
        let merged = heads == 1 ? ctx.reshaped([b, l, dim]) : ctx.permuted([0, 2, 1, 3]).reshaped([b, l, dim])
        return output(merged)
    }
}

/// A post-LN block with disentangled attention (DeBERTa): h = LN₁(x + Drop(DA(x))); out = LN₂(h + FFN(h)).
public final class DisentangledBlock: Layer {
    public let attention: DisentangledAttention
    public let feedForward: FeedForward
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    let residualDropout: Dropout

    public init(dim: Int, heads: Int, hidden: Int, dropout: Float, attentionDropout: Float, layerNormEpsilon: Float = 1e-7,
                weightInit: Initializer = .pytorchLinear, biasInit: Initializer = .pytorchLinear, rng: inout SplitMix64) throws {
        attention = try DisentangledAttention(dim: dim, heads: heads, attentionDropout: attentionDropout,
                                              weightInit: weightInit, biasInit: biasInit, rng: &rng)
        feedForward = try FeedForward(dim: dim, hidden: hidden, activation: .gelu, innerDropout: 0, outputDropout: dropout,
                                      weightInit: weightInit, biasInit: biasInit, rng: &rng)
        norm1 = LayerNorm(dim, epsilon: layerNormEpsilon)
        norm2 = LayerNorm(dim, epsilon: layerNormEpsilon)
        residualDropout = try Dropout(rate: dropout)
        attention.prefixNames("attention")
        feedForward.prefixNames("feedForward")
        norm1.prefixNames("norm1")
        norm2.prefixNames("norm2")
    }

    public var parameters: [Parameter] { attention.parameters + feedForward.parameters + norm1.parameters + norm2.parameters }

    public func callAsFunction(_ x: Tensor, relative: Tensor, mask: Tensor?, _ context: inout ForwardContext) -> Tensor {
        let h = norm1(x + residualDropout(attention(x, relative: relative, mask: mask, &context), &context))
        return norm2(h + feedForward(h, &context))
    }
}
