import SeqRecCore
import Testing

/// The seeded generator's integer draws: `nextInt(below:)` is written out for speed, and must
/// give exactly the standard library's `next(upperBound:)` draws (so every seeded result made
/// before it was written out is reproduced) and stay in range.
struct SplitMix64Tests {
    @Test func nextIntEqualsTheStandardLibrarysUpperBoundDraws() {
        // Small, catalogue-sized, and huge bounds (near 2⁶³ half the first draws are rejected).
        let bounds = [1, 2, 3, 7, 100, 3_416, 1 << 20, 1_000_000_007, 1 << 40, (1 << 62) + 12_345, Int.max - 1, Int.max]
        for (k, bound) in bounds.enumerated() {
            var ours = SplitMix64(seed: UInt64(k * 7 + 1)), theirs = ours
            for _ in 0..<20_000 {
                let a = ours.nextInt(below: bound)
                let b = Int(theirs.next(upperBound: UInt64(bound)))
                #expect(a == b, "bound \(bound)")
                #expect(a >= 0 && a < bound)
                if a != b { return }
            }
            #expect(ours == theirs, "bound \(bound): the generators drew different numbers of words")
        }
    }

    /// One `nextInt(below:)` call per element, the reference for `fillInts`.
    func oneByOne(_ rng: inout SplitMix64, _ n: Int, _ bound: Int, _ offset: Int32) -> [Int32] {
        (0..<n).map { _ in offset + Int32(rng.nextInt(below: bound)) }
    }

    /// The bulk draws equal one call per element — numbers and final state — for lengths that
    /// end inside and at the end of the kernel's 64-draw blocks, on one thread and in parts on
    /// the thread budget (≥ 2¹⁶ draws), for bounds up to the largest whose draws fit Int32.
    @Test(arguments: [1, 3, 3_416, 1 << 20, Int(Int32.max)])
    func fillIntsEqualsOneCallPerElement(_ bound: Int) {
        for n in [0, 1, 63, 64, 65, 1_000, 70_001, 200_000] {
            var ours = SplitMix64(seed: UInt64(bound % 1_000 + n)), theirs = ours
            let expected = oneByOne(&theirs, n, bound, 1)
            var got = [Int32](repeating: -7, count: n)
            got.withUnsafeMutableBufferPointer { ours.fillInts($0, below: bound, plus: 1) }
            #expect(got == expected, "bound \(bound), n \(n)")
            #expect(ours == theirs, "bound \(bound), n \(n): different numbers of words drawn")
        }
    }

    /// A real redraw inside the vector path: with bound 3 (2⁶⁴ mod 3 = 1) the draw whose state
    /// is 0 (mix(0) = 0, low word 0) is redrawn. Placed in the first block, in a later block, and
    /// in the first part of a split fill, whose later parts then start from the wrong state and
    /// must be redone.
    @Test(arguments: [0, 5, 130, 40_000])
    func fillIntsRedrawsExactlyAsOneCallPerElement(_ at: Int) {
        let golden = SplitMix64.gamma
        let n = 150_000
        var ours = SplitMix64(seed: 0 &- UInt64(at + 1) &* golden), theirs = ours
        var probe = theirs
        for _ in 0..<at { _ = probe.next() }
        #expect(SplitMix64.mix(probe.state &+ golden) == 0, "draw \(at) is the one that redraws")
        let expected = oneByOne(&theirs, n, 3, 0)
        var got = [Int32](repeating: -7, count: n)
        got.withUnsafeMutableBufferPointer { ours.fillInts($0, below: 3, plus: 0) }
        #expect(got == expected)
        #expect(ours == theirs)
        #expect(ours.state != (0 &- UInt64(at + 1) &* golden) &+ UInt64(n) &* golden, "no redraw happened")
    }
}
