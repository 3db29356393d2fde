import Foundation
import SeqRecCore
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import SeqRecTestSupport
import Testing

func sampledInput(_ seed: UInt64, n: Int = 6, k: Int = 4) -> (Tensor, Tensor, Tensor) {
    var rng = SplitMix64(seed: seed)
    return (Tensor.randomNormal([n], std: 2, rng: &rng), Tensor.randomNormal([n, k], std: 2, rng: &rng),
            Tensor(shape: [n], scalars: (0..<n).map { $0 == 1 ? 0 : 1 }))
}

struct LossCase: CustomStringConvertible, Sendable {
    let name: String
    let make: @Sendable () -> any Loss
    var description: String { name }
}

/// Every registered loss with its default settings (k = 4 where it has negatives), over 50 items.
let lossCases: [LossCase] = Losses.registry.entries.map { entry in
    LossCase(name: entry.id) {
        var settings = entry.settings.defaults
        if settings["negatives"] != nil { settings["negatives"] = 4 }
        return try! Losses.make(ComponentConfig(id: entry.id, settings: settings), catalogueSize: 50)
    }
}

@Suite struct LossTests {
    /// Every registered loss is gradient-checked through its declared input form.
    @Test(arguments: lossCases)
    func gradientCheck(_ c: LossCase) {
        let loss = c.make()
        let report: GradientCheck.Report
        switch loss.requirement {
        case .sampledNegatives(let k):
            let (p, n, m) = sampledInput(3, k: k)
            report = GradientCheck.check([p, n]) { loss(.sampled(positive: $0[0], negatives: $0[1], mask: m)) }
        case .fullCatalogue:
            var rng = SplitMix64(seed: 4)
            let logits = Tensor.randomNormal([5, 7], std: 2, rng: &rng)
            report = GradientCheck.check([logits]) {
                loss(.full(logits: $0[0], targets: IDTensor(shape: [5], [1, -1, 6, 0, 3]), ignoreIndex: -1))
            }
        }
        #expect(report.passed, "\(c.name): \(report)")
    }

    @Test func gbceAtT0IsBCEAndBetaMatchesTheFormula() throws {
        let (p, n, m) = sampledInput(7)
        let bce = try BCELoss(negatives: 4)(.sampled(positive: p, negatives: n, mask: m)).scalar
        let g0 = try GBCELoss(negatives: 4, t: 0, catalogueSize: 100)(.sampled(positive: p, negatives: n, mask: m)).scalar
        #expect(Swift.abs(bce - g0) < 1e-6)
        let g1 = try GBCELoss(negatives: 4, t: 1, catalogueSize: 100)
        #expect(Swift.abs(g1.beta - g1.alpha) < 1e-15 && Swift.abs(g1.alpha - 4.0 / 99) < 1e-15)
        // Sanity values from reference-facts §1.5.
        let ml = try GBCELoss(negatives: 256, t: 0.75, catalogueSize: 3416)
        #expect(String(format: "%.7f", ml.alpha) == "0.0749634" && String(format: "%.6f", ml.beta) == "0.306223")
        #expect(String(format: "%.6f", try GBCELoss(negatives: 128, t: 0.9, catalogueSize: 13044).beta) == "0.108832")
    }

    @Test func gbceMatchesThePortsTransformedLogit() throws {
        let loss = try GBCELoss(negatives: 4, t: 0.75, catalogueSize: 60)
        let (p, n, m) = sampledInput(11)
        let ours = loss(.sampled(positive: p, negatives: n, mask: m)).scalar
        // The port: s⁺′ = log(r), r = 1/(q − 1), q = σ(s⁺)^−β (float64, clamps inactive here), then BCE
        // with logits on [s⁺′, s⁻…] and labels [1, 0…], mean over k + 1, mean over real positions.
        func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }
        var total = 0.0, count = 0.0
        for r in 0..<6 where m.scalars[r] == 1 {
            let sig = 1 / (1 + exp(-Double(p.scalars[r])))
            let q = pow(sig, -loss.beta)
            let transformed = log(1 / (q - 1))
            var term = softplus(-transformed)
            for j in 0..<4 { term += softplus(Double(n.scalars[r * 4 + j])) }
            total += term / 5
            count += 1
        }
        #expect(Swift.abs(Double(ours) - total / count) < 1e-5)
    }

    /// Theorem 5.5.1: with β = α (t = 1) the minimiser of the expected gBCE loss is calibrated,
    /// σ(sᵢ) = P(i is the positive); plain BCE (t = 0) is overconfident.
    @Test func gbceOptimumIsCalibratedAtT1() throws {
        let truth: [Double] = [0.4, 0.3, 0.15, 0.1, 0.05]
        let items = truth.count, k = 2
        func fit(_ t: Double) throws -> [Float] {
            let loss = try GBCELoss(negatives: k, t: t, catalogueSize: items)
            let scores = Parameter("s", Tensor([Float](repeating: 0, count: items)))
            let adam = try Adam(learningRate: 0.05)
            // Expected loss: positive i with probability pᵢ; each other item is one of the k uniform
            // negatives with probability k/(N−1). Weights enter through the mask and a weighted sum.
            let posWeight = Tensor(truth.map { Float($0) })
            let negWeight = Tensor(truth.map { Float((1 - $0) * Double(k) / Double(items - 1)) })
            for _ in 0..<3000 {
                scores.zeroGradient()
                valueAndGradient {
                    let s = scores.tracked
                    let pos = -s.logSigmoid() * Float(loss.beta) * posWeight
                    let neg = s.softplus() * negWeight
                    return (pos + neg).sum()
                }
                adam.step([scores])
            }
            return scores.value.sigmoid().scalars
        }
        let calibrated = try fit(1)
        for (p, q) in zip(calibrated, truth) { #expect(Swift.abs(Double(p) - q) < 0.01, "σ(s) \(p) vs \(q)") }
        // Plain BCE (β = 1) converges to the overconfident p / (p + α(1 − p)), α = k/(N − 1) = 0.5.
        let bce = try fit(0)
        for (p, q) in zip(bce, truth) {
            #expect(Swift.abs(Double(p) - q / (q + 0.5 * (1 - q))) < 0.01)
            #expect(Double(p) > q)
        }
    }

    @Test func requirementsAndBadInput() throws {
        #expect(try BCELoss(negatives: 1).requirement == .sampledNegatives(1))
        #expect(SoftmaxCrossEntropyLoss().requirement == .fullCatalogue)
        #expect(throws: HyperparameterError.self) { try GBCELoss(negatives: 4, t: 1.5, catalogueSize: 100) }
        #expect(throws: HyperparameterError.self) { try GBCELoss(negatives: 200, t: 0.5, catalogueSize: 100) }
        #expect(throws: HyperparameterError.self) { try SampledSoftmaxLoss(negatives: 0) }
    }

    /// A loss owns its keys: another loss's key is an error naming it; recorded configs of
    /// earlier versions (the `{id, negatives, t}` union) still resolve.
    @Test func lossesOwnTheirKeys() throws {
        #expect(throws: ConfigError.self) { try Losses.make(ComponentConfig(id: "softmax", settings: ["negatives": 4]), catalogueSize: 50) }
        do { _ = try Losses.make(ComponentConfig(id: "bce", settings: ["t": 0.5]), catalogueSize: 50); Issue.record("accepted t for bce") }
        catch let e as ConfigError { #expect("\(e)".contains("unknown key `t` in loss; valid keys: negatives")) }
        let recorded = try Losses.registry.resolveRecorded(ComponentConfig(id: "bce", settings: ["negatives": 1, "t": 0]), section: "loss")
        #expect(recorded == ComponentConfig(id: "bce", settings: ["negatives": 1]))
        #expect(try Losses.registry.resolveRecorded(ComponentConfig(id: "gbce", settings: [:]), section: "loss").settings == ["negatives": 256, "t": 0.75])
    }

    @Test func sampledSoftmaxByHand() throws {
        // Positive 2, negatives [0, 1]: −log(e² / (e² + 1 + e)).
        let loss = try SampledSoftmaxLoss(negatives: 2)
        let v = loss(.sampled(positive: Tensor([2]), negatives: Tensor(shape: [1, 2], scalars: [0, 1]), mask: Tensor([1]))).scalar
        #expect(Swift.abs(Double(v) - -log(exp(2.0) / (exp(2.0) + 1 + exp(1.0)))) < 1e-6)
    }
}
