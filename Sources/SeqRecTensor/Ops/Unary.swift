import SeqRecCore
import CSeqRecKernels
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Elementwise functions. Each forward is stable for |x| up to 1e4 and beyond.

extension Tensor {
    /// eˣ (the vectorised kernel of the softmax ops: ≤ 2 ulp, exactly 0 below −87.3).
    public func exp() -> Tensor {
        var out = Tensor.empty(shape)
        let (src, dst, n) = (ptr, out.ptr, count)
        Parallel.for(n, grain: 65_536) { r in expScaled(src + r.lowerBound, dst + r.lowerBound, r.count, shift: 0, scale: 1) }
        if let tape = Tape.active(self) {
            let y = out.detached
            tape.record(&out, self) { g, ctx in ctx.add(g * y, to: 0) }
        }
        return out
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        var out = mapElements { Glibc.logf($0) }
        if let tape = Tape.active(self) {
            let x = detached
            tape.record(&out, self) { g, ctx in ctx.add(g / x, to: 0) }
        }
        return out
    }

    /// Square root.
    public func sqrt() -> Tensor {
        var out = mapElements { $0.squareRoot() }
        if let tape = Tape.active(self) {
            let y = out.detached
            tape.record(&out, self) { g, ctx in ctx.add(g.zipElements(y) { $0 * 0.5 / $1 }, to: 0) }
        }
        return out
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        var out = mapElements { Glibc.tanhf($0) }
        if let tape = Tape.active(self) {
            let y = out.detached
            tape.record(&out, self) { g, ctx in ctx.add(g.zipElements(y) { $0 * (1 - $1 * $1) }, to: 0) }
        }
        return out
    }

    /// The logistic function σ(x) = 1 / (1 + e⁻ˣ).
    public func sigmoid() -> Tensor {
        var out = mapElements(stableSigmoid)
        if let tape = Tape.active(self) {
            let y = out.detached
            tape.record(&out, self) { g, ctx in ctx.add(g.zipElements(y) { $0 * $1 * (1 - $1) }, to: 0) }
        }
        return out
    }

    /// log σ(x) = −softplus(−x), computed without overflow.
    public func logSigmoid() -> Tensor { softplusKernel(inSign: -1, outSign: -1) }   // d/dx log σ(x) = σ(−x)

    /// softplus(x) = log(1 + eˣ), computed without overflow.
    public func softplus() -> Tensor { softplusKernel(inSign: 1, outSign: 1) }

    /// outSign · softplus(inSign · x) and its pullback g · σ(inSign · x) (inSign · outSign = 1),
    /// both the vectorised C kernels (`seqrec_softplus`, `seqrec_sigmoid_times`).
    private func softplusKernel(inSign: Float, outSign: Float) -> Tensor {
        var out = Tensor.empty(shape)
        let (src, dst, n) = (ptr, out.ptr, count)
        Parallel.for(n, grain: 65_536) { r in seqrec_softplus(src + r.lowerBound, dst + r.lowerBound, r.count, inSign, outSign) }
        if let tape = Tape.active(self) {
            let x = detached
            tape.record(&out, self) { g, ctx in
                let d = Tensor.empty(x.shape)
                let (xp, gp, dp) = (x.ptr, g.ptr, d.ptr)
                Parallel.for(n, grain: 65_536) { r in
                    seqrec_sigmoid_times(xp + r.lowerBound, gp + r.lowerBound, dp + r.lowerBound, r.count, inSign)
                }
                ctx.add(d, to: 0)
            }
        }
        return out
    }

    /// max(x, 0). The gradient at exactly 0 is taken as 0.
    public func relu() -> Tensor {
        var out = mapElements(ReluKernel())
        if let tape = Tape.active(self) {
            let x = detached
            tape.record(&out, self) { g, ctx in ctx.add(g.zipElements(x, ReluGradKernel()), to: 0) }
        }
        return out
    }

    /// GELU, exact form x·Φ(x) with the error function (BERT, BERT4Rec); the loop is the C kernel
    /// `seqrec_gelu` (erf by Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7, and the vectorised exp).
    public func gelu() -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, o = out.ptr
        Parallel.for(count) { r in seqrec_gelu(x + r.lowerBound, nil, o + r.lowerBound, r.count) }
        var result = out
        if let tape = Tape.active(self) {
            let saved = detached
            tape.record(&result, self) { g, ctx in
                let dx = Tensor.empty(saved.shape)
                let xs = saved.ptr, gs = g.ptr, d = dx.ptr
                Parallel.for(saved.count) { r in seqrec_gelu(xs + r.lowerBound, gs + r.lowerBound, d + r.lowerBound, r.count) }
                ctx.add(dx, to: 0)
            }
        }
        return result
    }

    /// GELU, tanh approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) (GPT-2, GPTRec).
    public func geluTanh() -> Tensor {
        let c: Float = 0.79788456
        var out = mapElements { v in 0.5 * v * (1 + Glibc.tanhf(c * (v + 0.044715 * v * v * v))) }
        if let tape = Tape.active(self) {
            let x = detached
            tape.record(&out, self) { g, ctx in
                ctx.add(g.zipElements(x) { gi, v in
                    let u = c * (v + 0.044715 * v * v * v)
                    let t = Glibc.tanhf(u)
                    let du = c * (1 + 3 * 0.044715 * v * v)
                    return gi * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du)
                }, to: 0)
            }
        }
        return out
    }

    /// x², a convenience composed from `*`.
    public func squared() -> Tensor { self * self }
}
