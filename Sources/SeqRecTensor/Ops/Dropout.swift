import SeqRecCore

// MARK: - Dropout (Srivastava et al., JMLR 2014), inverted scaling.

extension Tensor {
    /// Zeroes each element with probability `rate` and scales the rest by 1/(1 − rate).
    ///
    /// Element i is kept iff `SplitMix64.mix(seed ⊕ i·φ)` clears the threshold, so the mask is
    /// reproducible from `seed` alone, independent of thread count, and the pullback regenerates
    /// it instead of storing it.
    /// - Precondition: `0 <= rate < 1`.
    public func dropout(rate: Float, seed: UInt64) -> Tensor {
        require(rate >= 0 && rate < 1, "dropout: rate \(rate) outside the allowed range [0, 1)")
        if rate == 0 { return self }
        let threshold = UInt64(Double(rate) * 0x1p64 >= 0x1p64 ? Double(UInt64.max) : Double(rate) * 0x1p64)
        let scale = 1 / (1 - rate)
        var out = Tensor.empty(shape)
        Tensor.dropoutApply(ptr, out.ptr, count, seed, threshold, scale)
        if let tape = Tape.active(self) {
            let n = count
            tape.record(&out, self) { g, ctx in
                let d = Tensor.empty(g.shape)
                Tensor.dropoutApply(g.ptr, d.ptr, n, seed, threshold, scale)
                ctx.add(d, to: 0)
            }
        }
        return out
    }

    static func dropoutApply(_ x: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                             _ n: Int, _ seed: UInt64, _ threshold: UInt64, _ scale: Float) {
        Parallel.for(n) { r in
            for i in r {
                let h = SplitMix64.mix(seed ^ (UInt64(i) &* 0x9E37_79B9_7F4A_7C15))
                o[i] = h >= threshold ? x[i] * scale : 0
            }
        }
    }
}
