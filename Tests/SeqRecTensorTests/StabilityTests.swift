import Foundation
import SeqRecCore
import SeqRecTensor
import Testing

@Suite struct StabilityTests {
    let extreme = Tensor([-1e4, -50, 0, 50, 1e4])

    @Test func logSigmoidAndSoftplusAtExtremes() {
        let ls = extreme.logSigmoid().scalars
        #expect(ls[0] == -1e4)
        #expect(Swift.abs(ls[2] - -0.6931472) < 1e-6)
        #expect(ls[4] == 0)
        let sp = extreme.softplus().scalars
        #expect(sp[0] == 0)
        #expect(sp[4] == 1e4)
        #expect(Swift.abs(sp[3] - 50) < 1e-5)
        let p = Parameter("x", extreme)
        valueAndGradient { (p.tracked.logSigmoid() + p.tracked.softplus()).sum() }
        // d/dx [log σ(x) + softplus(x)] = σ(−x) + σ(x) = 1.
        for g in p.grad!.scalars { #expect(Swift.abs(g - 1) < 1e-6) }
    }

    @Test func softmaxAndLogSoftmaxAtExtremes() {
        let x = Tensor(shape: [1, 3], scalars: [1e4, -1e4, 1e4 - 1])
        let s = x.softmax().scalars
        #expect(Swift.abs(s[0] - 0.7310586) < 1e-6 && s[1] == 0 && Swift.abs(s[2] - 0.2689414) < 1e-6)
        let l = x.logSoftmax().scalars
        #expect(Swift.abs(l[0] - -0.3132617) < 1e-3 && Swift.abs(l[1] - -20000.313) < 1 && l.allSatisfy { $0.isFinite })
        let p = Parameter("x", x)
        valueAndGradient { p.tracked.logSoftmax().slice(axis: 1, 0..<1).sum() }
        let g = p.grad!.scalars
        #expect(g.allSatisfy { $0.isFinite })
        // Float32 spacing at 1e4 is ~1e-3, which bounds the accuracy of x − logsumexp(x).
        #expect(Swift.abs(g[0] - (1 - 0.7310586)) < 2e-3 && Swift.abs(g[2] + 0.2689414) < 2e-3 && g[1] == 0)
    }

    /// The vectorised softplus / log σ kernels and their pullbacks against the scalar reference
    /// (log1pf, expf) over a sweep from −1e4 to 1e4, tiny and huge |x| included, and NaN kept.
    @Test func softplusKernelsMatchTheScalarReference() {
        var xs: [Float] = [-1e4, -200, -88, -87, -30, -17, -1e-3, -1e-8, 0, 1e-8, 1e-3, 17, 30, 87, 88, 200, 1e4]
        var v: Float = -40
        while v <= 40 { xs.append(v); v += 0.0137 }
        let x = Parameter("x", Tensor(shape: [xs.count], scalars: xs))
        let sp = x.value.softplus().scalars, ls = x.value.logSigmoid().scalars
        for (i, t) in xs.enumerated() {
            let want = Double(stableSoftplus(t)), wantLog = Double(-stableSoftplus(-t))
            let tolerance: Double = 2e-6 * Swift.max(1, Swift.abs(want)), toleranceLog: Double = 2e-6 * Swift.max(1, Swift.abs(wantLog))
            let error: Double = Swift.abs(Double(sp[i]) - want), errorLog: Double = Swift.abs(Double(ls[i]) - wantLog)
            #expect(error <= tolerance, "softplus(\(t)) = \(sp[i]) vs \(want)")
            #expect(errorLog <= toleranceLog, "log σ(\(t)) = \(ls[i]) vs \(wantLog)")
        }
        valueAndGradient { x.tracked.softplus().sum() }
        let g = x.grad!.scalars
        for (i, t) in xs.enumerated() {
            let error: Float = Swift.abs(g[i] - stableSigmoid(t))
            #expect(error <= 1e-6, "σ(\(t)) = \(g[i])")
        }
        #expect(Tensor([Float.nan]).softplus().scalars[0].isNaN)
    }

    @Test func crossEntropyAndBCEAtExtremes() {
        let logits = Tensor(shape: [2, 3], scalars: [1e4, -1e4, 0, -1e4, 1e4, 1e4])
        let p = Parameter("x", logits)
        let loss = valueAndGradient { p.tracked.softmaxCrossEntropy(targets: IDTensor(shape: [2], [1, 2])) }
        // Row 0: target logit −1e4 vs max 1e4 → 2e4; row 1: two equal maxima → log 2.
        #expect(Swift.abs(loss - (2e4 + 0.6931472) / 2) < 1)
        #expect(p.grad!.scalars.allSatisfy { $0.isFinite })
        let q = Parameter("z", extreme)
        let labels = Tensor([1, 0, 1, 0, 1])
        let bce = valueAndGradient { q.tracked.binaryCrossEntropyWithLogits(labels: labels).sum() }
        // Terms: 1e4 (label 1 at −1e4), ≈0, log 2, 50, 0.
        #expect(Swift.abs(bce - Float(1e4 + 0.6931472 + 50)) < 0.01)
        let g = q.grad!.scalars
        #expect(g.allSatisfy { $0.isFinite })
        #expect(Swift.abs(g[0] + 1) < 1e-6 && Swift.abs(g[3] - 1) < 1e-6 && Swift.abs(g[4]) < 1e-6)
    }

    @Test func fullyMaskedSoftmaxRowIsZeroNotNaN() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let mask = Tensor(shape: [2, 3], scalars: [0, 0, 0, 1, 1, 0])
        let s = x.softmax(mask: mask).scalars
        #expect(s[0] == 0 && s[1] == 0 && s[2] == 0)
        #expect(Swift.abs(s[3] + s[4] - 1) < 1e-6 && s[5] == 0)
    }
}

@Suite struct VectorExpTests {
    /// The vectorised exp behind `exp()` and the fused softmax kernels, against Double `exp`.
    @Test func expMatchesDoublePrecisionWithinTwoUlpAndHandlesTheEdges() {
        var xs: [Float] = stride(from: -87.0, through: 88.5, by: 0.0137).map { Float($0) }
        xs += [0, -0.0, 1e-30, -1e-30, 88.7, -87.3, -88, -100, -1e4, 89, 1e4, -.infinity, .infinity, .nan]
        let y = Tensor(xs).exp().scalars
        for (x, v) in zip(xs, y) {
            if x.isNaN { #expect(v.isNaN); continue }
            if x < -87.34 { #expect(v == 0, "exp(\(x))"); continue }
            if x > 88.73 { #expect(v == .infinity, "exp(\(x))"); continue }
            let exact = Foundation.exp(Double(x))
            let ulp = Double(Float(exact).ulp)
            #expect(Swift.abs(Double(v) - exact) <= 2 * ulp + 1e-45, "exp(\(x)) = \(v), exact \(exact)")
        }
    }
}
