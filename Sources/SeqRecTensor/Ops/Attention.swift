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
        return run(plan, q, k, v)
    }

    /// Attention within each sequence of a packed batch: `q`, `k`, `v` are `[T, d]` rows laid
    /// out by `sequences`; each position attends to the positions of its own sequence (with
    /// `causal`, to those at or before it). Equal, at the real positions, to the padded form with
    /// a key-padding (and causal) mask — for Σ nₛ² instead of B·L² attention work.
    public static func attention(queries q: Tensor, keys k: Tensor, values v: Tensor, sequences: PackedSequences,
                                 heads: Int, scale: Float, causal: Bool, dropoutRate: Float = 0,
                                 seed: UInt64 = 0) -> Tensor {
        require(q.rank == 2 && k.shape == q.shape && v.shape == q.shape && q.shape[0] == sequences.count,
                "attention: packed queries \(q.shape), keys \(k.shape), values \(v.shape) must be [\(sequences.count), d]")
        require(heads >= 1 && q.shape[1] % heads == 0, "attention: \(heads) heads do not divide d \(q.shape[1])")
        require(dropoutRate >= 0 && dropoutRate < 1, "attention: dropout rate \(dropoutRate) outside [0, 1)")
        let plan = AttentionPlan(sequences: sequences, d: q.shape[1], heads: heads, scale: scale, causal: causal,
                                 rate: dropoutRate, seed: seed)
        return run(plan, q, k, v)
    }

    private static func run(_ plan: AttentionPlan, _ q: Tensor, _ k: Tensor, _ v: Tensor) -> Tensor {
        let tape = Tape.active(q, k, v)
        var out = Tensor.empty(q.shape)
        // The softmax output is kept for the pullback; without a tape a per-thread block suffices.
        let probabilities = tape == nil ? nil : Tensor.empty(Shape([plan.weightCount]))
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

/// Blocks, mask layout and dropout keys of one attention call, and its two kernels. A block is
/// one (sequence, head): `nq[s]` query rows from row `qStart[s]`, `nk[s]` key rows from
/// `kStart[s]`, its weights at `weightStart[s] + head · nq · nk` (also the dropout element index).
struct AttentionPlan: @unchecked Sendable {
    let sequences: Int, d: Int, heads: Int, dh: Int
    let qStart: [Int], kStart: [Int], nq: [Int], nk: [Int], weightStart: [Int]
    let weightCount: Int
    let scale: Float
    let causal: Bool
    let mask: Tensor?
    let maskStrides: (Int, Int, Int)   // per sequence, head, query row
    let ranges: [Range<Int>]           // sequences per parallel task
    let rate: Float
    let threshold: UInt32, keepScale: Float, k1: UInt32, k2: UInt32

    /// Padded `[B, L, d]` operands with an optional broadcast mask.
    init(b: Int, lq: Int, lk: Int, d: Int, heads: Int, scale: Float, mask: Tensor?, rate: Float, seed: UInt64) {
        let full = Shape([b, heads, lq, lk])
        var strides = (0, 0, 0)
        if let mask {
            require(mask.shape.last == lk && mask.rank <= 4 && Shape.broadcast(mask.shape, full) == full,
                    "attention: mask \(mask.shape) does not broadcast to \(full)")
            let st = BroadcastPlan.strides(of: mask.shape, in: full)
            strides = (st[0], st[1], st[2])
        }
        let parts = Swift.min(Swift.max(b, 1), ThreadBudget.threads)
        let per = (b + parts - 1) / Swift.max(parts, 1)
        self.init(sequences: b, d: d, heads: heads, qStart: (0..<b).map { $0 * lq }, kStart: (0..<b).map { $0 * lk },
                  nq: Array(repeating: lq, count: b), nk: Array(repeating: lk, count: b), scale: scale, causal: false,
                  mask: mask, maskStrides: strides,
                  ranges: stride(from: 0, to: b, by: Swift.max(per, 1)).map { $0..<Swift.min(b, $0 + per) },
                  rate: rate, seed: seed)
    }

    /// Packed `[T, d]` operands, self-attention within each sequence.
    init(sequences p: PackedSequences, d: Int, heads: Int, scale: Float, causal: Bool, rate: Float, seed: UInt64) {
        let lengths = (0..<p.batch).map { p.length(of: $0) }
        self.init(sequences: p.batch, d: d, heads: heads, qStart: Array(p.starts.dropLast()), kStart: Array(p.starts.dropLast()),
                  nq: lengths, nk: lengths, scale: scale, causal: causal, mask: nil, maskStrides: (0, 0, 0),
                  ranges: p.balancedRanges(parts: ThreadBudget.threads), rate: rate, seed: seed)
    }

    private init(sequences: Int, d: Int, heads: Int, qStart: [Int], kStart: [Int], nq: [Int], nk: [Int], scale: Float,
                 causal: Bool, mask: Tensor?, maskStrides: (Int, Int, Int), ranges: [Range<Int>], rate: Float, seed: UInt64) {
        (self.sequences, self.d, self.heads, self.dh) = (sequences, d, heads, d / heads)
        (self.qStart, self.kStart, self.nq, self.nk) = (qStart, kStart, nq, nk)
        var starts: [Int] = [], total = 0
        for s in 0..<sequences {
            starts.append(total)
            total += heads * nq[s] * nk[s]
        }
        weightStart = starts
        weightCount = total
        require(!causal || zip(nq, nk).allSatisfy { $0 <= $1 }, "attention: causal blocks need at least as many keys as queries")
        self.scale = scale
        self.causal = causal
        self.mask = mask
        self.maskStrides = maskStrides
        self.ranges = ranges.filter { !$0.isEmpty }
        self.rate = rate
        threshold = Tensor.dropoutThreshold(rate)
        keepScale = 1 / (1 - rate)
        (k1, k2) = Tensor.dropoutKeys(seed)
    }

    /// Runs `body(sequence)` over every sequence, the balanced ranges in parallel, with a scratch
    /// buffer of `blocks` × the largest block's weights per task.
    private func forEachSequence(scratch blocks: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let largest = zip(nq, nk).map { $0 * $1 }.max() ?? 0
        Parallel.for(ranges.count, grain: 1) { r in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, blocks * largest))
            defer { scratch.deallocate() }
            for t in r { for s in ranges[t] { body(s, scratch) } }
        }
    }

    /// Applies the dropout mask of the block at weight offset `w` (n elements) to `x` into `o`.
    @inline(__always) func dropout(_ w: Int, _ n: Int, _ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>) {
        seqrec_dropout_apply(x, o, n, UInt32(truncatingIfNeeded: w), k1, k2, threshold, keepScale)
    }

    /// Query rows per causal row block: the scores and products of rows i0..<i1 need only the
    /// keys they can see (0..<i1 + surplus), so the upper triangle is neither computed nor read.
    static let causalRows = 64

    /// The row blocks of sequence s: rows i0..<i1 and the keys 0..<kb they see (one block, all
    /// keys, without `causal`).
    @inline(__always) func rowBlocks(_ s: Int, _ body: (_ i0: Int, _ i1: Int, _ kb: Int) -> Void) {
        let lq = nq[s], lk = nk[s]
        guard causal else { body(0, lq, lk); return }
        var i0 = 0
        while i0 < lq {
            let i1 = Swift.min(lq, i0 + Self.causalRows)
            body(i0, i1, Swift.min(lk, i1 + lk - lq))
            i0 = i1
        }
    }

    /// The key blocks of sequence s: keys j0..<j1 and the first row r0 that sees any of them
    /// (rows before r0 have zero weight there; one block from row 0 without `causal`).
    @inline(__always) func keyBlocks(_ s: Int, _ body: (_ j0: Int, _ j1: Int, _ r0: Int) -> Void) {
        let lq = nq[s], lk = nk[s]
        guard causal else { body(0, lk, 0); return }
        var j0 = 0
        while j0 < lk {
            let j1 = Swift.min(lk, j0 + Self.causalRows)
            body(j0, j1, Swift.max(0, j0 - (lk - lq)))
            j0 = j1
        }
    }

    func forward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                 _ out: UnsafeMutablePointer<Float>, _ probabilities: UnsafeMutablePointer<Float>?) {
        forEachSequence(scratch: probabilities == nil ? 2 : 1) { s, scratch in
            let lq = nq[s], lk = nk[s], block = lq * lk
            if lq == 0 { return }
            for h in 0..<heads {
                let w = weightStart[s] + h * block
                let p = probabilities.map { $0 + w } ?? scratch + block
                let qo = qStart[s] * d + h * dh, ko = kStart[s] * d + h * dh
                if lk == 0 {   // nothing to attend to: zeros
                    for i in 0..<lq { (out + qo + i * d).update(repeating: 0, count: dh) }
                    continue
                }
                rowBlocks(s) { i0, i1, kb in
                    BLAS.sgemmSerial(false, true, i1 - i0, kb, dh, scale, q + qo + i0 * d, d, k + ko, d, 0, p + i0 * lk, lk)
                }
                softmaxRows(s, h, p)   // (zeros every weight a row cannot see, computed or not)
                var weights = UnsafePointer(p)
                if rate > 0 {   // (one long call: the rows' zeros are initialised, and stay 0)
                    dropout(w, block, p, scratch)
                    weights = UnsafePointer(scratch)
                }
                rowBlocks(s) { i0, i1, kb in
                    BLAS.sgemmSerial(false, false, i1 - i0, dh, kb, 1, weights + i0 * lk, lk, v + ko, d, 0,
                                     out + qo + i0 * d, d)
                }
            }
        }
    }

    /// The row softmaxes of block (s, h), in place.
    @inline(__always) func softmaxRows(_ s: Int, _ h: Int, _ p: UnsafeMutablePointer<Float>) {
        let lq = nq[s], lk = nk[s]
        if causal {   // row i sees keys 0…i (+ any surplus keys before the queries)
            for i in 0..<lq {
                let seen = Swift.min(lk, i + 1 + lk - lq)
                seqrec_softmax_row(p + i * lk, p + i * lk, seen, nil)
                (p + i * lk + seen).update(repeating: 0, count: lk - seen)
            }
            return
        }
        let maskBase = mask.map { $0.ptr + s * maskStrides.0 + h * maskStrides.1 }
        for i in 0..<lq {
            seqrec_softmax_row(p + i * lk, p + i * lk, lk, maskBase.map { UnsafePointer($0 + i * maskStrides.2) })
        }
    }

    /// dV = P̃ᵀ·G, dP̃ = G·Vᵀ, dP = dropout(dP̃), dS = P ⊙ (dP − rowsum(dP ⊙ P)),
    /// dQ = α·dS·K, dK = α·dSᵀ·Q, per (sequence, head) block (P̃ = dropout(P)).
    func backward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                  _ probabilities: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                  _ dq: UnsafeMutablePointer<Float>?, _ dk: UnsafeMutablePointer<Float>?,
                  _ dv: UnsafeMutablePointer<Float>?) {
        forEachSequence(scratch: 2) { s, scratch in
            let lq = nq[s], lk = nk[s], block = lq * lk
            for h in 0..<heads {
                let qo = qStart[s] * d + h * dh, ko = kStart[s] * d + h * dh
                if block == 0 {
                    for i in 0..<lq { dq.map { ($0 + qo + i * d).update(repeating: 0, count: dh) } }
                    for j in 0..<lk {
                        dk.map { ($0 + ko + j * d).update(repeating: 0, count: dh) }
                        dv.map { ($0 + ko + j * d).update(repeating: 0, count: dh) }
                    }
                    continue
                }
                let w = weightStart[s] + h * block
                let p = probabilities + w
                let dp = scratch, dropped = scratch + block
                if let dv {
                    var weights = p
                    if rate > 0 { dropout(w, block, p, dropped); weights = UnsafePointer(dropped) }
                    keyBlocks(s) { j0, j1, r0 in
                        BLAS.sgemmSerial(true, false, j1 - j0, dh, lq - r0, 1, weights + r0 * lk + j0, lk, g + qo + r0 * d, d,
                                         0, dv + ko + j0 * d, d)
                    }
                }
                guard dq != nil || dk != nil else { continue }
                rowBlocks(s) { i0, i1, kb in
                    BLAS.sgemmSerial(false, true, i1 - i0, kb, dh, 1, g + qo + i0 * d, d, v + ko, d, 0, dp + i0 * lk, lk)
                    if kb < lk { for i in i0..<i1 { (dp + i * lk + kb).update(repeating: 0, count: lk - kb) } }
                    if rate > 0 { dropout(w + i0 * lk, (i1 - i0) * lk, dp + i0 * lk, dp + i0 * lk) }
                    for i in i0..<i1 {
                        let pr = p + i * lk, gr = dp + i * lk
                        // Weights a row cannot see are 0 (and their dS too).
                        let seen = causal ? Swift.min(lk, i + 1 + lk - lq) : lk
                        var dot: Float = 0
                        for j in 0..<seen { dot += gr[j] * pr[j] }
                        for j in 0..<seen { gr[j] = pr[j] * (gr[j] - dot) }
                        (gr + seen).update(repeating: 0, count: lk - seen)
                    }
                    if let dq {
                        BLAS.sgemmSerial(false, false, i1 - i0, dh, kb, scale, dp + i0 * lk, lk, k + ko, d, 0,
                                         dq + qo + i0 * d, d)
                    }
                }
                if let dk {
                    keyBlocks(s) { j0, j1, r0 in
                        BLAS.sgemmSerial(true, false, j1 - j0, dh, lq - r0, scale, dp + r0 * lk + j0, lk, q + qo + r0 * d, d,
                                         0, dk + ko + j0 * d, d)
                    }
                }
            }
        }
    }
}
