import Foundation
import SeqRecCore
import SeqRecNN
import SeqRecTensor
import SeqRecTestSupport
import Testing

@Suite struct AttentionTests {
    func block(_ order: TransformerBlock.Order, heads: Int) -> TransformerBlock {
        var rng = SplitMix64(seed: 21)
        return try! TransformerBlock(order: order, dim: 8, heads: heads, hidden: 8, activation: .relu, dropout: 0, rng: &rng)
    }

    @Test(arguments: [TransformerBlock.Order.sasrec, .preLN, .postLN])
    func causalMaskLeaksNothingFromTheFuture(_ order: TransformerBlock.Order) {
        let b = block(order, heads: 2)
        var rng = SplitMix64(seed: 3)
        let x = Tensor.randomNormal([1, 6, 8], rng: &rng)
        var y = x.copied()
        // Perturb position 4 strongly.
        y.withUnsafeMutableBufferPointer { p in for j in 0..<8 { p[4 * 8 + j] += 5 } }
        var c = ForwardContext.inference
        let a = b(x, mask: AttentionMask.causal(6), &c), bOut = b(y, mask: AttentionMask.causal(6), &c)
        let earlierA = a.slice(axis: 1, 0..<4), earlierB = bOut.slice(axis: 1, 0..<4)
        #expect(Compare.maxAbsDifference(earlierA, earlierB) == 0)
        // The perturbed position itself does change (the test can fail).
        #expect(Compare.maxAbsDifference(a.slice(axis: 1, 4..<6), bOut.slice(axis: 1, 4..<6)) > 1e-3)
    }

    @Test(arguments: [TransformerBlock.Order.sasrec, .preLN, .postLN])
    func realPositionsIgnoreTheAmountOfLeftPadding(_ order: TransformerBlock.Order) {
        let b = block(order, heads: 2)
        var rng = SplitMix64(seed: 4)
        let real = Tensor.randomNormal([1, 3, 8], rng: &rng)
        var outputs: [Tensor] = []
        for pad in [0, 2, 5] {
            let padded = pad == 0 ? real : Tensor.concat([Tensor.randomNormal([1, pad, 8], rng: &rng), real], axis: 1)
            let tokens = Tensor(shape: [1, pad + 3], scalars: Array(repeating: 0, count: pad) + [1, 1, 1])
            var c = ForwardContext.inference
            let out = b(padded, mask: AttentionMask.causal(keyPadding: tokens), tokenMask: tokens.reshaped([1, pad + 3, 1]), &c)
            outputs.append(out.slice(axis: 1, pad..<(pad + 3)))
        }
        #expect(Compare.maxAbsDifference(outputs[0], outputs[1]) < 1e-5)
        #expect(Compare.maxAbsDifference(outputs[0], outputs[2]) < 1e-5)
    }

    @Test func gruOutputsIgnoreLeftPadding() {
        var rng = SplitMix64(seed: 5)
        let g = GRU(inputSize: 3, hiddenSize: 4, rng: &rng)
        let real = Tensor.randomNormal([1, 3, 3], rng: &rng)
        let padded = Tensor.concat([Tensor.randomNormal([1, 2, 3], rng: &rng), real], axis: 1)
        let a = g(real)
        let b = g(padded, mask: Tensor(shape: [1, 5], scalars: [0, 0, 1, 1, 1])).slice(axis: 1, 2..<5)
        #expect(Compare.maxAbsDifference(a, b) < 1e-6)
    }

    @Test func sasrecFormHasNoOutputProjection() {
        var rng = SplitMix64(seed: 1)
        let s = try! MultiHeadAttention(dim: 8, heads: 2, form: .sasrec, attentionDropout: 0, rng: &rng)
        let t = try! MultiHeadAttention(dim: 8, heads: 2, form: .standard, attentionDropout: 0, rng: &rng)
        #expect(s.parameters.count == 6 && t.parameters.count == 8)
        #expect(s.output == nil)
    }

    @Test func singleKeyAttentionCopiesTheValue() {
        // With one key, softmax weight is exactly 1, so the output is V·x (+ bias): hand-checkable.
        var rng = SplitMix64(seed: 1)
        let a = try! MultiHeadAttention(dim: 2, heads: 1, form: .sasrec, attentionDropout: 0, rng: &rng)
        a.value.weight.assign(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        a.value.bias!.assign(Tensor([0.5, -0.5]))
        var c = ForwardContext.inference
        let y = a(queries: Tensor(shape: [1, 1, 2], scalars: [9, 9]), keysValues: Tensor(shape: [1, 1, 2], scalars: [1, 1]), mask: nil, &c)
        // W·x + b = [1+2+0.5, 3+4−0.5]
        #expect(y.scalars == [3.5, 6.5])
    }
}

@Suite struct DisentangledAttentionTests {
    /// δ(i, j) = clamp(i − j + k, 0, 2k − 1), by hand for k = 2 over a 3 × 4 grid.
    @Test func relativeIndexByHand() {
        let idx = DisentangledAttention.relativeIndex(batch: 2, rows: 3, columns: 4, span: 2)
        #expect(idx.shape == [2, 3, 4])
        let one: [Int32] = [2, 1, 0, 0,
                            3, 2, 1, 0,
                            3, 3, 2, 1]
        #expect(idx.ids == one + one)
    }

    /// With zero position projections only the content term remains: ordinary attention
    /// scaled by 1/√(3·d_h) — checked against the scores computed by hand.
    @Test func zeroPositionProjectionsLeaveScaledContentAttention() throws {
        var rng = SplitMix64(seed: 3)
        let a = try DisentangledAttention(dim: 4, heads: 1, attentionDropout: 0, rng: &rng)
        for p in a.positionKey.parameters + a.positionQuery.parameters { p.updateValue { b in for i in b.indices { b[i] = 0 } } }
        let x = Tensor.randomNormal([1, 3, 4], rng: &rng), relative = Tensor.randomNormal([6, 4], rng: &rng)
        var ctx = ForwardContext.inference
        let got = a(x, relative: relative, mask: nil, &ctx).scalars
        let q = a.query(x).scalars, k = a.key(x).scalars, v = a.value(x).scalars
        var mixed = [Float](repeating: 0, count: 12)
        for i in 0..<3 {
            var s = (0..<3).map { j in (0..<4).reduce(Float(0)) { $0 + q[i * 4 + $1] * k[j * 4 + $1] } / Float(12).squareRoot() }
            let m = s.max()!
            s = s.map { Foundation.exp($0 - m) }
            let z = s.reduce(0, +)
            for j in 0..<3 { for c in 0..<4 { mixed[i * 4 + c] += s[j] / z * v[j * 4 + c] } }
        }
        let expected = a.output(Tensor(shape: [1, 3, 4], scalars: mixed)).scalars
        #expect(zip(got, expected).map { Swift.abs($0 - $1) }.max()! < 1e-5)
    }
}
