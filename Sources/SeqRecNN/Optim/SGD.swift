import SeqRecCore
import SeqRecTensor

/// Stochastic gradient descent with optional (heavy-ball) momentum, as `torch.optim.SGD`:
/// b ← μb + g; θ ← θ − lr·b (b = g when μ = 0).
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    private var buffers: [ObjectIdentifier: [Float]] = [:]

    /// - Throws: `HyperparameterError` for a non-positive rate or momentum outside [0, 1).
    public init(learningRate: Float, momentum: Float = 0) throws {
        try HyperparameterError.checkPositive("learningRate", Double(learningRate))
        try HyperparameterError.check("momentum", Double(momentum), in: 0.0..<1.0)
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func step(_ parameters: [Parameter]) {
        let lr = learningRate, mu = momentum
        for p in parameters {
            guard let g = p.grad else { continue }
            if mu == 0 {
                g.withUnsafeBufferPointer { gb in
                    p.updateValue { w in for i in w.indices { w[i] -= lr * gb[i] } }
                }
                continue
            }
            let id = ObjectIdentifier(p)
            var buf = buffers.removeValue(forKey: id) ?? [Float](repeating: 0, count: g.count)
            g.withUnsafeBufferPointer { gb in
                p.updateValue { w in
                    for i in w.indices {
                        buf[i] = mu * buf[i] + gb[i]
                        w[i] -= lr * buf[i]
                    }
                }
            }
            buffers[id] = buf
        }
    }
}
