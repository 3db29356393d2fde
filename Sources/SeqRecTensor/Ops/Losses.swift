import CSeqRecKernels
import SeqRecCore
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Fused losses where fusion buys stability or memory.

extension Tensor {
    /// Mean softmax cross-entropy of `[N, C]` logits against target ids `[N]`; rows whose
    /// target is `ignoreIndex` are skipped (padding). Computed from the log-sum-exp, so it is
    /// stable for any finite logits. Under a tape the gradient (softmax − one-hot)/count is
    /// written in the forward pass, from the same exps, and kept instead of the logits.
    /// - Returns: a scalar; 0 when every row is ignored.
    public func softmaxCrossEntropy(targets: IDTensor, ignoreIndex: Int32 = -1) -> Tensor {
        require(rank == 2 && targets.shape == Shape([shape[0]]),
                     "softmaxCrossEntropy: logits \(shape) need targets [\(rank == 2 ? shape[0] : -1)], got \(targets.shape)")
        let n = shape[0], c = shape[1]
        for t in targets.ids where t != ignoreIndex {
            require(t >= 0 && Int(t) < c, "softmaxCrossEntropy: target \(t) out of range 0..<\(c)")
        }
        let used = targets.ids.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        let scale = 1 / Float(Swift.max(used, 1))
        // With a tape, the gradient (softmax − one-hot)/used is written in the same pass as the
        // log-partition, while each row is in cache: one exp per logit, and the pullback only
        // scales it by the upstream gradient (usually 1: nothing to do).
        let tape = Tape.active(self)
        let gradient = tape == nil ? nil : Tensor.empty(shape)
        var perRow = [Double](repeating: 0, count: n)
        let x = ptr, dp = gradient?.ptr
        perRow.withUnsafeMutableBufferPointer { pr in
            targets.ids.withUnsafeBufferPointer { tp in
                Parallel.for(n, grain: Swift.max(1, 65_536 / Swift.max(c, 1))) { range in
                    for r in range {
                        let t = tp[r], row = x + r * c
                        if t == ignoreIndex {
                            dp.map { ($0 + r * c).update(repeating: 0, count: c) }
                            continue
                        }
                        // Row r: max, then Σ e^(x − max) with the vectorised exp (C kernels).
                        let lse: Float
                        if let dp {
                            lse = seqrec_softmax_scaled_row(row, dp + r * c, c, scale)
                            dp[r * c + Int(t)] -= scale
                        } else {
                            lse = seqrec_logsumexp_row(row, c)
                        }
                        pr[r] = Double(lse - row[Int(t)])
                    }
                }
            }
        }
        var out = Tensor(used == 0 ? 0 : Float(perRow.reduce(0, +) / Double(used)))
        if let tape, let gradient {
            tape.record(&out, self) { g, ctx in
                ctx.add(g.scalar == 1 ? gradient : gradient * g.scalar, to: 0)
            }
        }
        return out
    }

    /// Elementwise binary cross-entropy with logits, softplus(x) − y·x: stable for any finite
    /// logits (|x| up to 1e4 and beyond). Labels `y` in [0, 1], same shape (or broadcastable).
    public func binaryCrossEntropyWithLogits(labels: Tensor) -> Tensor {
        softplus() - self * labels
    }
}
