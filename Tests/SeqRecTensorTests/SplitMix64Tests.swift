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
}
