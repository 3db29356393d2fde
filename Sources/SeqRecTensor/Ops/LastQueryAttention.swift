import CSeqRecKernels
import SeqRecCore

// MARK: - Attention of one query per sequence (inference: only the last position is scored).

extension Tensor {
    /// Scaled dot-product attention of one query row per sequence over that sequence's keys:
    /// `queries` `[S, d]`, `keys` / `values` `[T, d]` packed rows, query s attending to rows
    /// `keyRanges[s]` (all of them: the last position of a causal sequence sees every earlier one,
    /// and a bidirectional one sees all). Returns `[S, d]`, heads split from d as in
    /// `attention(…sequences:…)`; an empty range gives a zero row.
    ///
    /// Why: to score the next item a model needs the final block's output at the last position
    /// only, so that block's query projection, attention, residuals and feed-forward network can
    /// run on one row per sequence instead of all T (`TransformerBlock.lastRows`).
    /// Inference only: it records nothing on the tape (and refuses tracked inputs).
    public static func lastQueryAttention(queries q: Tensor, keys k: Tensor, values v: Tensor, keyRanges: [Range<Int>],
                                          heads: Int, scale: Float) -> Tensor {
        require(q.rank == 2 && k.rank == 2 && k.shape == v.shape && q.shape[1] == k.shape[1] && q.shape[0] == keyRanges.count,
                "lastQueryAttention: queries \(q.shape), keys \(k.shape), values \(v.shape) must be [S, d], [T, d], [T, d] with S = \(keyRanges.count)")
        require(heads >= 1 && q.shape[1] % heads == 0, "lastQueryAttention: \(heads) heads do not divide d \(q.shape[1])")
        require(keyRanges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= k.shape[0] },
                "lastQueryAttention: a key range lies outside 0..<\(k.shape[0])")
        require(Tape.active(q, k, v) == nil, "lastQueryAttention is inference-only: its inputs must not be tracked")
        let s = q.shape[0], d = q.shape[1], dh = d / heads
        let longest = keyRanges.map(\.count).max() ?? 0
        let out = Tensor.zeros([s, d])
        let qp = q.ptr, kp = k.ptr, vp = v.ptr, op = out.ptr
        Parallel.for(s, grain: 8) { range in
            var weights = [Float](repeating: 0, count: Swift.max(1, longest))
            weights.withUnsafeMutableBufferPointer { w in
                for row in range {
                    let keys = keyRanges[row]
                    guard !keys.isEmpty else { continue }
                    for h in 0..<heads {
                        let qr = qp + row * d + h * dh
                        for (j, key) in keys.enumerated() { w[j] = scale * simdDot(qr, kp + key * d + h * dh, dh) }
                        seqrec_softmax_row(w.baseAddress!, w.baseAddress!, keys.count, nil)
                        let o = op + row * d + h * dh
                        for (j, key) in keys.enumerated() {
                            let c = w[j], vr = vp + key * d + h * dh
                            for x in 0..<dh { o[x] += c * vr[x] }
                        }
                    }
                }
            }
        }
        return out
    }
}
