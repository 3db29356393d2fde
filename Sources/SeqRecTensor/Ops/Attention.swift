import SeqRecCore
import CSeqRecKernels

// MARK: - Fused multi-head scaled dot-product attention (Vaswani et al., NeurIPS 2017).

extension Tensor {
    /// Multi-head attention over `[B, L, d]` projections whose `heads` heads are the column
    /// blocks of d: for each batch row b and head h,
    /// `out[b, :, h] = dropout(softmax(scale · Q_bh · K_bhᵀ, mask)) · V_bh`.
    ///
    /// The same function as `matmul → softmax(mask:) → dropout(rate:seed:) → matmul` over
    /// split heads (the dropout mask is identical: element (b, h, i, j) of the `[B, h, Lq, Lk]`
    /// weights), but computed one (batch, head) block at a time so the Lq × Lk weights stay in
    /// cache, heads are read and written in place (no split/merge copies), and the scale is the
    /// sgemm's α. The pullback keeps only the softmax output and regenerates the dropout mask.
    /// This removed the passes over the 10M-element weight tensors that cost a BERT4Rec step
    /// (L 200, batch 128) about a fifth of its time.
    ///
    /// - Parameters:
    ///   - mask: 1 = may attend, 0 = blocked; broadcastable to `[B, heads, Lq, Lk]`. Fully
    ///     blocked rows attend to nothing and output zeros.
    ///   - dropoutRate: dropout on the attention weights, in [0, 1); 0 disables it.
    public static func attention(queries q: Tensor, keys k: Tensor, values v: Tensor, heads: Int,
                                 scale: Float, mask: Tensor?, dropoutRate: Float = 0,
                                 seed: UInt64 = 0) -> Tensor {
        require(q.rank == 3 && k.rank == 3 && v.rank == 3 && k.shape == v.shape
                    && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                "attention: queries \(q.shape), keys \(k.shape), values \(v.shape) must be [B, L, d]")
        require(heads >= 1 && q.shape[2] % heads == 0, "attention: \(heads) heads do not divide d \(q.shape[2])")
        require(dropoutRate >= 0 && dropoutRate < 1, "attention: dropout rate \(dropoutRate) outside [0, 1)")
        let plan = AttentionPlan(b: q.shape[0], lq: q.shape[1], lk: k.shape[1], d: q.shape[2], heads: heads,
                                 scale: scale, mask: mask, rate: dropoutRate, seed: seed)
        let tape = Tape.active(q, k, v)
        var out = Tensor.empty(q.shape)
        // The softmax output is kept for the pullback; without a tape a per-thread block suffices.
        let probabilities = tape == nil ? nil : Tensor.empty(Shape([plan.b, heads, plan.lq, plan.lk]))
        plan.forward(q.ptr, k.ptr, v.ptr, out.ptr, probabilities?.ptr)
        if let tape, let probabilities {
            let (q0, k0, v0) = (q.detached, k.detached, v.detached)
            tape.record(&out, q, k, v) { g, ctx in
                let dq = ctx.needs(0) ? Tensor.empty(q0.shape) : nil
                let dk = ctx.needs(1) ? Tensor.empty(k0.shape) : nil
                let dv = ctx.needs(2) ? Tensor.empty(v0.shape) : nil
                plan.backward(q0.ptr, k0.ptr, v0.ptr, probabilities.ptr, g.ptr, dq?.ptr, dk?.ptr, dv?.ptr)
                if let dq { ctx.add(dq, to: 0) }
                if let dk { ctx.add(dk, to: 1) }
                if let dv { ctx.add(dv, to: 2) }
            }
        }
        return out
    }
}

/// Sizes, mask layout and dropout keys of one attention call, and its two kernels.
struct AttentionPlan: @unchecked Sendable {
    let b: Int, lq: Int, lk: Int, d: Int, heads: Int, dh: Int
    let scale: Float
    let mask: Tensor?
    let maskStrides: (Int, Int, Int)   // per batch row, head, query row
    let rate: Float
    let threshold: UInt32, keepScale: Float, k1: UInt32, k2: UInt32

    init(b: Int, lq: Int, lk: Int, d: Int, heads: Int, scale: Float, mask: Tensor?, rate: Float, seed: UInt64) {
        (self.b, self.lq, self.lk, self.d, self.heads, self.dh) = (b, lq, lk, d, heads, d / heads)
        self.scale = scale
        self.rate = rate
        let full = Shape([b, heads, lq, lk])
        if let mask {
            require(mask.shape.last == lk && mask.rank <= 4 && Shape.broadcast(mask.shape, full) == full,
                    "attention: mask \(mask.shape) does not broadcast to \(full)")
            let st = BroadcastPlan.strides(of: mask.shape, in: full)
            maskStrides = (st[0], st[1], st[2])
        } else {
            maskStrides = (0, 0, 0)
        }
        self.mask = mask
        threshold = Tensor.dropoutThreshold(rate)
        keepScale = 1 / (1 - rate)
        (k1, k2) = Tensor.dropoutKeys(seed)
    }

    /// Offset of block (batch row, head) in a `[B, L, d]` tensor with L rows per batch row.
    @inline(__always) func headOffset(_ bh: Int, rows: Int) -> Int { (bh / heads) * rows * d + (bh % heads) * dh }

    /// Applies the dropout mask of block `bh` to `x` (Lq × Lk) into `o`.
    @inline(__always) func dropout(_ bh: Int, _ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>) {
        seqrec_dropout_apply(x, o, lq * lk, UInt32(truncatingIfNeeded: bh * lq * lk), k1, k2, threshold, keepScale)
    }

    func forward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                 _ out: UnsafeMutablePointer<Float>, _ probabilities: UnsafeMutablePointer<Float>?) {
        let block = lq * lk
        Parallel.for(b * heads, grain: 1) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: block * (probabilities == nil ? 2 : 1))
            defer { scratch.deallocate() }
            for bh in range {
                let p = probabilities.map { $0 + bh * block } ?? scratch + block
                let qo = headOffset(bh, rows: lq), ko = headOffset(bh, rows: lk)
                BLAS.sgemmSerial(false, true, lq, lk, dh, scale, q + qo, d, k + ko, d, 0, p, lk)
                softmaxRows(bh, p)
                var weights = UnsafePointer(p)
                if rate > 0 { dropout(bh, p, scratch); weights = UnsafePointer(scratch) }
                BLAS.sgemmSerial(false, false, lq, dh, lk, 1, weights, lk, v + ko, d, 0, out + qo, d)
            }
        }
    }

    /// The row softmaxes of block `bh`, in place.
    @inline(__always) func softmaxRows(_ bh: Int, _ p: UnsafeMutablePointer<Float>) {
        let maskBase = mask.map { $0.ptr + (bh / heads) * maskStrides.0 + (bh % heads) * maskStrides.1 }
        for i in 0..<lq {
            Tensor.softmaxRow(p + i * lk, p + i * lk, lk, mask: maskBase.map { UnsafePointer($0 + i * maskStrides.2) },
                              log: false)
        }
    }

    /// dV = P̃ᵀ·G, dP̃ = G·Vᵀ, dP = dropout(dP̃), dS = P ⊙ (dP − rowsum(dP ⊙ P)),
    /// dQ = α·dS·K, dK = α·dSᵀ·Q, per (batch, head) block (P̃ = dropout(P)).
    func backward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                  _ probabilities: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                  _ dq: UnsafeMutablePointer<Float>?, _ dk: UnsafeMutablePointer<Float>?,
                  _ dv: UnsafeMutablePointer<Float>?) {
        let block = lq * lk
        Parallel.for(b * heads, grain: 1) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * block)
            defer { scratch.deallocate() }
            let dp = scratch, dropped = scratch + block
            for bh in range {
                let p = probabilities + bh * block
                let qo = headOffset(bh, rows: lq), ko = headOffset(bh, rows: lk)
                if let dv {
                    var weights = p
                    if rate > 0 { dropout(bh, p, dropped); weights = UnsafePointer(dropped) }
                    BLAS.sgemmSerial(true, false, lk, dh, lq, 1, weights, lk, g + qo, d, 0, dv + ko, d)
                }
                guard dq != nil || dk != nil else { continue }
                BLAS.sgemmSerial(false, true, lq, lk, dh, 1, g + qo, d, v + ko, d, 0, dp, lk)
                if rate > 0 { dropout(bh, dp, dp) }
                for i in 0..<lq {
                    let pr = p + i * lk, gr = dp + i * lk
                    var dot: Float = 0
                    for j in 0..<lk { dot += gr[j] * pr[j] }
                    for j in 0..<lk { gr[j] = pr[j] * (gr[j] - dot) }
                }
                if let dq { BLAS.sgemmSerial(false, false, lq, dh, lk, scale, dp, lk, k + ko, d, 0, dq + qo, d) }
                if let dk { BLAS.sgemmSerial(true, false, lk, dh, lq, scale, dp, lk, q + qo, d, 0, dk + ko, d) }
            }
        }
    }
}
