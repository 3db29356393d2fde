import SeqRecCore
import CSeqRecKernels
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Fused softmax and log-softmax over the last axis, with optional masks.

extension Tensor {
    /// Softmax over the last axis. Entries where `mask` is 0 get probability 0 (a row with no
    /// allowed entry becomes all zeros, never NaN). `mask` has the same last dimension and
    /// broadcasts over the leading ones (e.g. a causal `[L, L]` or key-padding `[B, 1, 1, L]`).
    public func softmax(mask: Tensor? = nil) -> Tensor {
        var out = Tensor.empty(shape)
        softmaxForward(mask: mask, into: out.ptr, log: false)
        if let tape = Tape.active(self) {
            let y = out.detached
            let n = shape.last
            tape.record(&out, self) { g, ctx in
                let d = Tensor.empty(y.shape)
                let yp = y.ptr, gp = g.ptr, dp = d.ptr
                Parallel.for(y.shape.rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
                    for row in r {
                        let o = row * n
                        var dot: Float = 0
                        for j in 0..<n { dot += gp[o + j] * yp[o + j] }
                        for j in 0..<n { dp[o + j] = yp[o + j] * (gp[o + j] - dot) }
                    }
                }
                ctx.add(d, to: 0)
            }
        }
        return out
    }

    /// log-softmax over the last axis (stable: x − max − log Σ exp(x − max)). Masked entries
    /// are −∞ and receive no gradient.
    public func logSoftmax(mask: Tensor? = nil) -> Tensor {
        var out = Tensor.empty(shape)
        softmaxForward(mask: mask, into: out.ptr, log: true)
        if let tape = Tape.active(self) {
            let y = out.detached
            let n = shape.last
            tape.record(&out, self) { g, ctx in
                let d = Tensor.empty(y.shape)
                let yp = y.ptr, gp = g.ptr, dp = d.ptr
                Parallel.for(y.shape.rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { r in
                    for row in r {
                        let o = row * n
                        var s: Float = 0
                        for j in 0..<n where yp[o + j] != -.infinity { s += gp[o + j] }
                        expScaled(yp + o, dp + o, n, shift: 0, scale: s)   // e^(log p)·s, 0 where −∞
                        for j in 0..<n { dp[o + j] = yp[o + j] == -.infinity ? 0 : gp[o + j] - dp[o + j] }
                    }
                }
                ctx.add(d, to: 0)
            }
        }
        return out
    }

    /// Writes softmax (or log-softmax) rows into `o`.
    private func softmaxForward(mask: Tensor?, into o: UnsafeMutablePointer<Float>, log: Bool) {
        let n = shape.last
        let rows = shape.rows
        let x = ptr
        var maskStrides = InlineArray<6, Int>(repeating: 0)
        var mp: UnsafeMutablePointer<Float>? = nil
        if let mask {
            require(mask.shape.last == n && mask.rank <= rank && Shape.broadcast(mask.shape, shape) == shape,
                         "softmax: mask \(mask.shape) does not broadcast to \(shape)")
            maskStrides = BroadcastPlan.strides(of: mask.shape, in: shape)
            mp = mask.ptr
        }
        let r0 = rank
        let sh = shape
        Parallel.for(rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { range in
            for row in range {
                let xo = x + row * n, oo = o + row * n
                var m: UnsafeMutablePointer<Float>? = nil
                if let mp {
                    var rem = row, off = 0
                    var d = r0 - 2
                    while d >= 0 {
                        let dim = sh.dims[d]
                        off += (rem % dim) * maskStrides[d]
                        rem /= dim
                        d -= 1
                    }
                    m = mp + off
                }
                if log { Tensor.logSoftmaxRow(xo, oo, n, mask: m) } else { seqrec_softmax_row(xo, oo, n, m) }   // C, AVX2 clone
            }
        }
    }

    /// log-softmax of one row `xo[0..<n]` into `oo`, entries where `m` is 0 excluded (−∞);
    /// a row with nothing allowed (or all −∞) becomes all −∞. (Softmax rows: `seqrec_softmax_row`.)
    @inline(__always)
    static func logSoftmaxRow(_ xo: UnsafePointer<Float>, _ oo: UnsafeMutablePointer<Float>, _ n: Int,
                              mask m: UnsafePointer<Float>?) {
        var mx = -Float.infinity
        if let m {
            for j in 0..<n where m[j] != 0 && xo[j] > mx { mx = xo[j] }
        } else {
            for j in 0..<n where xo[j] > mx { mx = xo[j] }
        }
        if mx == -.infinity {
            for j in 0..<n { oo[j] = -.infinity }
            return
        }
        expScaled(xo, oo, n, shift: mx, scale: 1)   // vectorised exp
        if let m { for j in 0..<n where m[j] == 0 { oo[j] = 0 } }
        let lse = mx + logf(rowSum(oo, n))
        for j in 0..<n { oo[j] = (m == nil || m![j] != 0) ? xo[j] - lse : -.infinity }
    }
}
