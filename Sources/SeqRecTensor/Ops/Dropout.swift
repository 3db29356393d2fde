import SeqRecCore

// MARK: - Dropout (Srivastava et al., JMLR 2014), inverted scaling.

extension Tensor {
    /// Zeroes each element with probability `rate` and scales the rest by 1/(1 − rate).
    ///
    /// Element i is kept iff a 32-bit counter hash of (seed, i) — MurmurHash3's finaliser over
    /// the index mixed with two keys from `SplitMix64.mix(seed)` — clears `rate·2³²`. The mask is
    /// reproducible from `seed` alone, independent of thread count, and the pullback
    /// regenerates it instead of storing it. 32-bit arithmetic vectorises 8-wide with AVX2
    /// (the 64-bit SplitMix finaliser per element cost 18 % of a SASRec training step).
    /// The rate is thus quantised to 2⁻³².
    /// - Precondition: `0 <= rate < 1`.
    public func dropout(rate: Float, seed: UInt64) -> Tensor {
        require(rate >= 0 && rate < 1, "dropout: rate \(rate) outside the allowed range [0, 1)")
        if rate == 0 { return self }
        let threshold = UInt32(Swift.min(Double(rate) * 0x1p32, Double(UInt32.max)))
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
                             _ n: Int, _ seed: UInt64, _ threshold: UInt32, _ scale: Float) {
        let keys = SplitMix64.mix(seed)
        let k1 = UInt32(truncatingIfNeeded: keys), k2 = UInt32(truncatingIfNeeded: keys >> 32)
        Parallel.for(n) { r in
            let xs = x + r.lowerBound, os = o + r.lowerBound
            let base = UInt32(truncatingIfNeeded: r.lowerBound)
            for j in 0..<r.count {
                var h = ((base &+ UInt32(truncatingIfNeeded: j)) &* 0x9E37_79B1) ^ k1
                h ^= h >> 16
                h &*= 0x85EB_CA6B
                h ^= h >> 13
                h &*= 0xC2B2_AE35
                h ^= h >> 16
                h ^= k2
                h &*= 0x27D4_EB2F
                h ^= h >> 15
                // Branch-free keep/drop (a 50 % branch mispredicts half the time).
                let keep = Float(bitPattern: UInt32(bitPattern: -Int32(h >= threshold ? 1 : 0)) & scale.bitPattern)
                os[j] = xs[j] * keep
            }
        }
    }
}
