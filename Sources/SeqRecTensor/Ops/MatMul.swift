import SeqRecCore
// MARK: - (Batched) matrix products through sgemm, with transpose flags instead of copies.

extension Tensor {
    /// op(a) · op(b) over the last two axes, where op transposes when its flag is set.
    ///
    /// Shapes: `a` `[…, M, K]` (or `[…, K, M]` transposed), `b` `[K, N]` shared by every batch
    /// (folded into one sgemm) or `[…, K, N]` with the same batch dimensions as `a`; `a` may
    /// also be a shared `[M, K]` with a batched `b`. Result `[…, M, N]`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false,
                              transposeB: Bool = false) -> Tensor {
        var out = matmulKernel(a, b, transposeA, transposeB)
        if let tape = Tape.active(a, b) {
            let (a0, b0) = (a.detached, b.detached)
            tape.record(&out, a, b) { g, ctx in
                if ctx.needs(0) {
                    let da = transposeA
                        ? matmulKernel(b0, g, transposeB, true)
                        : matmulKernel(g, b0, false, !transposeB)
                    ctx.add(da, to: 0)
                }
                if ctx.needs(1) {
                    var db: Tensor
                    if b0.rank == 2 && a0.rank > 2 && !transposeA {
                        // Shared weight: fold the batch so one sgemm also sums over it.
                        let a2 = a0.reshapedStorage(Shape([a0.shape.rows, a0.shape.last]))
                        let g2 = g.reshapedStorage(Shape([g.shape.rows, g.shape.last]))
                        db = transposeB ? matmulKernel(g2, a2, true, false) : matmulKernel(a2, g2, true, false)
                    } else {
                        db = transposeB
                            ? matmulKernel(g, a0, true, transposeA)
                            : matmulKernel(a0, g, !transposeA, false)
                    }
                    ctx.add(db, to: 1)
                }
            }
        }
        return out
    }

    /// Untracked product used by `matmul` and its pullback.
    static func matmulKernel(_ a: Tensor, _ b: Tensor, _ tA: Bool, _ tB: Bool) -> Tensor {
        require(a.rank >= 2 && b.rank >= 2, "matmul: needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let (am, ak) = tA ? (a.shape[-1], a.shape[-2]) : (a.shape[-2], a.shape[-1])
        let (bk, bn) = tB ? (b.shape[-1], b.shape[-2]) : (b.shape[-2], b.shape[-1])
        require(ak == bk, "matmul: inner dimensions differ: \(a.shape)\(tA ? "ᵀ" : "") · \(b.shape)\(tB ? "ᵀ" : "")")
        let lda = a.shape[-1], ldb = b.shape[-1]
        if b.rank == 2 && !tA {
            // Fold a's batch dimensions into M: one large sgemm.
            let m = a.shape.prefix(a.rank - 1).count
            let out = Tensor.empty(a.shape.replacingLast(with: bn))
            BLAS.sgemm(transposeA: false, transposeB: tB, m: m, n: bn, k: ak, a: a.ptr, lda: lda,
                       b: b.ptr, ldb: ldb, c: out.ptr, ldc: bn)
            return out
        }
        let batchShape: Shape
        let aStride: Int, bStride: Int
        if a.rank == b.rank {
            require(a.shape.prefix(a.rank - 2) == b.shape.prefix(b.rank - 2),
                         "matmul: batch dimensions differ: \(a.shape) and \(b.shape)")
            batchShape = a.shape.prefix(a.rank - 2)
            aStride = a.shape[-1] * a.shape[-2]
            bStride = b.shape[-1] * b.shape[-2]
        } else if b.rank == 2 {
            batchShape = a.shape.prefix(a.rank - 2)
            aStride = a.shape[-1] * a.shape[-2]
            bStride = 0
        } else if a.rank == 2 {
            batchShape = b.shape.prefix(b.rank - 2)
            aStride = 0
            bStride = b.shape[-1] * b.shape[-2]
        } else {
            requireFailed("matmul: cannot batch \(a.shape) with \(b.shape)")
        }
        let batch = batchShape.count
        let out = Tensor.empty(batchShape.appending(am).appending(bn))
        BLAS.sgemmBatched(transposeA: tA, transposeB: tB, batch: batch, m: am, n: bn, k: ak,
                          a: a.ptr, lda: lda, strideA: aStride, b: b.ptr, ldb: ldb, strideB: bStride,
                          c: out.ptr, ldc: bn, strideC: am * bn)
        return out
    }
}
