import SeqRecCore
import SeqRecTensor
import Testing

@Suite struct GatherTests {
    /// The reference: a plain loop.
    func naive(_ table: Tensor, _ rows: Tensor, _ ids: IDTensor) -> [Float] {
        var t = table.scalars
        let d = table.shape[1], r = rows.scalars
        for (i, id) in ids.ids.enumerated() { for j in 0..<d { t[Int(id) * d + j] += r[i * d + j] } }
        return t
    }

    /// Both parallel regimes (small table → private copies; large table → id ownership) and
    /// skewed ids give the plain loop's result.
    @Test(arguments: [(items: 50, n: 40_000), (items: 30_000, n: 3_000), (items: 7, n: 9_000)])
    func scatterAddMatchesAPlainLoop(_ c: (items: Int, n: Int)) {
        var rng = SplitMix64(seed: UInt64(c.items))
        let d = 24
        var table = Tensor.randomNormal([c.items, d], rng: &rng)
        let rows = Tensor.randomNormal([c.n, d], rng: &rng)
        // Popularity skew: squares of uniforms concentrate on low ids.
        let ids = IDTensor(shape: [c.n], (0..<c.n).map { _ in let u = rng.nextUniformDouble(); return Int(Double(c.items) * u * u) })
        let expected = naive(table, rows, ids)
        table.scatterAddRows(rows, ids: ids)
        let got = table.scalars
        var worst: Float = 0
        for i in got.indices { worst = Swift.max(worst, Swift.abs(got[i] - expected[i]) / Swift.max(1, Swift.abs(expected[i]))) }
        #expect(worst < 1e-4)
    }

    @Test func gatherRowsPicksRowsAndPaddingIsZero() {
        let table = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let out = table.gatherRows(IDTensor(shape: [2, 2], [2, 0, 1, 2]), paddingID: 1)
        #expect(out.shape == [2, 2, 2])
        #expect(out.scalars == [5, 6, 1, 2, 0, 0, 5, 6])
    }

    @Test func gatherLastPicksSampledLogits() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(logits.gatherLast(IDTensor(shape: [2, 2], [2, 2, 0, 1])).scalars == [3, 3, 4, 5])
    }
}
