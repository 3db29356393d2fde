import SeqRecCore
// MARK: - Fused affine map x·Wᵀ + b (one sgemm that adds the bias in its epilogue).

extension Tensor {
    /// y = x·Wᵀ + b over the last axis: `x` `[…, in]`, `weight` `[out, in]` (PyTorch layout),
    /// `bias` `[out]`. Same values and gradients as `matmul(x, weight, transposeB: true) + bias`,
    /// but the sgemm adds the bias as it writes each tile (OpenBLAS: onto bias rows copied
    /// first), which saves the broadcast-add pass and its buffer; the bias gradient is the
    /// upstream gradient summed down to `[out]` (`reduced(toShape:)`, as the broadcast add did).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let inF = x.shape.last, outF = weight.shape[0]
        require(weight.rank == 2 && weight.shape[1] == inF && bias.shape == Shape([outF]),
                "linear: weight \(weight.shape) / bias \(bias.shape) do not fit input \(x.shape) (need [out, \(inF)] and [out])")
        let rows = x.shape.rows
        var out = Tensor.empty(x.shape.replacingLast(with: outF))
        BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: outF, k: inF, a: x.ptr, lda: inF,
                   b: weight.ptr, ldb: inF, c: out.ptr, ldc: outF, bias: bias.ptr)
        if let tape = Tape.active(x, weight, bias) {
            let (x0, w0) = (x.detached, weight.detached)
            tape.record(&out, x, weight, bias) { g, ctx in
                if ctx.needs(0) {
                    let dx = Tensor.empty(x0.shape)
                    BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: inF, k: outF, a: g.ptr, lda: outF,
                               b: w0.ptr, ldb: inF, c: dx.ptr, ldc: inF)
                    ctx.add(dx, to: 0)
                }
                if ctx.needs(1) {
                    let dw = Tensor.empty(w0.shape)
                    BLAS.sgemm(transposeA: true, transposeB: false, m: outF, n: inF, k: rows, a: g.ptr, lda: outF,
                               b: x0.ptr, ldb: inF, c: dw.ptr, ldc: inF)
                    ctx.add(dw, to: 1)
                }
                if ctx.needs(2) { ctx.add(g.reduced(toShape: Shape([outF])), to: 2) }
            }
        }
        return out
    }
}
