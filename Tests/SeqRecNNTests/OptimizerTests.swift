import SeqRecCore
import SeqRecNN
import SeqRecTensor
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OptimizerTests {
    /// Gives `p` the gradient `g` through a real backward pass (loss = Σ p ⊙ g).
    func setGradient(_ p: Parameter, _ g: [Float]) {
        p.zeroGradient()
        valueAndGradient { (p.tracked * Tensor(g)).sum() }
    }

    @Test func adamFirstStepsMatchHandComputation() throws {
        let p = Parameter("w", Tensor([1, -2]))
        let adam = try Adam(learningRate: 0.1, beta1: 0.9, beta2: 0.98, epsilon: 1e-8)
        setGradient(p, [0.5, -4])
        adam.step([p])
        // Step 1: m̂ = g, v̂ = g², update = g/|g| = sign(g) (ε negligible).
        #expect(Swift.abs(p.value.scalars[0] - 0.9) < 1e-6 && Swift.abs(p.value.scalars[1] - -1.9) < 1e-6)
        setGradient(p, [1, 0])
        adam.step([p])
        // Step 2, element 0: m = 0.9·0.05 + 0.1·1 = 0.145; v = 0.98·0.005 + 0.02·1 = 0.0249;
        // m̂ = 0.145/0.19; v̂ = 0.0249/0.0396; θ = 0.9 − 0.1·m̂/√v̂.
        let mHat = 0.145 / 0.19, vHat = 0.0249 / (1 - 0.98 * 0.98)
        let expected = 0.9 - 0.1 * mHat / vHat.squareRoot()
        #expect(Swift.abs(Double(p.value.scalars[0]) - expected) < 1e-5)
    }

    /// The vectorised update (C kernel, split over threads) gives exactly the floats of the plain
    /// formula in Float arithmetic, operation by operation, over three steps of AdamW.
    @Test func adamUpdateIsBitIdenticalToTheScalarFormula() throws {
        var rng = SplitMix64(seed: 5)
        let n = 100_003
        let start = (0..<n).map { _ in rng.nextNormal() }
        let p = Parameter("dense.weight", Tensor(shape: [n], scalars: start))
        let adam = try Adam.adamW(learningRate: 0.01, weightDecay: 0.1)
        var w = start, m = [Float](repeating: 0, count: n), v = m
        for t in 1...3 {
            let g = (0..<n).map { _ in rng.nextNormal() * (t == 2 ? 1e-3 : 1) }
            setGradient(p, g)
            adam.step([p])
            let (b1, b2, eps, lr) = (adam.beta1, adam.beta2, adam.epsilon, adam.learningRate)
            let c1 = 1 - powf(b1, Float(t)), c2 = 1 - powf(b2, Float(t)), decay = 1 - lr * adam.weightDecay
            for i in 0..<n {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let update = (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                w[i] = w[i] * decay - lr * update
            }
            let got = p.value.scalars
            let first = (0..<n).first { got[$0].bitPattern != w[$0].bitPattern }
            #expect(first == nil, "step \(t), element \(first ?? -1): \(first.map { got[$0] } ?? 0) vs \(first.map { w[$0] } ?? 0)")
        }
    }

    @Test func adamWDecaysOnlyParametersNotExcluded() throws {
        let w = Parameter("dense.weight", Tensor([2]))
        let b = Parameter("dense.bias", Tensor([2]))
        let opt = try Adam.adamW(learningRate: 0.1, weightDecay: 0.5)
        setGradient(w, [0])
        setGradient(b, [0])
        opt.step([w, b])
        // Zero gradient: Adam's update is 0, so only the decoupled decay 1 − lr·λ = 0.95 acts.
        #expect(Swift.abs(w.value.scalars[0] - 1.9) < 1e-6)
        #expect(b.value.scalars[0] == 2)
    }

    @Test func sgdWithMomentum() throws {
        let p = Parameter("w", Tensor([1]))
        let sgd = try SGD(learningRate: 0.5, momentum: 0.9)
        setGradient(p, [2]); sgd.step([p])          // b = 2, θ = 1 − 1 = 0
        setGradient(p, [2]); sgd.step([p])          // b = 3.8, θ = −1.9
        #expect(Swift.abs(p.value.scalars[0] - -1.9) < 1e-6)
    }

    @Test func globalNormClipping() {
        let a = Parameter("a", Tensor([0, 0])), b = Parameter("b", Tensor([0]))
        setGradient(a, [3, 0]); setGradient(b, [4])
        #expect(Swift.abs(GradientClipping.globalNorm([a, b]) - 5) < 1e-6)
        let before = GradientClipping.clip([a, b], maxNorm: 1)
        #expect(Swift.abs(before - 5) < 1e-6)
        #expect(Swift.abs(GradientClipping.globalNorm([a, b]) - 1) < 1e-5)
        #expect(Swift.abs(a.grad!.scalars[0] - 0.6) < 1e-5)
    }

    @Test func gradientsAccumulateUntilZeroed() {
        let p = Parameter("w", Tensor([1, 2]))
        valueAndGradient { p.tracked.sum() }
        valueAndGradient { (p.tracked * 3).sum() }
        #expect(p.grad!.scalars == [4, 4])
        p.zeroGradient()
        #expect(p.grad!.scalars == [0, 0])
    }

    @Test func invalidHyperparametersNameTheKeyAndRange() {
        #expect(throws: HyperparameterError(key: "learningRate", value: "-0.10000000149011612", allowed: "(0, ∞)")) {
            try Adam(learningRate: -0.1)
        }
        do {
            _ = try Dropout(rate: 1)
            Issue.record("dropout 1 accepted")
        } catch let e as HyperparameterError {
            #expect(e.description == "dropout = 1.0 is outside the allowed range [0.0, 1.0)")
        } catch { Issue.record("wrong error \(error)") }
        #expect(throws: HyperparameterError.self) { try Adam(beta2: 1) }
        #expect(throws: HyperparameterError.self) { try SGD(learningRate: 0.1, momentum: -1) }
        var rng = SplitMix64(seed: 1)
        #expect(throws: HyperparameterError.self) {
            try MultiHeadAttention(dim: 6, heads: 4, form: .standard, attentionDropout: 0, rng: &rng)
        }
    }
}
