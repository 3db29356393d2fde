import CSeqRecKernels
import SeqRecCore
import SeqRecTensor

/// Adam (Kingma & Ba, ICLR 2015), optionally with decoupled weight decay — AdamW
/// (Loshchilov & Hutter, ICLR 2019) — applied to every parameter whose name contains none of
/// `decayExclusions` (BERT excludes LayerNorm and bias).
///
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε),
/// and with AdamW first θ ← θ·(1 − lr·λ). As `torch.optim.Adam`/`AdamW`. SASRec uses β₂ = 0.98;
/// Keras uses ε = 1e-7, PyTorch 1e-8.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// λ for decoupled decay (0 = plain Adam).
    public let weightDecay: Float
    /// Name fragments exempt from weight decay.
    public let decayExclusions: [String]
    /// Steps taken so far (t).
    public private(set) var stepCount = 0
    private var moments: [ObjectIdentifier: (m: [Float], v: [Float])] = [:]

    /// - Throws: `HyperparameterError` naming the key for values outside their range.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decayExclusions: [String] = []) throws {
        try HyperparameterError.checkPositive("learningRate", Double(learningRate))
        try HyperparameterError.check("beta1", Double(beta1), in: 0.0..<1.0)
        try HyperparameterError.check("beta2", Double(beta2), in: 0.0..<1.0)
        try HyperparameterError.checkPositive("epsilon", Double(epsilon))
        try HyperparameterError.check("weightDecay", Double(weightDecay), in: 0.0...1.0)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decayExclusions = decayExclusions
    }

    /// AdamW: Adam with decoupled weight decay.
    public static func adamW(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01,
                             decayExclusions: [String] = ["bias", "norm", "gamma", "beta"]) throws -> Adam {
        try Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                 weightDecay: weightDecay, decayExclusions: decayExclusions)
    }

    /// The optimiser state of `parameters` (step count and first/second moments by parameter
    /// name), for checkpoints: restoring it makes the next step identical to an uninterrupted run.
    public func state(of parameters: [Parameter]) -> (steps: Int, moments: [String: (m: [Float], v: [Float])]) {
        var out: [String: (m: [Float], v: [Float])] = [:]
        for p in parameters { if let s = moments[ObjectIdentifier(p)] { out[p.name] = s } }
        return (stepCount, out)
    }

    /// Restores a state saved by `state(of:)`.
    /// - Throws: `HyperparameterError` naming the parameter when a moment's size does not match it.
    public func restore(steps: Int, moments saved: [String: (m: [Float], v: [Float])], for parameters: [Parameter]) throws {
        var restored: [ObjectIdentifier: (m: [Float], v: [Float])] = [:]
        for p in parameters {
            guard let s = saved[p.name] else { continue }
            guard s.m.count == p.value.count, s.v.count == p.value.count else {
                throw HyperparameterError(key: "optimizer state of \(p.name)", value: "\(s.m.count) values",
                                          allowed: "\(p.value.count) values (the parameter's size)")
            }
            restored[ObjectIdentifier(p)] = s
        }
        moments = restored
        stepCount = steps
    }

    public func step(_ parameters: [Parameter]) {
        stepCount += 1
        let t = Float(stepCount)
        let c1 = 1 - powf(beta1, t), c2 = 1 - powf(beta2, t)
        let (b1, b2, eps, lr) = (beta1, beta2, epsilon, learningRate)
        for p in parameters {
            guard let g = p.grad else { continue }
            let id = ObjectIdentifier(p)
            if moments[id] == nil {
                moments[id] = ([Float](repeating: 0, count: g.count), [Float](repeating: 0, count: g.count))
            }
            let decay = weightDecay > 0 && !decayExclusions.contains { p.name.contains($0) }
                ? 1 - lr * weightDecay : 1
            var state = moments.removeValue(forKey: id)!
            state.m.withUnsafeMutableBufferPointer { mb in
                state.v.withUnsafeMutableBufferPointer { vb in
                    g.withUnsafeBufferPointer { gb in
                        p.updateValue { w in
                            let m = mb.baseAddress!, v = vb.baseAddress!, gp = gb.baseAddress!, wp = w.baseAddress!
                            Parallel.for(w.count) { r in
                                seqrec_adam_update(wp + r.lowerBound, m + r.lowerBound, v + r.lowerBound, gp + r.lowerBound,
                                                   r.count, b1, b2, c1, c2, eps, lr, decay)
                            }
                        }
                    }
                }
            }
            moments[id] = state
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
