import CSeqRecKernels
import SeqRecCore

// MARK: - Fused sampled logits: dot products with gathered rows, never materialising them.

extension Tensor {
    /// `out[r, j] = hidden[r] · table[ids[r, j]]` for `hidden` `[R, d]`, `table` `[V, d]`, ids
    /// `[R, k]` → `[R, k]`: the logits of k sampled items per position (gSASRec scores 256
    /// negatives at each of 25,600 positions). Equivalent to
    /// `matmul(hidden[R,1,d], table.gatherRows(ids)[R,k,d]ᵀ)` but without the `R·k·d` gathered
    /// tensor (3.4 GB in that setting) in either direction: the pullback adds into `hidden`'s
    /// gradient and into only the sampled rows of `table`'s, with threads owning disjoint id
    /// ranges (deterministic for a fixed budget, no locks).
    public static func sampledDot(_ hidden: Tensor, _ table: Tensor, _ ids: IDTensor) -> Tensor {
        require(hidden.rank == 2 && table.rank == 2 && hidden.shape[1] == table.shape[1]
                && ids.shape.rank == 2 && ids.shape[0] == hidden.shape[0],
                "sampledDot: hidden \(hidden.shape), table \(table.shape), ids \(ids.shape) must be [R, d], [V, d], [R, k]")
        let rows = hidden.shape[0], d = hidden.shape[1], k = ids.shape[1], v = table.shape[0]
        for id in ids.ids { require(id >= 0 && Int(id) < v, "sampledDot: id \(id) out of range 0..<\(v)") }
        var out = Tensor.empty(Shape([rows, k]))
        let h = hidden.ptr, t = table.ptr, o = out.ptr
        ids.ids.withUnsafeBufferPointer { idp in
            let idb = idp.baseAddress!
            Parallel.for(rows, grain: Swift.max(1, 4096 / Swift.max(k, 1))) { range in
                seqrec_sampled_dot_forward(h, t, idb, o, range.lowerBound, range.upperBound, k, d)
            }
        }
        if let tape = Tape.active(hidden, table) {
            let (h0, t0) = (hidden.detached, table.detached)
            tape.record(&out, hidden, table) { g, ctx in
                let gp = g.ptr
                if ctx.needs(0) {
                    let dh = Tensor.zeros(h0.shape)
                    let dp = dh.ptr, tp = t0.ptr
                    ids.ids.withUnsafeBufferPointer { idp in
                        Parallel.for(rows, grain: Swift.max(1, 4096 / Swift.max(k, 1))) { range in
                            seqrec_sampled_dot_hidden_grad(gp, tp, idp.baseAddress!, dp, range.lowerBound, range.upperBound, k, d)
                        }
                    }
                    ctx.add(dh, to: 0)
                }
                if ctx.needs(1) {
                    ctx.withGradient(of: 1) { dt in
                        dt.makeUnique()
                        let dp = dt.ptr, hp = h0.ptr
                        ids.ids.withUnsafeBufferPointer { idp in
                            let threads = Parallel.chunkCount(rows * k, grain: 65_536)
                            Parallel.for(threads, grain: 1) { owners in
                                for owner in owners {
                                    let lo = Int32(owner * v / threads), hi = Int32((owner + 1) * v / threads)
                                    seqrec_sampled_dot_table_grad(gp, hp, idp.baseAddress!, dp, rows, k, d, lo, hi)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Σ a[i]·b[i] with eight SIMD lanes (a float reduction the compiler will not vectorise on its
/// own, since that reorders the sum), then the lanes and the tail in a fixed order.
@inline(__always)
func simdDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    var i = 0
    while i + 8 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}
