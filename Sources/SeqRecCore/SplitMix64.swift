import CSeqRecKernels

/// The one seeded random generator of SeqRec (Steele, Lea & Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014).
///
/// Every random choice in the toolkit — initialisation, dropout masks, negative sampling,
/// shuffling — draws from a `SplitMix64` created from an explicit seed, so the same seed gives
/// the same numbers. `SystemRandomNumberGenerator` is never used in library code.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The full generator state; saving and restoring it resumes the stream exactly.
    public var state: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The state's step per draw (the odd "golden gamma"): draw i from state s mixes s + i·γ, so
    /// parts of a stream can start anywhere (`fillInts`).
    @inlinable public static var gamma: UInt64 { 0x9E37_79B9_7F4A_7C15 }   // a constant, not a lazily set global

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= SplitMix64.gamma
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche of `z`. Used on its own as a
    /// counter-based hash (`mix(seed ^ index)`), which lets parallel loops draw reproducible
    /// per-element randomness independent of the thread count.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for an independent sub-stream (e.g. one per layer), derived from this one.
    public mutating func split() -> SplitMix64 { SplitMix64(seed: next()) }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample (Box–Muller; one value per call for a simple, replayable stream).
    public mutating func nextNormal() -> Float {
        var u1 = nextUniformDouble()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextUniformDouble()
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// A uniform integer in `0..<bound` (Lemire's nearly divisionless method, unbiased): the
    /// same draws as the standard library's `next(upperBound:)` (tested), written out so it
    /// inlines into samplers that draw millions per training step.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        require(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b   // 2⁶⁴ mod b: the low words that would bias the draw
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }
}

extension SplitMix64 {
    /// Fills `out` with `offset + nextInt(below: bound)` for each element in order: the same
    /// numbers, and the same state afterwards, as that many calls. Why: samplers that draw
    /// millions per training step (the gSASRec port's negatives) spent ~4 % of the step on one
    /// thread. The draws run in vector lanes (`seqrec_uniform_draws`) and, for large counts, in
    /// parts on the thread budget: part t starts from the state the earlier parts end in when
    /// none redraws (Lemire's method redraws with probability < bound/2⁶⁴ per draw), and a part
    /// whose assumed start turns out wrong is redone from the true state — exact either way.
    /// - Precondition: `bound > 0` and `offset + bound − 1` fits in Int32.
    public mutating func fillInts(_ out: UnsafeMutableBufferPointer<Int32>, below bound: Int, plus offset: Int32 = 0) {
        require(bound > 0 && Int(offset) + bound - 1 <= Int(Int32.max), "fillInts: bound \(bound) with offset \(offset) leaves Int32")
        let n = out.count
        guard n > 0, let base = out.baseAddress else { return }
        let parts = n >= 1 << 16 ? Swift.min(ThreadBudget.threads, n >> 15) : 1
        if parts <= 1 || Parallel.isInsideRegion {
            state = seqrec_uniform_draws(state, UInt64(bound), offset, base, n)
            return
        }
        let bounds = (0...parts).map { $0 * n / parts }
        // Where each part starts if no earlier draw redraws.
        let assumed = bounds.map { state &+ UInt64($0) &* SplitMix64.gamma }
        var ends = [UInt64](repeating: 0, count: parts)
        ends.withUnsafeMutableBufferPointer { e in
            Parallel.for(parts, grain: 1) { r in
                for t in r {
                    e[t] = seqrec_uniform_draws(assumed[t], UInt64(bound), offset, base + bounds[t], bounds[t + 1] - bounds[t])
                }
            }
        }
        state = ends[0]
        for t in 1..<parts {
            if state == assumed[t] {
                state = ends[t]
            } else {   // an earlier part redrew: this one started from the wrong state
                state = seqrec_uniform_draws(state, UInt64(bound), offset, base + bounds[t], bounds[t + 1] - bounds[t])
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@usableFromInline func _log(_ x: Double) -> Double { Foundation.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
