import SeqRecCore
import CSeqRecKernels

// MARK: - Dropout (Srivastava et al., JMLR 2014), inverted scaling.

extension Tensor {
    /// Zeroes each element with probability `rate` and scales the rest by 1/(1 − rate).
    ///
    /// Element i is kept iff a 32-bit counter hash of (seed, i) — MurmurHash3's finaliser over
    /// the index mixed with two keys from `SplitMix64.mix(seed)` — clears `rate·2³²` (so the rate
    /// is quantised to 2⁻³²). The mask is
    /// reproducible from `seed` alone, independent of thread count, and the pullback
    /// regenerates it instead of storing it. The loop is C (`seqrec_dropout_apply`), cloned for
    /// AVX2 so the 32-bit multiplies run 8-wide: the scalar Swift loop of the baseline x86-64
    /// build cost 11 % of a small SASRec training step.
    /// - Precondition: `0 <= rate < 1`.
    public func dropout(rate: Float, seed: UInt64) -> Tensor {
        require(rate >= 0 && rate < 1, "dropout: rate \(rate) outside the allowed range [0, 1)")
        if rate == 0 { return self }
        let threshold = Tensor.dropoutThreshold(rate)
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
        let (k1, k2) = dropoutKeys(seed)
        Parallel.for(n) { r in
            seqrec_dropout_apply(x + r.lowerBound, o + r.lowerBound, r.count,
                                 UInt32(truncatingIfNeeded: r.lowerBound), k1, k2, threshold, scale)
        }
    }

    /// Hashes at or above this keep their element: `rate·2³²`, saturated.
    static func dropoutThreshold(_ rate: Float) -> UInt32 {
        UInt32(Swift.min(Double(rate) * 0x1p32, Double(UInt32.max)))
    }

    /// The two 32-bit hash keys of a dropout seed.
    static func dropoutKeys(_ seed: UInt64) -> (UInt32, UInt32) {
        let keys = SplitMix64.mix(seed)
        return (UInt32(truncatingIfNeeded: keys), UInt32(truncatingIfNeeded: keys >> 32))
    }

    /// Whether `dropout(rate:seed:)` keeps element `index` (the mask, for tests and tools).
    public static func dropoutKeeps(index: Int, rate: Float, seed: UInt64) -> Bool {
        let (k1, k2) = dropoutKeys(seed)
        return seqrec_dropout_hash(UInt32(truncatingIfNeeded: index), k1, k2) >= dropoutThreshold(rate)
    }
}
