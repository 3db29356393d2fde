import SeqRecCore
import SeqRecTensor
import SeqRecTestSupport
import Testing

/// The fused attention op against the same function composed from single ops.
@Suite struct AttentionOpTests {
    /// matmul → softmax(mask:) → dropout → matmul over explicitly split heads.
    func composed(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, mask: Tensor?,
                  rate: Float, seed: UInt64) -> Tensor {
        let b = q.shape[0], lq = q.shape[1], lk = k.shape[1], d = q.shape[2]
        func split(_ x: Tensor, _ l: Int) -> Tensor { x.reshaped([b, l, heads, d / heads]).permuted([0, 2, 1, 3]) }
        var w = Tensor.matmul(split(q, lq) * scale, split(k, lk), transposeB: true).softmax(mask: mask)
        if rate > 0 { w = w.dropout(rate: rate, seed: seed) }
        return Tensor.matmul(w, split(v, lk)).permuted([0, 2, 1, 3]).reshaped([b, lq, d])
    }

    @Test(arguments: [(1, Float(0), false), (2, Float(0.25), true), (4, Float(0.5), true)])
    func matchesTheComposedOpsWithTheirGradients(_ heads: Int, _ rate: Float, _ causal: Bool) {
        var rng = SplitMix64(seed: 17)
        let q = Tensor.randomNormal([3, 7, 8], rng: &rng)
        let k = Tensor.randomNormal([3, 7, 8], rng: &rng)
        let v = Tensor.randomNormal([3, 7, 8], rng: &rng)
        let tokens = Tensor(shape: [3, 7], scalars: [0, 0, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1,  0, 0, 0, 0, 0, 1, 1])
        // Key padding [B, 1, 1, L], optionally times the causal [1, 1, L, L] lower triangle.
        let keyPadding = tokens.reshaped([3, 1, 1, 7])
        let lower = Tensor(shape: [1, 1, 7, 7], scalars: (0..<49).map { $0 % 7 <= $0 / 7 ? 1 : 0 })
        let mask = causal ? keyPadding * lower : keyPadding
        let scale = 1 / Float(8 / heads).squareRoot()
        let w = Tensor.randomNormal([3, 7, 8], rng: &rng)
        var grads: [[Tensor]] = []
        var outputs: [Tensor] = []
        for fused in [true, false] {
            let ps = [q, k, v].enumerated().map { Parameter("x\($0.offset)", $0.element) }
            valueAndGradient {
                let (a, b, c) = (ps[0].tracked, ps[1].tracked, ps[2].tracked)
                let out = fused
                    ? Tensor.attention(queries: a, keys: b, values: c, heads: heads, scale: scale, mask: mask,
                                       dropoutRate: rate, seed: 9)
                    : composed(a, b, c, heads: heads, scale: scale, mask: mask, rate: rate, seed: 9)
                outputs.append(out.detached)
                return (out * w).sum()
            }
            grads.append(ps.map { $0.grad! })
        }
        #expect(Compare.maxAbsDifference(outputs[0], outputs[1]) < 1e-5)
        for i in 0..<3 { #expect(Compare.maxAbsDifference(grads[0][i], grads[1][i]) < 1e-4, "input \(i)") }
        // Dropout really acts (the test can fail): a different seed changes the output.
        if rate > 0 {
            let other = Tensor.attention(queries: q, keys: k, values: v, heads: heads, scale: scale, mask: mask,
                                         dropoutRate: rate, seed: 10)
            #expect(Compare.maxAbsDifference(other, outputs[0]) > 1e-3)
        }
    }

    @Test func fullyBlockedRowsOutputZerosAndAreFinite() {
        var rng = SplitMix64(seed: 2)
        let x = Tensor.randomNormal([1, 3, 4], rng: &rng)
        let mask = Tensor(shape: [1, 1, 3, 3], scalars: [0, 0, 0,  1, 0, 0,  1, 1, 0])
        let out = Tensor.attention(queries: x, keys: x, values: x, heads: 2, scale: 1, mask: mask)
        #expect(out.scalars.prefix(4).allSatisfy { $0 == 0 })
        #expect(out.scalars.allSatisfy { $0.isFinite })
        #expect(out.scalars[4..<8].map { $0 } == x.scalars[0..<4].map { $0 })   // row 1 sees only key 0
    }

    @Test func rejectsHeadsThatDoNotDivideTheWidth() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.zeros([1, 2, 6])
            _ = Tensor.attention(queries: x, keys: x, values: x, heads: 4, scale: 1, mask: nil)
        }
        let message = String(decoding: r?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("attention: 4 heads do not divide d 6"))
    }

    /// Left-padded ids [3, 5] (lengths 3, 5 and 0) and one with padding in the middle.
    static let ids = IDTensor(shape: [4, 5], [0, 0, 4, 2, 7,  1, 2, 3, 4, 5,  0, 0, 0, 0, 0,  0, 6, 0, 6, 9])

    @Test func packingKeepsRealPositionsInOrderAndUnpacksWithZeros() {
        let packed = PackedSequences(ids: Self.ids)
        #expect(packed.starts == [0, 3, 8, 8, 11])
        #expect(packed.pack(Self.ids).ids == [4, 2, 7, 1, 2, 3, 4, 5, 6, 6, 9])
        #expect(packed.positions(offset: 10).ids == [12, 13, 14, 10, 11, 12, 13, 14, 11, 13, 14])
        let rows = Tensor(shape: [11, 1], scalars: (1...11).map(Float.init))
        #expect(packed.unpack(rows).scalars == [0, 0, 1, 2, 3,  4, 5, 6, 7, 8,  0, 0, 0, 0, 0,  0, 9, 0, 10, 11])
    }

    /// The last-query form equals the packed attention at each sequence's last row (the causal
    /// last row sees everything), and `lastColumn` picks exactly the windows ending in a real id.
    @Test(arguments: [1, 2, 4])
    func lastQueryAttentionEqualsThePackedFormAtTheLastRows(_ heads: Int) {
        let packed = PackedSequences(ids: Self.ids)
        let (sequences, rows, ranges) = packed.lastColumn()
        #expect(sequences == [0, 1, 3] && rows.ids == [2, 7, 10] && ranges == [0..<3, 3..<8, 8..<11])
        var rng = SplitMix64(seed: UInt64(10 + heads))
        let q = Tensor.randomNormal([11, 8], rng: &rng), k = Tensor.randomNormal([11, 8], rng: &rng)
        let v = Tensor.randomNormal([11, 8], rng: &rng)
        for causal in [false, true] {
            let all = Tensor.attention(queries: q, keys: k, values: v, sequences: packed, heads: heads, scale: 0.4, causal: causal)
            let last = Tensor.lastQueryAttention(queries: q.gatherRows(rows), keys: k, values: v, keyRanges: ranges,
                                                 heads: heads, scale: 0.4)
            #expect(Compare.maxAbsDifference(last, all.gatherRows(rows)) < 1e-5)
        }
        // An empty key range gives a zero row.
        let empty = Tensor.lastQueryAttention(queries: q.slice(axis: 0, 0..<1), keys: k, values: v, keyRanges: [0..<0],
                                              heads: heads, scale: 0.4)
        #expect(empty.scalars == [Float](repeating: 0, count: 8))
    }

    @Test(arguments: [(1, false), (2, true), (4, false), (4, true)])
    func packedAttentionEqualsThePaddedFormAtRealPositions(_ heads: Int, _ causal: Bool) {
        let packed = PackedSequences(ids: Self.ids)
        var rng = SplitMix64(seed: UInt64(heads))
        let x = Tensor.randomNormal([4, 5, 8], rng: &rng), y = Tensor.randomNormal([4, 5, 8], rng: &rng)
        let tokens = Tensor(shape: [4, 1, 1, 5], scalars: Self.ids.ids.map { $0 == 0 ? 0 : 1 })
        let lower = Tensor(shape: [1, 1, 5, 5], scalars: (0..<25).map { $0 % 5 <= $0 / 5 ? 1 : 0 })
        let dense = Tensor.attention(queries: x, keys: y, values: y * 2, heads: heads, scale: 0.4,
                                     mask: causal ? tokens * lower : tokens)
        // Pack the same rows (the padded rows are garbage the packed form never sees).
        let gather = IDTensor(shape: [11], ids: packed.sourceRows)
        let px = x.reshaped([20, 8]).gatherRows(gather), py = y.reshaped([20, 8]).gatherRows(gather)
        let out = Tensor.attention(queries: px, keys: py, values: py * 2, sequences: packed, heads: heads,
                                   scale: 0.4, causal: causal)
        let expected = dense.reshaped([20, 8]).gatherRows(gather)
        #expect(Compare.maxAbsDifference(out, expected) < 1e-5)
    }

    @Test(arguments: [false, true])
    func packedAttentionGradientMatchesFiniteDifferences(_ causal: Bool) {
        let packed = PackedSequences(ids: Self.ids)
        var rng = SplitMix64(seed: 3)
        let inputs = (0..<3).map { _ in Tensor.randomUniform([11, 6], low: -2, high: 2, rng: &rng) }
        for rate: Float in [0, 0.3] {
            let report = GradientCheck.check(inputs) {
                Tensor.attention(queries: $0[0], keys: $0[1], values: $0[2], sequences: packed, heads: 2, scale: 0.6,
                                 causal: causal, dropoutRate: rate, seed: 4)
            }
            #expect(report.passed, "causal \(causal) rate \(rate): \(report)")
        }
    }

    /// Long causal sequences (150, 65, 64, 0 and 1 positions): the packed form equals the padded,
    /// masked form, and its gradients pass a finite-difference check, with and without dropout.
    @Test func longCausalSequencesMatchThePaddedFormAndFiniteDifferences() {
        let lengths = [150, 65, 64, 0, 1], l = 150, d = 8
        var ids = [Int32](repeating: 0, count: lengths.count * l)
        for (b, n) in lengths.enumerated() { for c in (l - n)..<l { ids[b * l + c] = 1 } }
        let batch = IDTensor(shape: [lengths.count, l], ids: ids)
        let packed = PackedSequences(ids: batch)
        var rng = SplitMix64(seed: 21)
        let x = Tensor.randomNormal([lengths.count, l, d], rng: &rng), y = Tensor.randomNormal([lengths.count, l, d], rng: &rng)
        let tokens = Tensor(shape: [lengths.count, 1, 1, l], scalars: ids.map { $0 == 0 ? 0 : 1 })
        let lower = Tensor(shape: [1, 1, l, l], scalars: (0..<(l * l)).map { $0 % l <= $0 / l ? 1 : 0 })
        let dense = Tensor.attention(queries: x, keys: y, values: y * 2, heads: 2, scale: 0.4, mask: tokens * lower)
        let gather = IDTensor(shape: [packed.count], ids: packed.sourceRows)
        let px = x.reshaped([lengths.count * l, d]).gatherRows(gather), py = y.reshaped([lengths.count * l, d]).gatherRows(gather)
        let out = Tensor.attention(queries: px, keys: py, values: py * 2, sequences: packed, heads: 2, scale: 0.4, causal: true)
        #expect(Compare.maxAbsDifference(out, dense.reshaped([lengths.count * l, d]).gatherRows(gather)) < 1e-5)
        let inputs = (0..<3).map { _ in Tensor.randomUniform([packed.count, d], low: -1, high: 1, rng: &rng) }
        for rate: Float in [0, 0.3] {
            let report = GradientCheck.check(inputs, maxElements: 300) {
                Tensor.attention(queries: $0[0], keys: $0[1], values: $0[2], sequences: packed, heads: 2, scale: 0.6,
                                 causal: true, dropoutRate: rate, seed: 9)
            }
            #expect(report.passed, "rate \(rate): \(report)")
        }
    }
}
