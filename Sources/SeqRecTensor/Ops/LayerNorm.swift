import SeqRecCore
import CSeqRecKernels
// MARK: - Fused layer normalisation over the last axis (Ba, Kiros & Hinton, 2016).

extension Tensor {
    /// y = (x − mean) / √(var + ε) · γ + β over the last axis (biased variance, as PyTorch and
    /// Keras). `gamma` and `beta` are `[D]`. One pass forward, one pass backward; the row loops
    /// are C (`seqrec_layernorm_forward/backward`: fixed-lane sums, AVX2 clone).
    public func layerNorm(gamma: Tensor, beta: Tensor, epsilon: Float) -> Tensor {
        let d = shape.last
        require(gamma.shape == Shape([d]) && beta.shape == Shape([d]),
                     "layerNorm: gamma \(gamma.shape) / beta \(beta.shape) must be [\(d)] for input \(shape)")
        let rows = shape.rows
        var out = Tensor.empty(shape)
        var stats = [Float](repeating: 0, count: 2 * rows)  // mean, rstd per row
        let x = ptr, o = out.ptr, gp = gamma.ptr, bp = beta.ptr
        let grain = Swift.max(1, 16_384 / Swift.max(d, 1))
        stats.withUnsafeMutableBufferPointer { sb in
            let st = sb.baseAddress!
            Parallel.for(rows, grain: grain) { r in
                seqrec_layernorm_forward(x + r.lowerBound * d, o + r.lowerBound * d, st + 2 * r.lowerBound,
                                         gp, bp, r.count, d, epsilon)
            }
        }
        if let tape = Tape.active(self, gamma, beta) {
            let (x0, g0) = (detached, gamma.detached)
            tape.record(&out, self, gamma, beta) { g, ctx in
                let dx = Tensor.empty(x0.shape)
                let chunks = Parallel.chunkCount(rows, grain: grain)
                var partial = [Float](repeating: 0, count: chunks * 2 * d)
                let xp = x0.ptr, gam = g0.ptr, gr = g.ptr, dxp = dx.ptr
                let needX = ctx.needs(0)
                stats.withUnsafeBufferPointer { sb in
                    partial.withUnsafeMutableBufferPointer { pb in
                        let st = sb.baseAddress!, pp = pb.baseAddress!
                        Parallel.forChunks(rows, grain: grain) { c, r in
                            let dgam = pp + c * 2 * d, dbet = dgam + d
                            let lo = r.lowerBound
                            seqrec_layernorm_backward(xp + lo * d, gr + lo * d, st + 2 * lo, gam,
                                                      needX ? dxp + lo * d : nil, dgam, dbet, r.count, d)
                        }
                    }
                }
                if needX { ctx.add(dx, to: 0) }
                if ctx.needs(1) || ctx.needs(2) {
                    var dg = [Float](repeating: 0, count: d), db = [Float](repeating: 0, count: d)
                    for c in 0..<chunks {
                        for j in 0..<d {
                            dg[j] += partial[c * 2 * d + j]
                            db[j] += partial[c * 2 * d + d + j]
                        }
                    }
                    ctx.add(Tensor(dg), to: 1)
                    ctx.add(Tensor(db), to: 2)
                }
            }
        }
        return out
    }
}
