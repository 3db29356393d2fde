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
        var lse = [Float](repeating: 0, count: n)
        var total: Double = 0
        var used = 0
        let x = ptr
        for r in 0..<n {
            let t = targets.ids[r]
            if t == ignoreIndex { continue }
            require(t >= 0 && Int(t) < c, "softmaxCrossEntropy: target \(t) out of range 0..<\(c)")
            let row = x + r * c
            var mx = -Float.infinity
            for j in 0..<c where row[j] > mx { mx = row[j] }
            var s: Float = 0
            for j in 0..<c { s += expf(row[j] - mx) }
            lse[r] = mx + logf(s)
            total += Double(lse[r] - row[Int(t)])
            used += 1
        }
        var out = Tensor(used == 0 ? 0 : Float(total / Double(used)))
        if let tape = Tape.active(self) {
            let x0 = detached
            tape.record(&out, self) { g, ctx in
                let scale = g.scalar / Float(Swift.max(used, 1))
                let d = Tensor.zeros(x0.shape)
                let xp = x0.ptr, dp = d.ptr
                for r in 0..<n {
                    let t = targets.ids[r]
                    if t == ignoreIndex { continue }
                    for j in 0..<c { dp[r * c + j] = expf(xp[r * c + j] - lse[r]) * scale }
                    dp[r * c + Int(t)] -= scale
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
