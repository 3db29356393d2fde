import CSeqRecKernels
import SeqRecCore
import Testing

/// The table gradient of `sampledDot` buckets the pairs into slices of the table that stay in
/// L2 when the owned id range is large; it must add the same terms in the same order as the
/// direct loop, which runs when the range fits one slice (here: calls owning 64 ids at a time).
@Suite struct SampledDotTableGradTests {
    @Test(arguments: [(128, 3_000), (64, 5_000), (83, 2_500)])
    func bucketedSlicesGiveTheDirectLoopsBits(_ shape: (d: Int, v: Int)) {
        let (d, v) = shape
        var rng = SplitMix64(seed: UInt64(d * v))
        let rows = 61, k = 37
        let h = (0..<(rows * d)).map { _ in rng.nextNormal() }
        let g = (0..<(rows * k)).map { i in i % 7 == 3 ? 0 : rng.nextNormal() }
        // Repeats within a row and across rows, and ids at both ends of the table.
        let ids = (0..<(rows * k)).map { i -> Int32 in i % 11 == 0 ? Int32(v - 1) : i % 13 == 0 ? 0 : Int32(rng.nextInt(below: v)) }
        var whole = [Float](repeating: 0.25, count: v * d), sliced = whole, halves = whole
        seqrec_sampled_dot_table_grad(g, h, ids, &whole, rows, k, d, 0, Int32(v))
        for lo in stride(from: 0, to: v, by: 64) {
            seqrec_sampled_dot_table_grad(g, h, ids, &sliced, rows, k, d, Int32(lo), Int32(Swift.min(v, lo + 64)))
        }
        // Two owners, as with two threads: each its half of the ids.
        seqrec_sampled_dot_table_grad(g, h, ids, &halves, rows, k, d, 0, Int32(v / 2))
        seqrec_sampled_dot_table_grad(g, h, ids, &halves, rows, k, d, Int32(v / 2), Int32(v))
        // (Counts, not arrays: a failure names how many of the v·d entries differ.)
        #expect(zip(whole, sliced).filter { $0.0.bitPattern != $0.1.bitPattern }.count == 0)
        #expect(zip(halves, sliced).filter { $0.0.bitPattern != $0.1.bitPattern }.count == 0)
        // And it is the gradient: row v − 1 receives Σ g·h over its pairs.
        var expected = [Double](repeating: 0.25, count: d)
        for p in 0..<(rows * k) where ids[p] == Int32(v - 1) {
            for x in 0..<d { expected[x] += Double(g[p]) * Double(h[(p / k) * d + x]) }
        }
        for x in 0..<d { #expect(abs(Double(whole[(v - 1) * d + x]) - expected[x]) < 1e-3) }
    }
}
