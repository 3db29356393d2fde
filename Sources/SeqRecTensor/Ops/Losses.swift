import CSeqRecKernels
import SeqRecCore
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Fused losses where fusion buys stability or memory.

extension Tensor {
    /// Mean softmax cross-entropy of `[N, C]` logits against target ids `[N]`; rows whose
    /// target is `ignoreIndex` are skipped (padding). Computed from the log-sum-exp, so it is
    /// stable for any finite logits, and the pullback (softmax − one-hot)/count never stores
    /// the N×C probabilities.
    /// - Returns: a scalar; 0 when every row is ignored.
    public func softmaxCrossEntropy(targets: IDTensor, ignoreIndex: Int32 = -1) -> Tensor {
        require(rank == 2 && targets.shape == Shape([shape[0]]),
                     "softmaxCrossEntropy: logits \(shape) need targets [\(rank == 2 ? shape[0] : -1)], got \(targets.shape)")
        let n = shape[0], c = shape[1]
        for t in targets.ids where t != ignoreIndex {
            require(t >= 0 && Int(t) < c, "softmaxCrossEntropy: target \(t) out of range 0..<\(c)")
        }
        var lse = [Float](repeating: 0, count: n)
        var perRow = [Double](repeating: 0, count: n)
        let x = ptr
        // Rows in parallel; each row: max, then Σ e^(x − max) with the vectorised exp (C kernel).
        lse.withUnsafeMutableBufferPointer { lp in
            perRow.withUnsafeMutableBufferPointer { pr in
                targets.ids.withUnsafeBufferPointer { tp in
                    Parallel.for(n, grain: Swift.max(1, 65_536 / Swift.max(c, 1))) { range in
                        for r in range where tp[r] != ignoreIndex {
                            let row = x + r * c
                            lp[r] = seqrec_logsumexp_row(row, c)
                            pr[r] = Double(lp[r] - row[Int(tp[r])])
                        }
                    }
                }
            }
        }
        let used = targets.ids.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        var out = Tensor(used == 0 ? 0 : Float(perRow.reduce(0, +) / Double(used)))
        if let tape = Tape.active(self) {
            let x0 = detached
            tape.record(&out, self) { g, ctx in
                let scale = g.scalar / Float(Swift.max(used, 1))
                let d = Tensor.empty(x0.shape)
                let xp = x0.ptr, dp = d.ptr
                lse.withUnsafeBufferPointer { lp in
                    targets.ids.withUnsafeBufferPointer { tp in
                        Parallel.for(n, grain: Swift.max(1, 65_536 / Swift.max(c, 1))) { range in
                            for r in range {
                                let t = tp[r]
                                if t == ignoreIndex {
                                    (dp + r * c).update(repeating: 0, count: c)
                                    continue
                                }
                                seqrec_exp_shifted(xp + r * c, dp + r * c, c, lp[r], scale)
                                dp[r * c + Int(t)] -= scale
                            }
                        }
                    }
                }
                ctx.add(d, to: 0)
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
